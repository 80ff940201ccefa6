import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AREAS, NOTES_MARKER, previousSection, renderBenchmarks, renderSection } from '../../../../loadtest/bench/all.js';

describe('npm run bench: docs/BENCHMARKS.md', () => {
  it('runs every area in a fixed order', () => {
    assert.deepEqual(AREAS, ['worker', 'gateway', 'faults', 'experiments', 'grpc']);
  });

  it('renders a section with its command, date and machine', () => {
    const section = renderSection({ name: 'grpc', title: 'gRPC: unary against REST', command: 'npm run bench:grpc', notes: 'One worker.', markdown: '| a |\n|---|\n| 1 |', data: {}, date: '2026-11-24T21:00:00.000Z', machine: '2 × CPU' });
    assert.equal(section, '## gRPC: unary against REST\n\nCommand: `npm run bench:grpc` — run 2026-11-24T21:00:00.000Z on 2 × CPU.\n\nOne worker.\n\n| a |\n|---|\n| 1 |\n');
  });

  it('keeps everything from the notes marker on, and adds the marker when the file has none', () => {
    const existing = `# Benchmarks\n\nold figures\n\n${NOTES_MARKER}\n\n## Soak\n\nkept by hand\n`;
    const doc = renderBenchmarks(['## A\n'], existing, '2026-11-24 on here');
    assert.ok(doc.endsWith(`## A\n\n${NOTES_MARKER}\n\n## Soak\n\nkept by hand\n`), doc);
    assert.ok(!doc.includes('old figures'));
    assert.match(doc, /\nLast written 2026-11-24 on here\.\n/);
    assert.ok(renderBenchmarks([], '', 'x').endsWith(`\n${NOTES_MARKER}\n`));
  });

  it('finds the section an earlier run wrote for an area by its command, above the notes only', () => {
    const doc = `# Benchmarks\n\nintro\n\n## Worker: w\n\nCommand: \`npm run bench:worker\` — run d on m.\n\n| w |\n\n## Gateway: g\n\nCommand: \`npm run bench:gateway\` — run d on m.\n\n| g |\n\n${NOTES_MARKER}\n\n## Notes\n\nCommand: \`npm run bench:grpc\` mentioned in a note\n`;
    assert.equal(previousSection(doc, 'worker'), '## Worker: w\n\nCommand: `npm run bench:worker` — run d on m.\n\n| w |\n');
    assert.equal(previousSection(doc, 'gateway'), '## Gateway: g\n\nCommand: `npm run bench:gateway` — run d on m.\n\n| g |\n');
    assert.equal(previousSection(doc, 'grpc'), undefined);
  });
});
