import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryTrends, parseMemory } from '../../../../loadtest/harness/memory.js';

describe('memory from /metrics', () => {
  it('reads RSS and used heap whatever the prefix', () => {
    const text = [
      '# HELP switchyard_worker_process_resident_memory_bytes Resident memory size in bytes.',
      'switchyard_worker_process_resident_memory_bytes 123456789',
      'switchyard_worker_nodejs_heap_size_used_bytes 2.5e7',
      'switchyard_worker_nodejs_heap_size_total_bytes 9',
    ].join('\n');
    assert.deepEqual(parseMemory(text), { rssBytes: 123456789, heapUsedBytes: 25000000 });
    const missing = parseMemory('process_resident_memory_bytes 10\n');
    assert.equal(missing.rssBytes, 10);
    assert.ok(Number.isNaN(missing.heapUsedBytes));
  });

  it('fits the slope after warm-up, in MiB per minute', () => {
    const MiB = 2 ** 20;
    // 100 MiB during warm-up, then 200 MiB growing 1 MiB every 10 s (6 MiB/min); heap flat.
    const samples = [0, 10, 20, 30, 40, 50].map((atS) => ({ atS, process: 'gateway', rssBytes: (atS < 20 ? 100 : 200 + (atS - 20) / 10) * MiB, heapUsedBytes: 30 * MiB }));
    const [trend] = memoryTrends(samples, 20);
    assert.equal(trend!.samples, 4);
    assert.ok(Math.abs(trend!.rssMiBPerMin - 6) < 1e-9, String(trend!.rssMiBPerMin));
    assert.ok(Math.abs(trend!.heapMiBPerMin) < 1e-9);
    assert.equal(trend!.rssFirstMiB, 200);
    assert.equal(trend!.rssLastMiB, 203);
  });
});
