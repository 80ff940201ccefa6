import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, logFormat } from '../../observability/logger.js';
import { describeTarget } from '../../gateway/config/summary.js';
import { loadConfig } from '../../gateway/config/load.js';
import { StackStartError, startStack } from '../../stack/start-stack.js';
import { DEFAULT_DEMO_RPS, startDemoTraffic } from '../../stack/demo-traffic.js';
import { tryCommand } from '../../stack/try-command.js';
import { CliError, UsageError } from '../command.js';
import type { Command } from '../command.js';
import { parsePort, serveUntilSignal } from '../process-signals.js';

export const DEFAULT_STACK_CONFIG = 'config/switchyard.yaml';

const usage = `Usage: switchyard up [-c FILE] [--http-port N] [--admin-port N] [--grpc-port N]

Runs the embedded stack: builds the demo models if the pool's repository is empty, starts
the worker pools the config declares, then the gateway. State stays in memory unless the
config sets store.redis. Ctrl-C (or SIGTERM) drains the gateway, then the workers.

Options:
  -c, --config FILE   gateway config (default ${DEFAULT_STACK_CONFIG})
  --http-port N       override listeners.http.port (0 picks a free port)
  --admin-port N      override listeners.admin.port (0 picks a free port)
  --grpc-port N       override listeners.grpc.port (0 picks a free port)
  --demo-traffic[=RPS] also send a steady load of fraud transactions to the fraud route
                      (default ${DEFAULT_DEMO_RPS} requests/s), so its canary analysis has traffic to judge
  -h, --help          this text

The banner (addresses, routes, a command to try) goes to stdout with pretty logs and to stderr
with JSON logs (--log-format json, or stdout not a terminal), so stdout stays JSON lines.`;

export const upCommand: Command = {
  name: 'up',
  summary: 'run the whole stack on this machine: worker pools and the gateway (npm start)',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      options: { config: { type: 'string', short: 'c' }, 'http-port': { type: 'string' }, 'admin-port': { type: 'string' }, 'grpc-port': { type: 'string' }, 'demo-traffic': { type: 'string' } },
      strict: true,
      // --demo-traffic alone means the default rate.
      args: argv.map((a) => (a === '--demo-traffic' ? `--demo-traffic=${DEFAULT_DEMO_RPS}` : a)),
    });
    const demoRps = values['demo-traffic'] === undefined ? undefined : Number(values['demo-traffic']);
    if (demoRps !== undefined && !(demoRps > 0 && demoRps <= 1000)) throw new UsageError(`--demo-traffic: expected requests per second from 1 to 1000, received '${values['demo-traffic']}'`);
    const configPath = resolve(values.config ?? DEFAULT_STACK_CONFIG);
    const log = createLogger('switchyard');
    const stack = await startStack({
      configPath,
      log,
      httpPort: values['http-port'] === undefined ? undefined : parsePort(values['http-port'], 0, '--http-port'),
      adminPort: values['admin-port'] === undefined ? undefined : parsePort(values['admin-port'], 0, '--admin-port'),
      grpcPort: values['grpc-port'] === undefined ? undefined : parsePort(values['grpc-port'], 0, '--grpc-port'),
    }).catch((err: unknown) => {
      throw err instanceof StackStartError ? new CliError(err.message) : err;
    });
    const loaded = await loadConfig(configPath);
    const { httpPort, adminPort, grpcPort } = stack.gateway;
    const example = loaded.ok ? tryCommand(loaded.config, httpPort) : undefined;
    const lines = [
      '',
      'Switchyard is up.',
      `  gateway  http://127.0.0.1:${httpPort}`,
      `  grpc     127.0.0.1:${grpcPort}   (inference.GRPCInferenceService, grpc.health.v1.Health)`,
      `  admin    http://127.0.0.1:${adminPort}   (dashboard at /, /admin/routes, /v1/experiments, /metrics)`,
      ...[...stack.workers].map(([pool, ws]) => `  pool ${pool.padEnd(4)} ${ws.map((w) => w.url).join(' ')}`),
      ...(loaded.ok ? loaded.config.routes.map((r) => `  route ${r.name}: ${describeTarget(r)}`) : []),
      '',
      ...(example === undefined ? [] : ['Try:', `  ${example}`, '']),
      'Ctrl-C stops everything.',
      '',
    ];
    // With JSON logs stdout carries JSON lines only, so `| jq` works: people's text goes to stderr.
    const banner = logFormat() === 'json' ? process.stderr : process.stdout;
    banner.write(lines.join('\n') + '\n');
    log.info({ event: 'listening', httpPort, adminPort, grpcPort, workers: Object.fromEntries([...stack.workers].map(([p, ws]) => [p, ws.map((w) => w.url)])) }, 'stack up');
    const traffic = demoRps === undefined ? undefined : startDemoTraffic(`http://127.0.0.1:${httpPort}`, demoRps, log);
    if (traffic !== undefined) banner.write(`Demo traffic: ${demoRps} fraud requests/s. Watch the canary: switchyard rollout status fraud --watch --admin http://127.0.0.1:${adminPort}\n  or the dashboard: http://127.0.0.1:${adminPort}/\n\n`);
    return serveUntilSignal(log, async () => {
      await traffic?.stop();
      await stack.stop();
    }, 'stopping: draining the gateway, then the workers');
  },
};
