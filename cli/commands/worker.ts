import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../../observability/logger.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES } from '../../worker/server/http-server.js';
import { DEFAULT_WORKER_GRPC_PORT, DEFAULT_WORKER_HOST, DEFAULT_WORKER_HTTP_PORT, startWorker } from '../../worker/start-worker.js';
import { createModelRunner } from '../../worker/batching/model-runner.js';
import type { Command } from '../command.js';
import { CliError, UsageError } from '../command.js';
import { deviceSchema } from '../../worker/repository/model-config.js';
import { parsePort, serveUntilSignal } from '../process-signals.js';
import { MODEL_CONTROL_MODES, type ModelControlMode } from '../../worker/server/repository-api.js';
import { DEFAULT_REPOSITORY_POLL_SECONDS } from '../../worker/registry/repository-poller.js';
import { RedisJobStore } from '../../worker/jobs/redis-job-store.js';
import { WORKER_NODE_FLAGS, applyGcTriggers, maxSemiSpaceMb } from '../../worker/node-flags.js';
import { WORKER_TOKEN_ENV, workerExposureProblem } from '../../worker/server/control-auth.js';

const usage = `Usage: switchyard worker --models DIR [options]

Serves every model in a model repository (DIR/<name>/<version>/model.onnx) over the
Open Inference Protocol v2 (REST and gRPC) with dynamic batching. SIGTERM or Ctrl-C: stops
reporting ready and accepting connections, finishes in-flight requests (up to --drain-timeout)
and exits 0.

Options:
  --models DIR          model repository (required)
  --http-port N         REST port (default ${DEFAULT_WORKER_HTTP_PORT}; 0 picks a free port)
  --grpc-port N         gRPC port (default ${DEFAULT_WORKER_GRPC_PORT}, or 0 when --http-port is 0;
                        0 picks a free port)
  --host ADDR           address to listen on (default 0.0.0.0); off loopback the worker
                        starts only with ${WORKER_TOKEN_ENV} set
  --max-body-bytes N    largest request body in bytes (default ${DEFAULT_MAX_BODY_BYTES})
  --device D            cpu, cuda:N or tensorrt:N for models whose model.yaml names none (default cpu)
  --on-gpu-unavailable P  fallback (run on CPU, say why) or fail, when that GPU cannot be used
  --model-control M     none, explicit or poll (default explicit): explicit and poll accept
                        POST /v2/repository/models/{m}/load|unload; poll also re-reads the repository
  --repository-poll S   seconds between repository polls in poll mode (default ${DEFAULT_REPOSITORY_POLL_SECONDS})
  --jobs-redis URL      keep batch jobs in Redis (e.g. redis://127.0.0.1:6379), so a restarted worker
                        resumes them from the last finished chunk; default in memory
  --jobs-key-prefix P   prefix of the job keys in Redis (default switchyard:)
  --drain-timeout MS    longest wait for in-flight requests on SIGTERM (default ${DEFAULT_DRAIN_TIMEOUT_MS},
                        under Kubernetes' default 30 s grace period)
  -h, --help            this text

Environment: SWITCHYARD_LOG_LEVEL (default info); ${WORKER_TOKEN_ENV}: the bearer token that
load, unload and DELETE /v1/jobs/{id} require (docs/worker.md, "Control plane").
Node flags: start it with ${WORKER_NODE_FLAGS.join(' ')} on node's command line or in NODE_OPTIONS, as
\`switchyard up\` does: a young generation sized for request traffic. The worker sets V8's
full-GC triggers on itself (docs/worker.md, "Node flags").
Logs one line {"event":"listening","httpPort":N,"grpcPort":N,"maxSemiSpaceMb":N|null,
"gcTriggers":[flags]} on stdout once ready (JSON with --log-format json, the default when
stdout is not a terminal).`;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'serve a model repository over the Open Inference Protocol v2',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        models: { type: 'string' },
        'http-port': { type: 'string' },
        'grpc-port': { type: 'string' },
        host: { type: 'string' },
        'max-body-bytes': { type: 'string' },
        device: { type: 'string' },
        'on-gpu-unavailable': { type: 'string' },
        'model-control': { type: 'string' },
        'repository-poll': { type: 'string' },
        'jobs-redis': { type: 'string' },
        'jobs-key-prefix': { type: 'string' },
        'drain-timeout': { type: 'string' },
      },
      strict: true,
    });
    if (!values.models) throw new UsageError('--models DIR is required');
    const maxBodyBytes = values['max-body-bytes'] === undefined ? DEFAULT_MAX_BODY_BYTES : Number(values['max-body-bytes']);
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) throw new UsageError(`--max-body-bytes: expected a positive integer, received '${values['max-body-bytes']}'`);
    const httpPort = parsePort(values['http-port'], DEFAULT_WORKER_HTTP_PORT, '--http-port');
    // A caller that asks for a free HTTP port (tests, `switchyard up` replicas) gets a free gRPC port too, not a clash on 8001.
    const grpcPort = parsePort(values['grpc-port'], httpPort === 0 ? 0 : DEFAULT_WORKER_GRPC_PORT, '--grpc-port');
    const device = values.device;
    if (device !== undefined && !deviceSchema.safeParse(device).success) throw new UsageError(`--device: expected cpu, cuda:N or tensorrt:N, received '${device}'`);
    const onGpuUnavailable = values['on-gpu-unavailable'];
    if (onGpuUnavailable !== undefined && onGpuUnavailable !== 'fallback' && onGpuUnavailable !== 'fail') {
      throw new UsageError(`--on-gpu-unavailable: expected fallback or fail, received '${onGpuUnavailable}'`);
    }
    const modelControl = values['model-control'] ?? (values['repository-poll'] !== undefined ? 'poll' : 'explicit');
    if (!(MODEL_CONTROL_MODES as readonly string[]).includes(modelControl)) throw new UsageError(`--model-control: expected none, explicit or poll, received '${modelControl}'`);
    const repositoryPollSeconds = values['repository-poll'] === undefined ? DEFAULT_REPOSITORY_POLL_SECONDS : Number(values['repository-poll']);
    if (!(repositoryPollSeconds > 0)) throw new UsageError(`--repository-poll: expected a positive number of seconds, received '${values['repository-poll']}'`);
    const drainTimeoutMs = values['drain-timeout'] === undefined ? DEFAULT_DRAIN_TIMEOUT_MS : Number(values['drain-timeout']);
    if (!Number.isInteger(drainTimeoutMs) || drainTimeoutMs < 0) {
      throw new UsageError(`--drain-timeout: expected milliseconds as a whole number, received '${values['drain-timeout']}'`);
    }
    const modelsDir = resolve(values.models);
    if (!(await isDirectory(modelsDir))) throw new CliError(`--models: ${modelsDir} is not a directory; expected a model repository laid out as DIR/<name>/<version>/model.onnx (build one with 'switchyard models build --out DIR')`);
    // Said in one line before anything starts; startWorker enforces the same rule for embedders.
    const exposure = workerExposureProblem(values.host ?? DEFAULT_WORKER_HOST, process.env[WORKER_TOKEN_ENV] || undefined);
    if (exposure !== undefined) {
      process.stderr.write(`switchyard worker: ${exposure}\n`);
      return 1;
    }
    const log = createLogger('worker');
    const gcTriggers = applyGcTriggers();
    const semiSpaceMb = maxSemiSpaceMb();
    if (semiSpaceMb === undefined) {
      log.info({ nodeFlags: WORKER_NODE_FLAGS }, `V8's young generation is at its default size; under load a worker serves more with node ${WORKER_NODE_FLAGS.join(' ')} (see docs/worker.md, "Node flags")`);
    }
    const worker = await startWorker({
      modelsDir,
      httpPort,
      grpcPort,
      host: values.host,
      log,
      maxBodyBytes,
      createRunner: createModelRunner,
      deviceDefaults: { device, onGpuUnavailable },
      modelControl: modelControl as ModelControlMode,
      repositoryPollSeconds,
      drainTimeoutMs,
      jobStore: values['jobs-redis'] === undefined ? undefined : new RedisJobStore(values['jobs-redis'], values['jobs-key-prefix'] ?? 'switchyard:'),
    });
    log.info({ event: 'listening', httpPort: worker.httpPort, grpcPort: worker.grpcPort, maxSemiSpaceMb: semiSpaceMb ?? null, gcTriggers }, 'listening');
    return serveUntilSignal(log, () => worker.drain());
  },
};

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
