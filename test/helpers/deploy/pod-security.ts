/**
 * Kubernetes' Pod Security Standards, "restricted" profile (which includes "baseline"), for one
 * pod spec: the checks the PodSecurity admission controller makes, from
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/. Returns the violations.
 */

interface SecurityContext {
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly seccompProfile?: { readonly type: string };
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly procMount?: string;
}

interface ContainerSpec {
  readonly name: string;
  readonly securityContext?: SecurityContext;
  readonly ports?: readonly { readonly containerPort?: number; readonly hostPort?: number }[];
}

export interface PodSecuritySpec {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly securityContext?: SecurityContext & { readonly sysctls?: readonly unknown[] };
  readonly containers: readonly ContainerSpec[];
  readonly initContainers?: readonly ContainerSpec[];
  /** Each volume: its name and one source field (emptyDir, configMap, hostPath...). */
  readonly volumes?: readonly Readonly<Record<string, unknown> & { name: string }>[];
}

/** Volume sources "restricted" allows. */
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const ALLOWED_SECCOMP = new Set(['RuntimeDefault', 'Localhost']);

export function restrictedProblems(pod: PodSecuritySpec): string[] {
  const problems: string[] = [];
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (pod[host] === true) problems.push(`${host} is true`);
  for (const v of pod.volumes ?? []) {
    const source = Object.keys(v).find((k) => k !== 'name');
    if (source === undefined || !ALLOWED_VOLUMES.has(source)) problems.push(`volume ${v.name}: ${String(source)} is not allowed`);
  }
  if (pod.securityContext?.sysctls !== undefined) problems.push('pod sets sysctls');
  const podContext = pod.securityContext ?? {};
  if (podContext.runAsUser === 0) problems.push('pod runs as user 0');
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const ctx = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (ctx.privileged === true) problems.push(`${where} is privileged`);
    if (ctx.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if ((ctx.runAsNonRoot ?? podContext.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true (pod or container)`);
    if (ctx.runAsUser === 0) problems.push(`${where} runs as user 0`);
    const seccomp = ctx.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (seccomp === undefined || !ALLOWED_SECCOMP.has(seccomp)) problems.push(`${where}: seccompProfile is ${String(seccomp)}, not RuntimeDefault or Localhost`);
    if (!(ctx.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
    for (const cap of ctx.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') problems.push(`${where} adds capability ${cap}`);
    if (ctx.procMount !== undefined && ctx.procMount !== 'Default') problems.push(`${where}: procMount ${ctx.procMount}`);
    for (const p of c.ports ?? []) if (p.hostPort !== undefined && p.hostPort !== 0) problems.push(`${where} uses hostPort ${p.hostPort}`);
  }
  return problems;
}
