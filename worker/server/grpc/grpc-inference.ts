import { SwitchyardError } from '../../../protocol/errors.js';
import { decodeGrpcInferRequest } from '../../../protocol/grpc/infer-request.js';
import { encodeGrpcInferResponse } from '../../../protocol/grpc/infer-response.js';
import type { ModelInferRequestMessage, ModelInferResponseMessage } from '../../../protocol/grpc/messages.js';
import type { Logger } from '../../../observability/logger.js';
import { modelNotReady, shuttingDown } from '../../errors.js';
import type { ModelRegistry } from '../../registry/model-registry.js';
import type { LoadedVersion } from '../../registry/types.js';
import type { WorkerMetrics } from '../metrics.js';
import { validateRequest } from '../validate.js';
import type { InFlight } from './in-flight.js';
import { outcomeOf, readPriority, readTimeoutMs } from '../infer-options.js';

export interface GrpcInferenceDeps {
  readonly registry: ModelRegistry;
  readonly metrics: WorkerMetrics;
  readonly log: Logger;
  readonly inFlight: InFlight;
  readonly isDraining: () => boolean;
}

/**
 * One inference request over gRPC, unary or from a stream, through the same steps as REST:
 * refuse while draining or while the version is not ready, decode, validate against the
 * model, run on the version's batcher, encode; counted in the same metrics with the same
 * outcome labels. Rejects with the SwitchyardError REST would answer with.
 */
export class GrpcInference {
  constructor(private readonly deps: GrpcInferenceDeps) {}

  /** In flight until counted in the metrics, so a drain (or a test) that waits for idle sees the count. */
  run(message: ModelInferRequestMessage, signal: AbortSignal): Promise<ModelInferResponseMessage> {
    return this.deps.inFlight.track(() => this.runCounted(message, signal));
  }

  private async runCounted(message: ModelInferRequestMessage, signal: AbortSignal): Promise<ModelInferResponseMessage> {
    const started = process.hrtime.bigint();
    let version: LoadedVersion | undefined;
    let status = 200;
    try {
      const v = (version = this.servable(message.model_name ?? '', message.model_version ? message.model_version : undefined));
      const decoded = decodeGrpcInferRequest(message);
      const valid = validateRequest(v.model, decoded, v.signature, v.config.maxBatchSize);
      const outputs = await v.runner.infer(valid.inputs, valid.outputs, {
        timeoutMs: readTimeoutMs(decoded.parameters),
        priority: readPriority(decoded.parameters, v.config.dynamicBatching.priorityLevels),
        signal,
      });
      return encodeGrpcInferResponse({ model_name: v.model, model_version: v.version, id: decoded.id }, outputs, { raw: decoded.raw });
    } catch (err) {
      status = err instanceof SwitchyardError ? err.status : 500;
      if (!(err instanceof SwitchyardError)) this.deps.log.error({ err, model: message.model_name }, 'inference failed');
      throw err;
    } finally {
      this.observe(version, status, started);
    }
  }

  private servable(model: string, version: string | undefined): LoadedVersion {
    if (this.deps.isDraining()) throw shuttingDown();
    const v = this.deps.registry.resolve(model, version);
    if (v.state !== 'READY') throw modelNotReady(v.model, v.version, v.state.toLowerCase());
    return v;
  }

  private observe(v: LoadedVersion | undefined, status: number, started: bigint): void {
    // Unknown models are counted under model="" so a scan of bad names cannot blow up label cardinality.
    const labels = v ? { model: v.model, version: v.version } : { model: '', version: '' };
    this.deps.metrics.requests.labels(labels.model, labels.version, outcomeOf(status)).inc();
    this.deps.metrics.requestSeconds.labels(labels.model, labels.version).observe(Number(process.hrtime.bigint() - started) / 1e9);
  }
}
