import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { commands } from '../../../cli/commands/index.js';
import { repoRoot } from '../repo-root.js';

/** The deployment files, read from the checkout (tests run from dist/, the files stay at the root). */
export const ROOT = repoRoot();

export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

// ---- Compose ----

export interface ComposeHealthcheck {
  readonly test: readonly string[];
}

export interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile?: string };
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>;
  readonly healthcheck?: ComposeHealthcheck;
  readonly restart?: string;
  readonly stop_grace_period?: string;
  readonly deploy?: { readonly resources?: { readonly reservations?: { readonly devices?: readonly Record<string, unknown>[] } } };
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

/** A Compose file as Compose reads it: YAML merge keys (`<<: *anchor`) resolved. */
export function readCompose(path: string): ComposeFile {
  return parse(readRepoFile(path), { merge: true }) as ComposeFile;
}

/** `${NAME:-default}` → default; a plain value stays. */
export function composeDefault(value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
}

/** `HOST:CONTAINER[:MODE]` of a volume, with the host side resolved against the repo root when it is a path. */
export function splitVolume(volume: string): { readonly source: string; readonly target: string; readonly bindPath: string | undefined } {
  const [source, target] = volume.split(':') as [string, string];
  return { source, target, bindPath: source.startsWith('.') || source.startsWith('/') ? join(ROOT, source) : undefined };
}

/** Published `[IP:]HOST:CONTAINER` → the two ports. */
export function splitPort(port: string): { readonly host: number; readonly container: number } {
  const parts = port.split(':');
  return { host: Number(parts.at(-2)), container: Number(parts.at(-1)) };
}

/** The URL a `node -e fetch('…')` (or wget) health check calls. */
export function healthcheckUrl(check: ComposeHealthcheck): URL {
  const text = check.test.join(' ');
  const match = /(https?:\/\/[^'"\s)]+)/.exec(text);
  if (!match) throw new Error(`no URL in the health check ${text}`);
  return new URL(match[1]!);
}

// ---- Kubernetes ----

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: Record<string, unknown>;
  readonly data?: Readonly<Record<string, string>>;
}

export interface Probe {
  readonly httpGet?: { readonly path: string; readonly port: string | number };
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } } }[];
  readonly ports?: readonly { readonly name: string; readonly containerPort: number }[];
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly lifecycle?: { readonly preStop?: { readonly exec?: { readonly command: readonly string[] } } };
  readonly resources?: { readonly requests?: Readonly<Record<string, string | number>>; readonly limits?: Readonly<Record<string, string | number>> };
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly subPath?: string }[];
}

export interface PodSpec {
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly volumes?: readonly { readonly name: string; readonly configMap?: { readonly name: string }; readonly emptyDir?: object }[];
  readonly terminationGracePeriodSeconds?: number;
  readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly runAsUser?: number };
}

export interface Deployment extends K8sObject {
  readonly spec: {
    /** Absent where an HPA owns the count. */
    readonly replicas?: number;
    readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
    readonly template: { readonly metadata: { readonly labels: Readonly<Record<string, string>> }; readonly spec: PodSpec };
  };
}

export interface Service extends K8sObject {
  readonly spec: {
    readonly selector: Readonly<Record<string, string>>;
    readonly ports: readonly { readonly name: string; readonly port: number; readonly targetPort: string | number }[];
  };
}

export const K8S_DIR = 'deploy/kubernetes';
/** The kustomize base the overlays (K8S_DIR/overlays/*) build on. */
export const K8S_BASE_DIR = `${K8S_DIR}/base`;

/** Every object of a multi-document manifest; a YAML error fails the test that reads it. */
export function readManifests(path: string): K8sObject[] {
  return parseAllDocuments(readRepoFile(path)).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as K8sObject;
  }).filter((o) => o !== null);
}

/** The base kustomization's resources, read in the order it lists them. */
export function kustomizationResources(dir = K8S_BASE_DIR): { readonly file: string; readonly objects: K8sObject[] }[] {
  const kustomization = parse(readRepoFile(join(dir, 'kustomization.yaml'))) as { resources: string[] };
  return kustomization.resources.map((file) => ({ file: join(dir, file), objects: readManifests(join(dir, file)) }));
}

export function matchesSelector(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

// ---- The CLI ----

/**
 * Checks `switchyard` arguments against the real commands: the first is a subcommand and each
 * option appears in that subcommand's usage text. Returns the problems (empty when fine).
 */
export function cliArgumentProblems(args: readonly string[]): string[] {
  const [name, ...rest] = args;
  const command = commands.find((c) => c.name === name);
  if (command === undefined) return [`'${String(name)}' is not a switchyard command (${commands.map((c) => c.name).join(', ')})`];
  return rest
    .filter((a) => a.startsWith('-'))
    .filter((flag) => !new RegExp(`(^|[\\s,[])${flag.replace(/[-]/g, '\\-')}([\\s,=\\]]|$)`, 'm').test(command.usage))
    .map((flag) => `switchyard ${command.name} has no option ${flag}`);
}

/** Environment variables set for a `switchyard` command that the command does not read (its usage lists what it reads). */
export function envVarProblems(args: readonly string[], names: readonly string[]): string[] {
  const command = commands.find((c) => c.name === args[0]);
  const environment = command?.usage.split('Environment:')[1] ?? '';
  return names.filter((n) => !new RegExp(`\\b${n}\\b`).test(environment)).map((n) => `switchyard ${String(args[0])} does not read ${n}`);
}

/** The value after `flag` in an argument list. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}
