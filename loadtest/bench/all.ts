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

/**
 * The section an earlier run wrote for `area`, from the generated part of `existing` (above the
 * notes marker), found by its command line; so running some areas keeps the others' figures.
 */
export function previousSection(existing: string, area: string): string | undefined {
  const generated = existing.includes(NOTES_MARKER) ? existing.slice(0, existing.indexOf(NOTES_MARKER)) : existing;
  const blocks = generated.split(/^(?=## )/m).filter((b) => b.startsWith('## '));
  const found = blocks.find((b) => b.includes(`Command: \`npm run bench:${area}\``));
  return found === undefined ? undefined : found.replace(/\n+$/, '\n');
}

/** The whole document: the generated part, then whatever `existing` has from the marker on. */
export function renderBenchmarks(sections: readonly string[], existing: string, written: string): string {
  const head = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` from the reports under loadtest/reports/. Every figure is compared',
    'with a baseline measured in the same run on the same machine; absolute numbers move with the',
    'machine, the ratios are what to compare. The machine these ran on is a shared 2-core VM whose',
    'speed drifts by up to about 20 % within a minute, so where a ratio matters the paths are',
    'measured in alternating rounds and the median of the per-round ratios is reported.',
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
  const path = resolve('docs', 'BENCHMARKS.md');
  const existing = await readFile(path, 'utf8').catch(() => '');
  const sections: string[] = [];
  for (const area of AREAS) {
    const report = await readFile(join(REPORTS_DIR, `${area}.json`), 'utf8').then((t) => JSON.parse(t) as SavedSection, () => undefined);
    // No report here (or one from before the section interface, without a title): keep what
    // the document already says for that area.
    const section = report?.title ? renderSection(report) : previousSection(existing, area);
    if (section !== undefined) sections.push(section);
  }
  await writeFile(path, renderBenchmarks(sections, existing, `${new Date().toISOString()} on ${machine()}`));
  process.stderr.write(`[bench] wrote ${path}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
