/**
 * The shape every area's benchmark follows, so `npm run bench` can run them all and write
 * docs/BENCHMARKS.md. A benchmark is one file in loadtest/bench/ that
 *   1. exports `run(argv): Promise<BenchSection>` (argv: its own options, e.g. --seconds), and
 *   2. ends with `runIfMain(import.meta.url, run, USAGE)`, so `node dist/loadtest/bench/<name>.js`
 *      runs it alone, saves loadtest/reports/<name>.json and prints its Markdown.
 * all.ts starts each one in its own process (one area cannot warm or load the next) and reads
 * the saved JSON back. See loadtest/README.md.
 */
import { fileURLToPath } from 'node:url';
import { saveReport } from './report.js';

export interface BenchSection {
  /** The area's id: worker, gateway, faults, experiments, grpc. Also the report's file name. */
  readonly name: string;
  /** Its heading in docs/BENCHMARKS.md. */
  readonly title: string;
  /** How to run this area alone, e.g. `npm run bench:worker`. */
  readonly command: string;
  /** What is measured and against which baseline, one paragraph. */
  readonly notes: string;
  /** The figures as Markdown (tables, ratios against their targets). */
  readonly markdown: string;
  /** The same figures for machines, kept in the JSON report. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** What a saved report holds: the section plus when and where it ran. */
export interface SavedSection extends BenchSection {
  readonly date: string;
  readonly machine: string;
}

export type BenchRun = (argv: readonly string[]) => Promise<BenchSection>;

/**
 * When `moduleUrl` is the process's entry point: prints `usage` for --help, else runs the
 * benchmark, saves its report and prints its Markdown; exit code 1 when it throws.
 */
export function runIfMain(moduleUrl: string, run: BenchRun, usage: string): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage + '\n');
    return;
  }
  run(argv)
    .then(async (section) => {
      process.stdout.write(section.markdown + '\n');
      const path = await saveReport(section.name, { ...section.data, title: section.title, command: section.command, notes: section.notes, markdown: section.markdown });
      process.stderr.write(`[bench:${section.name}] wrote ${path}\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    });
}
