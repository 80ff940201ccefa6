/** How `switchyard rollout` shows the admin API's answers to people. */

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

interface RolloutBrief { route: string; strategy: string; phase?: string; weights?: { stable: number; canary: number }; reason?: string | null; target?: { kind?: string; active?: string; preview?: string } }

/** GET /admin/rollouts as a table: one route per line. */
export function renderList(answer: { rollouts: RolloutBrief[] }): string {
  if (answer.rollouts.length === 0) return 'no route has a rollout (canary or blue-green)\n';
  const rows = answer.rollouts.map((r) => [r.route, r.strategy, r.phase ?? '-', traffic(r), r.reason ?? '']);
  const header = ['ROUTE', 'STRATEGY', 'PHASE', 'TRAFFIC', 'REASON'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

function traffic(r: RolloutBrief): string {
  if (r.weights !== undefined) return `stable ${r.weights.stable}% canary ${r.weights.canary}%`;
  if (r.target?.active !== undefined) return `active ${r.target.active}, preview ${String(r.target.preview)}`;
  return '-';
}

/** The route view POST /admin/routes/ROUTE/weights answers, in one line. */
export function renderWeights(view: { name: string; target: { kind: string; weights?: Record<string, number>; overridden?: boolean } }): string {
  const weights = Object.entries(view.target.weights ?? {}).map(([name, w]) => `${name} ${w}%`).join(', ');
  return `route ${view.name}: ${view.target.kind} weights ${weights}${view.target.overridden === true ? ' (set by hand)' : ''}\n`;
}
