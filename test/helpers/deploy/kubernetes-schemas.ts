import type { K8sObject } from './deploy-files.js';

interface Model { validate(): void }
type ModelClass = new (data: object) => Model;

/**
 * Where the typed models (and their schemas, compiled from the Kubernetes OpenAPI document) of an
 * API group live: kubernetes-models for the built-in APIs, its sibling package for the
 * Prometheus Operator's.
 */
function modulePath(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : ['', apiVersion];
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  return group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

/**
 * What the Kubernetes schema of the object's apiVersion and kind says is wrong with it: missing
 * required fields, wrong types, bad formats (as kubeconform does without --strict: the
 * Kubernetes schemas allow unknown fields). An apiVersion or kind with no schema is a problem too.
 */
export async function schemaProblems(object: K8sObject): Promise<string[]> {
  const path = modulePath(object.apiVersion, object.kind);
  let Model: ModelClass;
  try {
    Model = ((await import(path)) as Record<string, ModelClass>)[object.kind]!;
  } catch {
    return [`${object.apiVersion} ${object.kind}: no schema (${path})`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (err) {
    return [`${object.kind}/${object.metadata.name}: ${(err as Error).message}`];
  }
}
