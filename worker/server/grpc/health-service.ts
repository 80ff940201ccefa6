import type { ServerUnaryCall, ServerWritableStream, UntypedServiceImplementation, sendUnaryData } from '@grpc/grpc-js';
import { SwitchyardError } from '../../../protocol/errors.js';
import { INFERENCE_SERVICE_NAME } from '../../../protocol/grpc/load.js';
import type { HealthCheckRequestMessage, HealthCheckResponseMessage, ServingStatus } from '../../../protocol/grpc/messages.js';
import { toGrpcStatus } from '../../../protocol/grpc/status.js';
import { WorkerErrorCode } from '../../errors.js';

/** "" is the whole server; the inference service reports the same status. */
const KNOWN_SERVICES: ReadonlySet<string> = new Set(['', INFERENCE_SERVICE_NAME]);

interface Watcher {
  readonly call: ServerWritableStream<HealthCheckRequestMessage, HealthCheckResponseMessage>;
  readonly service: string;
  last: ServingStatus | undefined;
}

/**
 * grpc.health.v1.Health: SERVING while the worker is ready (every version loaded, not
 * draining), NOT_SERVING while it loads or drains. Watch sends the status at once and then
 * each change, which the server announces with changed().
 */
export class HealthReporter {
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly serving: () => boolean) {}

  statusOf(service: string): ServingStatus {
    if (!KNOWN_SERVICES.has(service)) return 'SERVICE_UNKNOWN';
    return this.serving() ? 'SERVING' : 'NOT_SERVING';
  }

  /** Sends the new status to every watcher whose status changed. */
  changed(): void {
    for (const w of this.watchers) this.send(w);
  }

  /** Ends every Watch call (OK), so the server can shut down. */
  endWatches(): void {
    for (const w of this.watchers) w.call.end();
    this.watchers.clear();
  }

  handlers(): UntypedServiceImplementation {
    return {
      Check: (call: ServerUnaryCall<HealthCheckRequestMessage, HealthCheckResponseMessage>, callback: sendUnaryData<HealthCheckResponseMessage>) => {
        const service = call.request.service ?? '';
        const status = this.statusOf(service);
        if (status === 'SERVICE_UNKNOWN') {
          const known = [...KNOWN_SERVICES].map((s) => `'${s}'`).join(' and ');
          callback(toGrpcStatus(new SwitchyardError(WorkerErrorCode.NOT_FOUND, 404, `unknown service '${service}'; this server reports ${known}`)));
          return;
        }
        callback(null, { status });
      },
      Watch: (call: ServerWritableStream<HealthCheckRequestMessage, HealthCheckResponseMessage>) => {
        const watcher: Watcher = { call, service: call.request.service ?? '', last: undefined };
        this.watchers.add(watcher);
        call.once('cancelled', () => this.watchers.delete(watcher));
        this.send(watcher);
      },
    };
  }

  private send(w: Watcher): void {
    const status = this.statusOf(w.service);
    if (status === w.last) return;
    w.last = status;
    w.call.write({ status });
  }
}
