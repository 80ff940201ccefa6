import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ADMIN_OPTIONS_USAGE, adminClient } from '../admin-client.js';
import type { Command } from '../command.js';
import { CliError, UsageError } from '../command.js';
import { renderList, renderStatus, renderWeights } from '../rollout-render.js';
import { watchRollout, type WatchedStatus } from '../rollout-watch.js';

const ACTIONS = ['list', 'status', 'set-weight', 'promote', 'abort', 'pause', 'resume', 'switch'] as const;
type Action = (typeof ACTIONS)[number];
/** Seconds between status polls of --watch. */
const DEFAULT_WATCH_INTERVAL_S = 2;

const usage = `Usage: switchyard rollout list [options]
       switchyard rollout status ROUTE [--watch [--interval S] [--timeout S]] [options]
       switchyard rollout set-weight ROUTE PERCENT [options]
       switchyard rollout promote|abort|pause|resume|switch ROUTE [options]

Shows and drives rollouts through the gateway's admin API.
  list        every canary and blue-green route: phase and traffic
  status      phase, step, weights, every analysis interval with its figures, and the history;
              with --watch, follows the rollout until it ends (for a terminal or a CI gate)
  set-weight  put PERCENT (0-100) of the route's traffic on the canary now (an operator's
              override, shown as such, until the YAML changes); for canaries without steps:
              a canary with steps is moved by promote, abort, pause and resume
  promote     canary to the next step now (--full: straight to 100 %)
  abort       canary to 0 % at once; stays aborted until the YAML changes or 'resume'
  pause       hold the weights; analysis still reports but acts on nothing
  resume      go on from a pause; after an abort or a failed golden gate, start again at the first step
  switch      blue-green: all traffic to the other colour (again: back); the previous colour stays warm

Options:
  --watch           with status: print each rollout event as it happens until the rollout ends
  --interval S      with --watch: seconds between polls (default ${DEFAULT_WATCH_INTERVAL_S})
  --timeout S       with --watch: give up after S seconds (default: wait as long as it takes)
  --reason TEXT     why (kept in the rollout's history)
  --full            with promote: straight to 100 %
  --json            print the admin API's JSON answer
${ADMIN_OPTIONS_USAGE}
  -h, --help        this text

Environment: SWITCHYARD_ADMIN_URL, SWITCHYARD_ADMIN_TOKEN (see --admin and --token).
Exit codes: 0 done, 1 the gateway refused or could not be reached (the reason is printed), 2 usage.
With status --watch: 0 promoted, or nothing in progress (blue-green, a canary without steps);
3 aborted or blocked by the golden gate; 4 --timeout passed first. A paused rollout is
watched on until someone resumes or aborts it.`;

export const rolloutCommand: Command = {
  name: 'rollout',
  summary: 'list, watch and drive canary and blue-green rollouts (list, status [--watch], set-weight, promote, abort, pause, resume, switch)',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        admin: { type: 'string' }, token: { type: 'string' }, reason: { type: 'string' }, full: { type: 'boolean' }, json: { type: 'boolean' },
        watch: { type: 'boolean' }, interval: { type: 'string' }, timeout: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
    const [action, route, ...extra] = positionals;
    if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) {
      throw new UsageError(action === undefined ? 'an action is required' : `unknown action '${action}'; expected one of ${ACTIONS.join(', ')}`);
    }
    const client = adminClient(values);
    const write = (text: string): void => void process.stdout.write(text);
    if (action === 'list') {
      if (route !== undefined) throw new UsageError(`unexpected argument '${route}'`);
      const answer = await client.get('/admin/rollouts');
      write(values.json === true ? `${JSON.stringify(answer, null, 2)}\n` : renderList(answer as Parameters<typeof renderList>[0]));
      return 0;
    }
    if (route === undefined) throw new UsageError(`${action}: the route name is required`);
    const name = encodeURIComponent(route);
    if (action === 'set-weight') {
      const percent = parsePercent(extra[0]);
      if (extra.length > 1) throw new UsageError(`unexpected argument '${extra[1]}'`);
      await refuseStepped(client, route, name);
      const view = await client.post(`/admin/routes/${name}/weights`, { canary: percent });
      write(values.json === true ? `${JSON.stringify(view, null, 2)}\n` : renderWeights(view as Parameters<typeof renderWeights>[0]));
      return 0;
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (values.full === true && action !== 'promote') throw new UsageError('--full goes with promote only');
    if ((values.interval !== undefined || values.timeout !== undefined) && values.watch !== true) throw new UsageError('--interval and --timeout go with status --watch');
    if (action === 'status' && values.watch === true) {
      return watchRollout({
        fetchStatus: async () => (await client.get(`/admin/rollouts/${name}`)) as WatchedStatus,
        write,
        sleep: (ms) => sleep(ms),
        now: () => Date.now(),
      }, { intervalMs: parseSeconds('--interval', values.interval ?? String(DEFAULT_WATCH_INTERVAL_S)) * 1000, timeoutMs: values.timeout === undefined ? undefined : parseSeconds('--timeout', values.timeout) * 1000 });
    }
    if (values.watch === true) throw new UsageError('--watch goes with status only');
    const answer = await send(client, action as Exclude<Action, 'list' | 'set-weight'>, name, { reason: values.reason, full: values.full });
    write(values.json === true ? `${JSON.stringify(answer, null, 2)}\n` : renderStatus(answer as Record<string, unknown>));
    return 0;
  },
};

function send(client: ReturnType<typeof adminClient>, action: 'status' | 'promote' | 'abort' | 'pause' | 'resume' | 'switch', name: string, options: { reason?: string; full?: boolean }): Promise<unknown> {
  if (action === 'status') return client.get(`/admin/rollouts/${name}`);
  const body = { ...(options.reason === undefined ? {} : { reason: options.reason }), ...(options.full === true ? { full: true } : {}) };
  return client.post(action === 'switch' ? `/admin/routes/${name}/switch` : `/admin/rollouts/${name}/${action}`, body);
}

/**
 * A canary with steps belongs to its rollout controller, which writes the step's weight back at
 * its next tick: a weight set by hand would be undone within seconds, so say so instead.
 */
async function refuseStepped(client: ReturnType<typeof adminClient>, route: string, name: string): Promise<void> {
  const status = (await client.get(`/admin/rollouts/${name}`)) as { strategy?: string; phase?: string };
  if (status.strategy === 'canary' && status.phase !== 'manual') {
    throw new CliError(`route '${route}' is driven by its rollout's steps (phase ${String(status.phase)}), which set the canary's weight at every interval and would undo this one; use promote, abort or pause, or remove steps: from the route to set weights by hand`);
  }
}

function parsePercent(value: string | undefined): number {
  if (value === undefined) throw new UsageError('set-weight: the canary\'s PERCENT is required, as in: switchyard rollout set-weight fraud 30');
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`set-weight: expected a percentage from 0 to 100, received '${value}'`);
  return n;
}

function parseSeconds(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag}: expected a positive number of seconds, received '${value}'`);
  return n;
}

