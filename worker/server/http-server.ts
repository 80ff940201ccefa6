import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeInferRequest, type DecodedInferRequest } from '../../protocol/infer-request.js';
import { encodeInferResponse } from '../../protocol/infer-response.js';
import { ProtocolErrorCode, SwitchyardError, badRequest } from '../../protocol/errors.js';
import { INFERENCE_HEADER_CONTENT_LENGTH, type ModelMetadataJson, type ServerMetadataJson } from '../../protocol/v2-types.js';
import type { Logger } from '../../observability/logger.js';
import { WorkerErrorCode, modelNotReady } from '../errors.js';
import { resolveForReadiness, type ModelRegistry } from '../registry/model-registry.js';
import type { LoadedVersion } from '../registry/types.js';
import { readBody } from '../../protocol/http-body.js';
import { releaseOwned } from '../../protocol/owned-buffer.js';
import type { WorkerMetrics } from './metrics.js';
import { decodePredictRequest, encodePredictions, parseV1ModelCall } from './predict-v1.js';
import { sendError, sendJson } from './respond.js';
import { validateRequest } from './validate.js';
import { outcomeOf, readPriority, readTimeoutMs } from './infer-options.js';
import { handleRepository, type ModelControlMode } from './repository-api.js';
import { ClientGone } from '../batching/cancellation.js';
import { isControlCall, requireControlToken } from './control-auth.js';
import { declaredLength } from '../../protocol/lingering-close.js';
import { bodyTooLarge } from '../../protocol/http-body.js';

export const SERVER_NAME = 'switchyard';
/** nginx's status for a client that closed its request before the answer: counted as cancelled. */
export const CLIENT_CLOSED_REQUEST = 499;
export const SERVER_VERSION = '0.1.0';
export const SERVER_EXTENSIONS = ['binary_tensor_data', 'model_repository'];
/** Response header naming the sha256 of the model file that answered, so any answer traces to its manifest. */
export const MODEL_SHA256_HEADER = 'x-switchyard-model-sha256';
/** Response header naming the model version that answered. */
export const MODEL_VERSION_HEADER = 'x-switchyard-model-version';
/** Largest request body the worker reads, in bytes (32 MiB: a batch of 32 224×224×3 FP32 images is 19 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/**
 * Longest SIGTERM drain, ms: under Kubernetes' default grace period of 30 s, so the worker ends
 * its connections itself before the kubelet's SIGKILL does.
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 25_000;

export interface WorkerHttpOptions {
  readonly registry: ModelRegistry;
  readonly metrics: WorkerMetrics;
  readonly log: Logger;
  readonly maxBodyBytes?: number;
  /** Bearer token the control plane (load, unload, job cancel) requires; undefined: open (loopback only). */
  readonly controlToken?: string;
  /** Whether the repository API may load and unload (default explicit). */
  readonly modelControl?: ModelControlMode;
  /** Further routes (batch jobs): answers and returns true when it handled the request. */
  readonly extraRoutes?: (req: IncomingMessage, res: ServerResponse, method: string, parts: readonly string[]) => Promise<boolean>;
}

/** Headers that say which file answered: the version and the sha256 of its model.onnx (absent for ensembles). */
export function provenanceHeaders(v: LoadedVersion): Record<string, string> {
  return v.sha256 === undefined ? { [MODEL_VERSION_HEADER]: v.version } : { [MODEL_VERSION_HEADER]: v.version, [MODEL_SHA256_HEADER]: v.sha256 };
}

function modelMetadata(v: LoadedVersion, versions: string[]): ModelMetadataJson & { sha256?: string; manifest?: unknown } {
  return {
    name: v.model,
    versions,
    platform: v.config.ensemble ? 'ensemble' : 'onnxruntime_onnx',
    // Beyond the protocol's fields: what produced the file this version serves (see docs/model-lifecycle.md).
    ...(v.sha256 === undefined ? {} : { sha256: v.sha256 }),
    ...(v.manifest === undefined ? {} : { manifest: v.manifest }),
    inputs: v.signature.inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: [...i.shape] })),
    outputs: v.signature.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: [...o.shape] })),
  };
}

/**
 * The worker's REST listener: Open Inference Protocol v2 (health, metadata, infer with JSON or
 * binary tensors), the v1 `:predict` form, and /metrics. Inference itself runs in threads.
 */
export class WorkerHttpServer {
  readonly server: Server;
  private ready = false;
  private draining = false;
  private inFlight = 0;
  private readonly maxBodyBytes: number;
  /** Requests being answered: a drain turns their keep-alive off. */
  private readonly answering = new Set<ServerResponse>();

