const V2_PREFIX = '/v2/models/';
const V1_PREFIX = '/v1/models/';

/**
 * A request path that addresses one model, split into its parts. Segments are kept as they
 * came (percent-encoded), so a path rebuilt from them is the client's path.
 *
 *   v2: /v2/models/<model>[/versions/<version>][/infer | /ready | ...]   (no tail: metadata)
 *   v1: /v1/models/<model>[/versions/<version>][:predict | /jobs]       (no tail: KServe v1 model readiness)
 */
export interface ModelPath {
  readonly protocol: 'v1' | 'v2';
  readonly model: string;
  /** The version segment the client named; undefined when it named none. */
  readonly version: string | undefined;
  /** What follows the model and version: '' , '/infer', '/ready', '/jobs', ':predict', ... */
  readonly tail: string;
}

export function parseModelPath(path: string): ModelPath | undefined {
  if (path.startsWith(V2_PREFIX)) return parseV2(path.slice(V2_PREFIX.length));
  if (path.startsWith(V1_PREFIX)) return parseV1(path.slice(V1_PREFIX.length));
  return undefined;
}

function parseV2(rest: string): ModelPath | undefined {
  const parts = rest.split('/');
  if (parts[0] === '') return undefined;
  let tail = parts.slice(1);
  let version: string | undefined;
  if (tail[0] === 'versions' && tail.length >= 2 && tail[1] !== '') {
    version = tail[1];
    tail = tail.slice(2);
  }
  return { protocol: 'v2', model: parts[0]!, version, tail: tail.length === 0 ? '' : `/${tail.join('/')}` };
}

/** The v1 forms the worker serves; any other /v1/models/ path is not a model path. */
function parseV1(rest: string): ModelPath | undefined {
  const parts = rest.split('/');
  let tail = '';
  if (parts.length === 2 || parts.length === 4) {
    if (parts.at(-1) !== 'jobs') return undefined;
    tail = '/jobs';
    parts.pop();
  } else {
    // A custom verb (Google API style) rides on the last segment: iris:predict, or 2:predict after /versions/.
    const last = parts.at(-1)!;
    const colon = last.indexOf(':');
    if (colon >= 0) {
      tail = last.slice(colon);
      parts[parts.length - 1] = last.slice(0, colon);
    }
  }
  if (parts[0] === '' || parts.some((p) => p === '')) return undefined;
  if (parts.length === 1) return { protocol: 'v1', model: parts[0]!, version: undefined, tail };
  if (parts.length === 3 && parts[1] === 'versions') return { protocol: 'v1', model: parts[0]!, version: parts[2], tail };
  return undefined;
}

/**
 * The version a request path names, decoded; undefined when it names none (or is not a model
 * path). The gRPC listener puts a call's model_version into the path it matches, so both
 * transports are read here.
 */
export function requestedVersion(path: string): string | undefined {
  // Most requests name no version: one substring search instead of a split.
  if (!path.includes('/versions/')) return undefined;
  const version = parseModelPath(path)?.version;
  if (version === undefined || !version.includes('%')) return version;
  try {
    return decodeURIComponent(version);
  } catch {
    return version;
  }
}

/**
 * Rewrites a model path to a backend's model and version:
 *
 *   /v2/models/fraud/infer            → /v2/models/<model>/versions/<version>/infer
 *   /v2/models/fraud, …/ready         → the same with /versions/<version>
 *   /v1/models/fraud:predict          → /v1/models/<model>/versions/<version>:predict
 *   /v1/models/fraud[/versions/V]/jobs → /v1/models/<model>/versions/<version>/jobs
 *
 * A backend without a version keeps the version the client named (or none, and the worker's
 * version policy picks): the worker then serves exactly that version or answers 404. A path
 * that names a version a pinned backend does not serve never gets here from the target step
 * (it refuses it); shadow copies do, and go to the shadow backend's version on purpose.
 * Paths that address no model (health, server metadata) return undefined: forwarded unchanged.
 */
export function rewriteModelPath(path: string, model: string, version: string | undefined): string | undefined {
  const parsed = parseModelPath(path);
  if (parsed === undefined) return undefined;
  const segment = version === undefined ? parsed.version : encodeURIComponent(version);
  return `/${parsed.protocol}/models/${encodeURIComponent(model)}${segment === undefined ? '' : `/versions/${segment}`}${parsed.tail}`;
}
