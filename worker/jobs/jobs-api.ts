import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../../protocol/http-body.js';
import { ProtocolErrorCode, SwitchyardError, badRequest } from '../../protocol/errors.js';
import { WorkerErrorCode } from '../errors.js';
import { sendJson } from '../server/respond.js';
import type { JobRecord } from './job-store.js';
import type { JobManager } from './job-manager.js';

/**
 * Batch jobs over REST:
 *  POST   /v1/models/{m}[/versions/{v}]/jobs
 *                                body {"instances": [...]} (JSON) or one instance per line
 *                                (Content-Type application/x-ndjson) → 202 with the job
 *  GET    /v1/jobs/{id}          state and progress; with the predictions once succeeded
 *                                (?results=false leaves them out)
 *  GET    /v1/jobs/{id}/results  the predictions so far as NDJSON, one line per instance
 *  DELETE /v1/jobs/{id}          cancels (finished chunks keep their results)
 * Returns false for paths that are not these.
 */
export function jobRoutes(jobs: JobManager, maxBodyBytes: number) {
  return async function routeJobs(req: IncomingMessage, res: ServerResponse, method: string, parts: readonly string[]): Promise<boolean> {
    if (parts[0] !== 'v1') return false;
    const versioned = parts.length === 6 && parts[3] === 'versions';
    if (parts[1] === 'models' && (parts.length === 4 || versioned) && parts[parts.length - 1] === 'jobs') {
      if (method !== 'POST') throw notAllowed(method, 'POST');
      const instances = parseInstances(await readBody(req, maxBodyBytes), req.headers['content-type'] ?? '');
      const job = await jobs.submit(parts[2]!, instances, versioned ? parts[4] : undefined);
      sendJson(res, 202, view(job), { location: `/v1/jobs/${job.id}` });
      return true;
    }
    if (parts[1] !== 'jobs' || parts.length < 3 || parts.length > 4) return false;
    const id = parts[2]!;
    const job = await jobs.store.get(id);
    if (!job) throw new SwitchyardError(WorkerErrorCode.JOB_NOT_FOUND, 404, `no batch job '${id}' (finished jobs are kept for 7 days with Redis, until restart without)`);
    if (parts.length === 4) {
      if (parts[3] !== 'results') return false;
      if (method !== 'GET') throw notAllowed(method, 'GET');
      const lines = (await jobs.store.results(id)).map((p) => JSON.stringify(p) + '\n').join('');
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(lines) });
      res.end(lines);
      return true;
    }
    if (method === 'DELETE') {
      sendJson(res, 200, view((await jobs.cancel(id))!));
      return true;
    }
    if (method !== 'GET') throw notAllowed(method, 'GET or DELETE');
    const withResults = job.state === 'succeeded' && !(req.url ?? '').includes('results=false');
    sendJson(res, 200, withResults ? { ...view(job), predictions: await jobs.store.results(id) } : view(job));
    return true;
  };
}

function view(job: JobRecord) {
  const completedInstances = Math.min(job.totalInstances, job.completedChunks * job.chunkSize);
  return {
    id: job.id,
    model: job.model,
    version: job.version,
    state: job.state,
    created: job.created,
    updated: job.updated,
    progress: { instances: job.totalInstances, completedInstances, chunks: job.totalChunks, completedChunks: job.completedChunks },
    ...(job.error === undefined ? {} : { error: job.error }),
  };
}

/** `{"instances": [...]}`, or NDJSON (one instance per non-empty line) when the content type says so. */
export function parseInstances(body: Buffer, contentType: string): unknown[] {
  const text = body.toString('utf8');
  if (/ndjson|jsonl|json-seq/.test(contentType)) {
    return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (err) {
        throw badRequest(ProtocolErrorCode.INVALID_JSON, `line ${i + 1} of the NDJSON body is not valid JSON: ${(err as Error).message}`);
      }
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badRequest(ProtocolErrorCode.INVALID_JSON, `the request body is not valid JSON: ${(err as Error).message}; send {"instances": [...]} or NDJSON with Content-Type application/x-ndjson`);
  }
  const instances = (json as { instances?: unknown } | null)?.instances;
  if (!Array.isArray(instances)) throw badRequest(ProtocolErrorCode.INVALID_REQUEST, 'instances: expected an array of rows, as in {"instances": [[...], ...]}');
  return instances;
}

function notAllowed(method: string, allowed: string): SwitchyardError {
  return new SwitchyardError(WorkerErrorCode.METHOD_NOT_ALLOWED, 405, `method ${method} is not allowed here; use ${allowed}`);
}
