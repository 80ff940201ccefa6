/**
 * `npm run bench [-- AREA...]`: every area's benchmark in sequence, each in its own process
 * (so one cannot warm or load the next), then docs/BENCHMARKS.md written from their saved
 * reports, with the machine, date and command of each. An area whose script is not there yet
 * is skipped; one that fails keeps its last report. The interface: ./section.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, REPORTS_DIR } from './report.js';
import type { SavedSection } from './section.js';

/** Every area, in the order they run and appear in docs/BENCHMARKS.md. */
export const AREAS = ['worker', 'gateway', 'faults', 'experiments', 'grpc'] as const;

export const NOTES_MARKER = '<!-- notes below are kept across runs -->';

const here = fileURLToPath(new URL('.', import.meta.url));

/** One area's section of docs/BENCHMARKS.md from its saved report. */
export function renderSection(report: SavedSection): string {
  return [`## ${report.title}`, '', `Command: \`${report.command}\` — run ${report.date} on ${report.machine}.`, '', report.notes, '', report.markdown, ''].join('\n');
}

/** The whole document: the generated part, then whatever `existing` has from the marker on. */
export function renderBenchmarks(sections: readonly string[], existing: string, written: string): string {
  const head = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` from the reports under loadtest/reports/. Every figure is compared',
    'with a baseline measured in the same run on the same machine; absolute numbers move with the',
    'machine, the ratios are what to compare. The machine these ran on is shared (2 cores), so',
    'expect a few percent of noise between runs.',
    '',
    `Last written ${written}.`,
    '',
    ...sections,
  ].join('\n');
  const kept = existing.includes(NOTES_MARKER) ? existing.slice(existing.indexOf(NOTES_MARKER)) : `${NOTES_MARKER}\n`;
  return head + '\n' + kept;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const areas = only.length > 0 ? AREAS.filter((a) => only.includes(a)) : AREAS;
  for (const area of areas) {
    const script = join(here, `${area}.js`);
    if (!existsSync(script)) {
      process.stderr.write(`[bench] ${area}: no loadtest/bench/${area}.ts yet, skipped\n`);
      continue;
    }
    process.stderr.write(`[bench] ${area}: node ${script}\n`);
    const r = spawnSync(process.execPath, [script], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) process.stderr.write(`[bench] ${area} failed with exit code ${r.status}; its section keeps the last report\n`);
  }
  const sections: string[] = [];
  for (const area of AREAS) {
    const report = await readFile(join(REPORTS_DIR, `${area}.json`), 'utf8').then((t) => JSON.parse(t) as SavedSection, () => undefined);
    // Reports from before the section interface carry no title; they are rewritten on the next run.
    if (report?.title) sections.push(renderSection(report));
  }
  const path = resolve('docs', 'BENCHMARKS.md');
  const existing = await readFile(path, 'utf8').catch(() => '');
  await writeFile(path, renderBenchmarks(sections, existing, `${new Date().toISOString()} on ${machine()}`));
  process.stderr.write(`[bench] wrote ${path}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