  constructor(private readonly options: WorkerHttpOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => void this.handle(req, res));
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.checkContinue(req, res));
    options.metrics.trackInFlight(() => this.inFlight);
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Requests read but not yet answered. */
  get inFlightRequests(): number {
    return this.inFlight;
  }

  setReady(ready: boolean): void {
    this.ready = ready;
  }

  /**
   * SIGTERM path, in this order:
   * 1. readiness fails, and every answer from now on carries `Connection: close`;
   * 2. the listener stops accepting (a proxy's connect is refused and it sends elsewhere at
   *    once) and idle keep-alive connections close; a request already on a connection is served;
   * 3. resolves once every connection has closed, or after `timeoutMs`, when the rest are cut.
   */
  async drain(timeoutMs: number = DEFAULT_DRAIN_TIMEOUT_MS): Promise<void> {
    this.ready = false;
    this.draining = true;
    for (const res of this.answering) closeAfter(res, this.server);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const deadline = setTimeout(() => {
      this.options.log.warn({ timeoutMs, inFlight: this.inFlight }, 'drain time limit reached: closing the connections still open');
      this.server.closeAllConnections();
    }, timeoutMs);
    try {
      await closed;
    } finally {
      clearTimeout(deadline);
    }
  }

  /**
   * `Expect: 100-continue`: a body declared over the limit is refused with 413 at once, and the
   * client is never told to send it; any other request is told to go on and handled as usual.
   */
  private checkContinue(req: IncomingMessage, res: ServerResponse): void {
    const declared = declaredLength(req);
    if (declared !== undefined && declared > this.maxBodyBytes) {
      const requestId = req.headers['x-request-id'];
      if (typeof requestId === 'string') res.setHeader('x-request-id', requestId);
      sendError(res, bodyTooLarge(this.maxBodyBytes, declared), { close: true });
      return;
    }
    res.writeContinue();
    void this.handle(req, res);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = req.headers['x-request-id'];
    if (typeof requestId === 'string') res.setHeader('x-request-id', requestId);
    // While draining, answer with Connection: close so busy keep-alive connections end too.
    if (this.draining) res.shouldKeepAlive = false;
    this.answering.add(res);
    try {
      await this.route(req, res);
    } catch (err) {
      const status = sendError(res, err, { close: err instanceof SwitchyardError && err.code === WorkerErrorCode.BODY_TOO_LARGE });
      if (status >= 500 && !(err instanceof SwitchyardError)) this.options.log.error({ err, url: req.url }, 'request failed');
    } finally {
      this.answering.delete(res);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const parts = path.split('/').filter((p) => p !== '');
    // Percent-decoding is only needed for the rare segment that has an escape.
    if (path.includes('%')) for (let i = 0; i < parts.length; i++) parts[i] = decodePathSegment(parts[i]!, path);
    const method = req.method ?? 'GET';
    // Before any body is read: a stranger's upload to the control plane is refused at its headers.
    if (isControlCall(method, parts)) requireControlToken(this.options.controlToken, req);

    if (parts[0] === 'v2') return this.routeV2(req, res, method, parts.slice(1));
    if (this.options.extraRoutes && (await this.options.extraRoutes(req, res, method, parts))) return;
    const v1 = parts[0] === 'v1' && parts[1] === 'models' ? parseV1ModelCall(parts.slice(2)) : undefined;
    if (v1?.verb === 'predict') {
      requireMethod(method, 'POST');
      return this.predict(req, res, v1.model, v1.version);
    }
    if (v1?.verb === 'ready') {
      requireMethod(method, 'GET');
      // KServe v1's model readiness: 200 with ready false while loading; an unknown model or version is 404.
      const v = this.options.registry.resolve(v1.model, v1.version);
      return sendJson(res, 200, { name: v.model, ready: v.state === 'READY' && this.ready });
    }
    if (path === '/metrics') {
      requireMethod(method, 'GET');
      const text = await this.options.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.options.metrics.registry.contentType });
      res.end(text);
      return;
    }
    throw new SwitchyardError(WorkerErrorCode.NOT_FOUND, 404, `no such endpoint: ${method} ${path}; see /v2 for the server's metadata`);
  }

  private async routeV2(req: IncomingMessage, res: ServerResponse, method: string, parts: string[]): Promise<void> {
    const { registry } = this.options;
    if (parts.length === 0) {
      requireMethod(method, 'GET');
      const body: ServerMetadataJson = { name: SERVER_NAME, version: SERVER_VERSION, extensions: SERVER_EXTENSIONS };
      return sendJson(res, 200, body);
    }
    if (parts[0] === 'repository') return handleRepository(req, res, parts.slice(1), registry, this.options.modelControl ?? 'explicit');
    if (parts[0] === 'health' && parts.length === 2) {
      requireMethod(method, 'GET');
      if (parts[1] === 'live') return sendJson(res, 200, { live: true });
      if (parts[1] === 'ready') {
        const ready = this.ready && registry.allReady();
        // The protocol says 200 for ready and 4xx for not ready.
        return ready ? sendJson(res, 200, { ready: true }) : sendJson(res, 400, { error: 'the worker is not ready', code: WorkerErrorCode.MODEL_NOT_READY });
      }
    }
    if (parts[0] === 'models' && parts.length >= 2) {
      const model = parts[1]!;
      let rest = parts.slice(2);
      let version: string | undefined;
      if (rest[0] === 'versions' && rest.length >= 2) {
        version = rest[1];
        rest = rest.slice(2);
      }
      if (rest.length === 0) {
        requireMethod(method, 'GET');
        const v = registry.resolve(model, version);
        return sendJson(res, 200, modelMetadata(v, version !== undefined ? [version] : registry.versionNames(model)), provenanceHeaders(v));
      }
      if (rest.length === 1 && rest[0] === 'ready') {
        requireMethod(method, 'GET');
        const v = resolveForReadiness(registry, model, version);
        // A model still loading is not ready: the protocol's 4xx, as for a version loading next to a ready one.
        if (v instanceof SwitchyardError) return sendJson(res, 400, { error: v.message, code: v.code });
        return v.state === 'READY' && this.ready
          ? sendJson(res, 200, { name: v.model, version: v.version, ready: true })
          : sendJson(res, 400, { error: `model '${v.model}' version ${v.version} is ${v.state.toLowerCase()}`, code: WorkerErrorCode.MODEL_NOT_READY });
      }
      if (rest.length === 1 && rest[0] === 'infer') {
        requireMethod(method, 'POST');
        return this.infer(req, res, model, version);
      }
    }
    throw new SwitchyardError(WorkerErrorCode.NOT_FOUND, 404, `no such endpoint: ${method} /v2/${parts.join('/')}`);
  }

  /**
   * The version to run on, READY. A request that reached the worker is served even while it
   * drains: it arrived on a connection that was busy at SIGTERM, and its answer closes it.
   */
  private readyVersion(model: string, version: string | undefined): LoadedVersion {
    const v = this.options.registry.resolve(model, version);
    if (v.state !== 'READY') throw modelNotReady(v.model, v.version, v.state.toLowerCase());
    return v;
  }

  /** Ends what inFlight++ began when a request was read. */
  private answered(): void {
    this.inFlight--;
  }

  /** A response closes when its connection does, so one listener sees a client that left mid-request. */
  private abortOnClose(res: ServerResponse): ClientGone {
    const gone = new ClientGone();
    // 'close' is emitted once per response, so `on` does what `once` would without its wrapper.
    res.on('close', abortIfUnfinished.bind(undefined, res, gone));
    return gone;
  }

  private async infer(req: IncomingMessage, res: ServerResponse, model: string, version: string | undefined): Promise<void> {
    const started = process.hrtime.bigint();
    let v: LoadedVersion | undefined;
    let status = 200;
    let body: Buffer | undefined;
    // Counted here rather than through a wrapping closure: every inference call comes this way.
    this.inFlight++;
    try {
      try {
        v = this.readyVersion(model, version);
        const header = req.headers[INFERENCE_HEADER_CONTENT_LENGTH];
        const jsonLength = header === undefined ? undefined : Number(header);
        // Binary tensors start right after the JSON header: the body is laid out so they are aligned.
        body = await readBody(req, this.maxBodyBytes, { alignAt: Number.isSafeInteger(jsonLength) ? jsonLength! : 0 });
        // Resolved again once the body is read: from here to the batcher's queue nothing awaits, so
        // a version that started unloading during the upload is not used, and the one used is not closed under it.
        v = this.readyVersion(model, version);
        const decoded = decodeInferRequest(body, jsonLength);
        const valid = validateRequest(v.model, decoded, v.signature, v.config.maxBatchSize);
        const outputs = await v.runner.infer(valid.inputs, valid.outputs, {
          timeoutMs: readTimeoutMs(decoded.parameters),
          priority: readPriority(decoded.parameters, v.config.dynamicBatching.priorityLevels),
          signal: this.abortOnClose(res),
        });
        const encoded = encodeInferResponse({ model_name: v.model, model_version: v.version, id: decoded.id }, outputs, binaryChoice(decoded));
        const headers: OutgoingHttpHeaders = {
          'content-type': encoded.jsonLength === undefined ? 'application/json' : 'application/octet-stream',
          'content-length': encoded.jsonLength === undefined ? Buffer.byteLength(encoded.body) : encoded.body.length,
          [MODEL_VERSION_HEADER]: v.version,
        };
        if (v.sha256 !== undefined) headers[MODEL_SHA256_HEADER] = v.sha256;
        if (encoded.jsonLength !== undefined) headers[INFERENCE_HEADER_CONTENT_LENGTH] = encoded.jsonLength;
        res.writeHead(200, headers);
        res.end(encoded.body);
      } catch (err) {
        status = this.answerError(req, res, err, model);
      } finally {
        // The input tensors viewed the body; the answer is encoded, so its buffer can serve the next request.
        releaseOwned(body);
      }
    } finally {
      this.answered();
    }
    this.observe(v, status, started);
  }

  private async predict(req: IncomingMessage, res: ServerResponse, model: string, version: string | undefined): Promise<void> {
    const started = process.hrtime.bigint();
    let v: LoadedVersion | undefined;
    let status = 200;
    this.inFlight++;
    try {
      try {
        v = this.readyVersion(model, version);
        const body = await readBody(req, this.maxBodyBytes);
        v = this.readyVersion(model, version);
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch (err) {
          throw badRequest(ProtocolErrorCode.INVALID_JSON, `the request body is not valid JSON: ${(err as Error).message}`);
        }
        const decoded = decodePredictRequest(json, v.signature);
        const valid = validateRequest(v.model, decoded, v.signature, v.config.maxBatchSize);
        const outputs = await v.runner.infer(valid.inputs, valid.outputs, { signal: this.abortOnClose(res) });
        // Without a batch dimension (maxBatchSize 0) the instances still travel as the first dimension.
        sendJson(res, 200, { predictions: encodePredictions(outputs, decoded.inputs[0]!.shape[0] ?? valid.rows), model_version: v.version }, provenanceHeaders(v));
      } catch (err) {
        status = this.answerError(req, res, err, model);
      }
    } finally {
      this.answered();
    }
    this.observe(v, status, started);
  }

  /** The error answer of an inference call; a client that left (mid-upload, or while its request waited) gets none (499, cancelled). */
  private answerError(req: IncomingMessage, res: ServerResponse, err: unknown, model: string): number {
    if ((req.destroyed && !req.complete) || res.destroyed) {
      res.destroy();
      return CLIENT_CLOSED_REQUEST;
    }
    const status = sendError(res, err, { close: err instanceof SwitchyardError && err.code === WorkerErrorCode.BODY_TOO_LARGE });
    if (!(err instanceof SwitchyardError)) this.options.log.error({ err, model }, 'inference failed');
    return status;
  }

  private observe(v: LoadedVersion | undefined, status: number, started: bigint): void {
    // Unknown models are counted under model="" so a scan of bad names cannot blow up label cardinality.
    const labels = v ? { model: v.model, version: v.version } : { model: '', version: '' };
    this.options.metrics.requests.labels(labels.model, labels.version, outcomeOf(status)).inc();
    this.options.metrics.requestSeconds.labels(labels.model, labels.version).observe(Number(process.hrtime.bigint() - started) / 1e9);
  }
}

