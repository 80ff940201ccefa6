const PREFIX = '/v2/models/';
/** Batch job submission (the worker's /v1 jobs API), with or without a version. */
const JOBS_PATH = /^\/v1\/models\/[^/]+(?:\/versions\/[^/]+)?\/jobs$/;

/**
 * Rewrites an Open Inference Protocol v2 model path to a backend's model and version:
 *
 *   /v2/models/fraud/infer              → /v2/models/<model>/versions/<version>/infer
 *   /v2/models/fraud/versions/9/infer   → /v2/models/<model>/versions/<version>/infer
 *   /v2/models/fraud, /v2/models/fraud/ready → the same with /versions/<version>
 *
 * The route decides the version, so a version the client asked for is replaced. Without a
 * backend version the version segment is dropped (the worker's version policy picks). Paths
 * outside /v2/models/ (health, server metadata) are returned undefined: forwarded unchanged.
 */
export function rewriteModelPath(path: string, model: string, version: string | undefined): string | undefined {
  // A batch job follows the route's target like an inference: POST /v1/models/<model>[/versions/<version>]/jobs.
  if (JOBS_PATH.test(path)) return `/v1/models/${encodeURIComponent(model)}${version === undefined ? '' : `/versions/${encodeURIComponent(version)}`}/jobs`;
  if (!path.startsWith(PREFIX)) return undefined;
  const parts = path.slice(PREFIX.length).split('/');
  if (parts[0] === '') return undefined;
  let tail = parts.slice(1);
  if (tail[0] === 'versions' && tail.length >= 2) tail = tail.slice(2);
  const base = `${PREFIX}${encodeURIComponent(model)}${version === undefined ? '' : `/versions/${version}`}`;
  return tail.length === 0 ? base : `${base}/${tail.join('/')}`;
}
