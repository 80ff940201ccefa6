import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { ConfigError } from '../../../../gateway/config/errors.js';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { loadConfig } from '../../../../gateway/config/load.js';
import type { AppliedConfig, ConfigWatcher } from '../../../../gateway/config/watch.js';
import { ConfigCompileError, watchConfig } from '../../../../gateway/config/watch.js';

const configFor = (backend: string): string =>
  `backends:\n  a: { endpoints: [http://127.0.0.1:9001] }\n  b: { endpoints: [http://127.0.0.1:9002] }\nroutes:\n  - { name: r, match: { pathPrefix: / }, backend: ${backend} }\n`;

type Event = { kind: 'apply'; applied: AppliedConfig<string> } | { kind: 'error'; errors: readonly ConfigError[] };

/** Callbacks feed a queue; `next()` awaits the next event, so tests wait on events, not time. */
function eventQueue(): { push: (e: Event) => void; next: () => Promise<Event> } {
  const events: Event[] = [];
  const waiters: Array<(e: Event) => void> = [];
  return {
    push: (e) => (waiters.length > 0 ? waiters.shift()!(e) : events.push(e)),
    next: () => (events.length > 0 ? Promise.resolve(events.shift()!) : new Promise((resolve) => waiters.push(resolve))),
  };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Starts watching `file` (already holding configFor('a')) the way the gateway does after start-up. */
async function start(file: string, compile: (backend: string) => string = (b) => `compiled:${b}`) {
  const initial = await loadConfig(file);
  assert.ok(initial.ok);
  const queue = eventQueue();
  const watcher: ConfigWatcher = watchConfig<string>({
    file,
    current: initial.source,
    debounceMs: 10,
    compile: (config) => compile(config.routes[0]!.backend!),
    onApply: (applied) => queue.push({ kind: 'apply', applied }),
    onError: (errors) => queue.push({ kind: 'error', errors }),
  });
  cleanups.push(() => watcher.close());
  return { watcher, next: queue.next, initialHash: initial.source.hash };
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-watch-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function expectOneApply(watcher: ConfigWatcher, next: () => Promise<Event>, compiled: string): Promise<void> {
  const event = await next();
  assert.equal(event.kind, 'apply');
  assert.equal(event.kind === 'apply' && event.applied.compiled, compiled);
  // A forced re-read of the same text must not apply again: the hash is unchanged.
  await watcher.reload();
  assert.equal(watcher.state().applied, 1);
}

describe('watchConfig', () => {
  it('applies a file rewritten in place, once', async () => {
    const file = path.join(tempDir(), 'switchyard.yaml');
    writeFileSync(file, configFor('a'));
    const { watcher, next } = await start(file);
    writeFileSync(file, configFor('b'));
    await expectOneApply(watcher, next, 'compiled:b');
  });

  it('applies a file replaced by an atomic rename, once', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'switchyard.yaml');
    writeFileSync(file, configFor('a'));
    const { watcher, next } = await start(file);
    writeFileSync(path.join(dir, '.switchyard.yaml.tmp'), configFor('b'));
    renameSync(path.join(dir, '.switchyard.yaml.tmp'), file);
    await expectOneApply(watcher, next, 'compiled:b');
  });

  it('applies a Kubernetes ConfigMap swap of the ..data symlink, once', async () => {
    const dir = tempDir();
    // The layout kubelet writes: the file is a symlink through ..data to a timestamped directory.
    mkdirSync(path.join(dir, '..2026_11_24_10_00_00.1'));
    writeFileSync(path.join(dir, '..2026_11_24_10_00_00.1', 'switchyard.yaml'), configFor('a'));
    symlinkSync('..2026_11_24_10_00_00.1', path.join(dir, '..data'));
    symlinkSync('..data/switchyard.yaml', path.join(dir, 'switchyard.yaml'));
    const { watcher, next } = await start(path.join(dir, 'switchyard.yaml'));

    mkdirSync(path.join(dir, '..2026_11_24_10_05_00.2'));
    writeFileSync(path.join(dir, '..2026_11_24_10_05_00.2', 'switchyard.yaml'), configFor('b'));
    symlinkSync('..2026_11_24_10_05_00.2', path.join(dir, '..data_tmp'));
    renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    rmSync(path.join(dir, '..2026_11_24_10_00_00.1'), { recursive: true });
    await expectOneApply(watcher, next, 'compiled:b');
  });

  it('refuses a bad file with line and column, keeps the last good one, and recovers', async () => {
    const file = path.join(tempDir(), 'switchyard.yaml');
    writeFileSync(file, configFor('a'));
    const { watcher, next, initialHash } = await start(file);
    writeFileSync(file, configFor('c'));
    const refused = await next();
    assert.equal(refused.kind, 'error');
    assert.deepEqual(refused.kind === 'error' && refused.errors.map((e) => formatConfigError(e)), [
      `${file}:5:51: routes[0].backend: backend 'c' is not defined; defined backends: a, b`,
    ]);
    assert.equal(watcher.state().lastGoodHash, initialHash);
    assert.equal(watcher.state().lastErrors.length, 1);
    assert.equal(watcher.state().rejected, 1);

    writeFileSync(file, configFor('b'));
    const applied = await next();
    assert.equal(applied.kind === 'apply' && applied.applied.compiled, 'compiled:b');
    assert.deepEqual(watcher.state().lastErrors, []);
    assert.notEqual(watcher.state().lastGoodHash, initialHash);
  });

  it('refuses a config its compile step rejects, at the blamed path', async () => {
    const file = path.join(tempDir(), 'switchyard.yaml');
    writeFileSync(file, configFor('a'));
    const { watcher, next } = await start(file, (backend) => {
      if (backend === 'b') throw new ConfigCompileError(['routes', 0, 'backend'], "backend 'b' is draining; route elsewhere");
      return backend;
    });
    writeFileSync(file, configFor('b'));
    const refused = await next();
    assert.deepEqual(refused.kind === 'error' && refused.errors.map((e) => formatConfigError(e)), [
      `${file}:5:51: routes[0].backend: backend 'b' is draining; route elsewhere`,
    ]);
    assert.equal(watcher.state().applied, 0);
  });
});
