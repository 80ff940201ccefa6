import { parseArgs } from 'node:util';
import { ADMIN_TOKEN_ENV } from '../../gateway/admin/auth.js';
import { DEFAULT_ADMIN_PORT } from '../../gateway/config/defaults.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';

/** Where the CLI finds the admin API when --admin is not given. */
export const ADMIN_URL_ENV = 'SWITCHYARD_ADMIN_URL';
const DEFAULT_ADMIN_URL = `http://127.0.0.1:${DEFAULT_ADMIN_PORT}`;
const ACTIONS = ['status', 'promote', 'abort', 'pause', 'resume', 'switch'] as const;
type Action = (typeof ACTIONS)[number];

const usage = `Usage: switchyard rollout status|promote|abort|pause|resume|switch ROUTE [options]

Drives a route's rollout through the gateway's admin API.
  status    phase, step, weights, every analysis interval with its figures, and the history
  promote   canary to the next step now (--full: straight to 100 %)
  abort     canary to 0 % at once; stays aborted until the YAML changes or 'resume'
  pause     hold the weights; analysis still reports but acts on nothing
  resume    go on from a pause; after an abort or a failed golden gate, start again at the first step
  switch    blue-green: all traffic to the other colour (again: back); the previous colour stays warm

Options:
  --admin URL       admin API (default $${ADMIN_URL_ENV} or ${DEFAULT_ADMIN_URL})
  --reason TEXT     why (kept in the rollout's history)
  --full            with promote: straight to 100 %
  --json            print the admin API's JSON answer
  -h, --help        this text

Environment: ${ADMIN_TOKEN_ENV} (sent as the bearer token when set).
Exit codes: 0 done, 1 the gateway refused (the reason is printed), 2 usage.`;

export const rolloutCommand: Command = {
  name: 'rollout',
  summary: 'show and drive canary and blue-green rollouts (status, promote, abort, pause, resume, switch)',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { admin: { type: 'string' }, reason: { type: 'string' }, full: { type: 'boolean' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const [action, route, ...extra] = positionals;
    if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) {
      throw new UsageError(action === undefined ? 'an action is required' : `unknown action '${action}'; expected one of ${ACTIONS.join(', ')}`);
    }
    if (route === undefined) throw new UsageError(`${action}: the route name is required`);
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (values.full === true && action !== 'promote') throw new UsageError('--full goes with promote only');
    const base = (values.admin ?? process.env[ADMIN_URL_ENV] ?? DEFAULT_ADMIN_URL).replace(/\/+$/, '');
    const answer = await callAdmin(base, action as Action, route, { reason: values.reason, full: values.full });
    if (answer.status >= 400) {
      const body = answer.body as { error?: string; code?: string } | undefined;
      process.stderr.write(`switchyard rollout ${action}: ${body?.error ?? `HTTP ${answer.status}`}${body?.code === undefined ? '' : ` (${body.code})`}\n`);
      return 1;
    }
    process.stdout.write(values.json === true ? `${JSON.stringify(answer.body, null, 2)}\n` : renderStatus(answer.body as Record<string, unknown>));
    return 0;
  },
};

async function callAdmin(base: string, action: Action, route: string, options: { reason?: string; full?: boolean }): Promise<{ status: number; body: unknown }> {
  const token = process.env[ADMIN_TOKEN_ENV];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const name = encodeURIComponent(route);
  const url = action === 'status' ? `${base}/admin/rollouts/${name}`
    : action === 'switch' ? `${base}/admin/routes/${name}/switch`
    : `${base}/admin/rollouts/${name}/${action}`;
  const body = action === 'status' ? undefined : JSON.stringify({ ...(options.reason === undefined ? {} : { reason: options.reason }), ...(options.full === true ? { full: true } : {}) });
  let response: Response;
  try {
    response = await fetch(url, { method: action === 'status' ? 'GET' : 'POST', headers, body });
  } catch (err) {
    return { status: 599, body: { error: `cannot reach the admin API at ${base}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}; is the gateway running? (--admin URL)` } };
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: { error: text.slice(0, 300) } };
  }
}

interface Check { name: string; value: number | null; threshold: number; passed: boolean | null }
interface Figures { backend: string; requests: number; errorRate: number | null; p99Ms: number | null; classShares: Record<string, number> }
interface Analysis { at: string; weight: number; verdict: string; reason: string; checks: Check[]; canary: Figures; stable: Figures }
interface HistoryEvent { at: string; event: string; by: string; weight: number; reason: string }

/** The status as people read it: a header, the analyses as a table, the history. */
export function renderStatus(status: Record<string, unknown>): string {
  const lines: string[] = [];
  if (status.strategy !== 'canary') {
    // Blue-green (and switch answers: the route view).
    const target = (status.target ?? status) as { kind?: string; active?: string; preview?: string };
    lines.push(`route ${String(status.route ?? status.name)}: ${target.kind ?? status.strategy}`);
    if (target.active !== undefined) lines.push(`  active ${target.active}, preview ${target.preview} (warm)`);
    return lines.join('\n') + '\n';
  }
  const weights = status.weights as { stable: number; canary: number } | undefined;
  lines.push(`route ${String(status.route)}: canary ${String(status.canary)} over stable ${String(status.stable)}`);
  lines.push(`  phase    ${String(status.phase)}${status.reason === null ? '' : ` (${String(status.reason)})`}`);
  lines.push(`  weights  stable ${weights?.stable ?? '?'}%, canary ${weights?.canary ?? '?'}%   steps ${JSON.stringify(status.steps)}`);
  lines.push(`  failures ${String(status.failures)} in a row, inconclusive ${String(status.inconclusive)} in a row`);
  const analyses = (status.analyses ?? []) as Analysis[];
  if (analyses.length > 0) {
    lines.push('', 'analysis (oldest first):');
    lines.push(`  ${'ended'.padEnd(8)} ${'weight'.padStart(6)} ${'verdict'.padEnd(12)} ${'canary req'.padStart(10)} ${'err'.padStart(7)} ${'p99 ms'.padStart(8)}   checks`);
    for (const a of analyses) {
      const checks = a.checks.map((c) => `${c.name}=${fmt(c.value)}${c.passed === false ? '>' : c.passed === true ? '≤' : '?'}${c.threshold}`).join(' ');
      lines.push(`  ${a.at.slice(11, 19)} ${`${a.weight}%`.padStart(6)} ${a.verdict.padEnd(12)} ${String(a.canary.requests).padStart(10)} ${fmt(a.canary.errorRate).padStart(7)} ${fmt(a.canary.p99Ms).padStart(8)}   ${checks || a.reason}`);
    }
  }
  const history = (status.history ?? []) as HistoryEvent[];
  if (history.length > 0) {
    lines.push('', 'history:');
    for (const e of history) lines.push(`  ${e.at}  ${e.event.padEnd(13)} ${`${e.weight}%`.padStart(4)}  by ${e.by.padEnd(8)} ${e.reason}`);
  }
  return lines.join('\n') + '\n';
}

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '-';
  return Number.isInteger(x) ? String(x) : x.toPrecision(3);
}