/** Whether each output travels as binary: its own `binary_data`, else the request's `binary_data_output`. */
function binaryChoice(decoded: DecodedInferRequest): (name: string) => boolean {
  const fallback = decoded.binaryOutputs;
  if (decoded.outputs.length === 0) return () => fallback;
  return (name) => decoded.outputs.find((o) => o.name === name)?.binary ?? fallback;
}

/**
 * A drain began while `res` was being answered: its answer carries Connection: close, or, when
 * its head already went out with keep-alive, its connection is closed once the answer is sent
 * (the next turn, when the server counts the connection idle).
 */
function closeAfter(res: ServerResponse, server: Server): void {
  if (!res.headersSent) {
    res.shouldKeepAlive = false;
    return;
  }
  res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
}

/** The response closed before it was finished: the client left. */
function abortIfUnfinished(res: ServerResponse, gone: ClientGone): void {
  if (!res.writableFinished) gone.abort();
}

function decodePathSegment(segment: string, path: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(ProtocolErrorCode.INVALID_REQUEST, `the path ${path} has a malformed percent-encoding`);
  }
}

function requireMethod(method: string, allowed: string): void {
  if (method !== allowed) {
    throw new SwitchyardError(WorkerErrorCode.METHOD_NOT_ALLOWED, 405, `method ${method} is not allowed here; use ${allowed}`);
  }
}
