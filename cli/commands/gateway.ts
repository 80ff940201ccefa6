import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../../observability/logger.js';
import { ADMIN_TOKEN_ENV } from '../../gateway/admin/auth.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, startGateway } from '../../gateway/start-gateway.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parsePort, serveUntilSignal } from '../process-signals.js';

const usage = `Usage: switchyard gateway -c FILE [options]

Runs one gateway replica: routes, canaries, blue-green and experiments from the config,
hot-reloaded when the file changes. It starts no workers: a backend's pool needs
pools.NAME.endpoints (or run 'switchyard up'). SIGTERM or Ctrl-C: readiness fails,
in-flight requests finish (up to --drain-timeout), exit 0.

Options:
  -c, --config FILE       gateway config (required)
  --http-port N           override listeners.http.port (0 picks a free port)
  --admin-port N          override listeners.admin.port (0 picks a free port)
  --grpc-port N           override listeners.grpc.port (0 picks a free port)
  --drain-timeout MS      longest wait for in-flight requests on shutdown (default ${DEFAULT_DRAIN_TIMEOUT_MS})
  -h, --help              this text

Environment: ${ADMIN_TOKEN_ENV} (admin bearer token; required when the admin listener is
not on loopback), SWITCHYARD_LOG_LEVEL (default info).
Logs one line {"event":"listening","httpPort":N,"adminPort":N,"grpcPort":N} once up (JSON
with --log-format json, the default when stdout is not a terminal).`;

export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'run one gateway replica from a config file',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        'http-port': { type: 'string' },
        'admin-port': { type: 'string' },
        'grpc-port': { type: 'string' },
        'drain-timeout': { type: 'string' },
      },
      strict: true,
    });
    if (!values.config) throw new UsageError('-c FILE is required');
    const drainTimeoutMs = values['drain-timeout'] === undefined ? DEFAULT_DRAIN_TIMEOUT_MS : Number(values['drain-timeout']);
    if (!Number.isInteger(drainTimeoutMs) || drainTimeoutMs < 0) {
      throw new UsageError(`--drain-timeout: expected milliseconds as a whole number, received '${values['drain-timeout']}'`);
    }
    const log = createLogger('gateway');
    let gateway;
    try {
      gateway = await startGateway({
        configPath: resolve(values.config),
        log,
        httpPort: values['http-port'] === undefined ? undefined : parsePort(values['http-port'], 0, '--http-port'),
        adminPort: values['admin-port'] === undefined ? undefined : parsePort(values['admin-port'], 0, '--admin-port'),
        grpcPort: values['grpc-port'] === undefined ? undefined : parsePort(values['grpc-port'], 0, '--grpc-port'),
        drainTimeoutMs,
      });
    } catch (err) {
      if (err instanceof UsageError) throw err;
      process.stderr.write(`switchyard gateway: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    log.info({ event: 'listening', httpPort: gateway.httpPort, adminPort: gateway.adminPort, grpcPort: gateway.grpcPort, scheme: gateway.scheme }, 'listening');
    const running = gateway;
    return serveUntilSignal(log, () => running.drain());
  },
};
