import type { FSWatcher } from 'node:fs';
import { realpathSync, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigError } from './errors.js';
import { formatPath } from './errors.js';
import type { ConfigSource, ParseOptions } from './load.js';
import { hashText, parseConfig } from './load.js';
import type { GatewayConfig } from './schema.js';

/** Quiet time after the last file event before reloading, ms: editors and kubelet write in bursts. */
export const RELOAD_DEBOUNCE_MS = 100;

/** Thrown by a compile step to blame a config path; it is reported at that path's line and column. */
export class ConfigCompileError extends Error {
  readonly path: readonly PropertyKey[];

  constructor(path: readonly PropertyKey[], message: string) {
    super(message);
    this.name = 'ConfigCompileError';
    this.path = path;
  }
}

export interface AppliedConfig<T> {
  readonly config: GatewayConfig;
  readonly compiled: T;
  readonly source: ConfigSource;
  readonly warnings: readonly ConfigError[];
}

/** What the admin API and metrics show about reloads. */
export interface ReloadState {
  /** sha256 of the config in effect, hex; undefined before the first apply. */
  readonly lastGoodHash: string | undefined;
  readonly lastGoodAt: Date | undefined;
  /** Errors of the latest refused file; empty once a good file (or the running one) is back. */
  readonly lastErrors: readonly ConfigError[];
  readonly lastErrorAt: Date | undefined;
  /** Files applied and refused since the watcher started. */
  readonly applied: number;
  readonly rejected: number;
}

export interface WatchOptions<T> {
  readonly file: string;
  /** The source already in effect (from the start-up load), so the same text is not applied twice. */
  readonly current?: ConfigSource;
  /** Builds what the gateway runs (route table, chains) off to the side; throwing refuses the file. */
  readonly compile: (config: GatewayConfig, source: ConfigSource) => T | Promise<T>;
  /** Called only when load and compile both succeeded; swap the new config in here. */
  readonly onApply: (applied: AppliedConfig<T>) => void;
  /** Called with every error of a refused file; the previous config stays in effect. */
  readonly onError: (errors: readonly ConfigError[]) => void;
  readonly debounceMs?: number;
  readonly parseOptions?: ParseOptions;
  readonly now?: () => Date;
}

export interface ConfigWatcher {
  readonly state: () => ReloadState;
  /** Re-read now, without waiting for a file event; resolves when that reload is done. */
  readonly reload: () => Promise<void>;
  readonly close: () => void;
}

/**
 * Hot reload. The file's directory is watched, not the file: an atomic rename replaces the
 * file's inode, and a Kubernetes ConfigMap swaps the '..data' symlink next to it, neither of
 * which a watch on the file itself sees. The directory the file currently resolves to is
 * watched too, for a symlink into another directory edited in place.
 *
 * 1. Any event in a watched directory (re)starts the debounce timer.
 * 2. When it fires, the file is read and hashed; a hash already seen is ignored.
 * 3. The text is parsed and checked, then compiled; any error goes to onError and the
 *    running config stays. Success goes to onApply.
 * 4. Reloads never overlap: an event during a reload schedules one more after it.
 */
export function watchConfig<T>(options: WatchOptions<T>): ConfigWatcher {
  const debounceMs = options.debounceMs ?? RELOAD_DEBOUNCE_MS;
  const now = options.now ?? (() => new Date());
  const watchers = new Map<string, FSWatcher>();
  let state: ReloadState = {
    lastGoodHash: options.current?.hash, lastGoodAt: options.current?.loadedAt, lastErrors: [], lastErrorAt: undefined, applied: 0, rejected: 0,
  };
  let lastSeenHash = options.current?.hash;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const refuse = (errors: readonly ConfigError[]): void => {
    state = { ...state, lastErrors: errors, lastErrorAt: now(), rejected: state.rejected + 1 };
    options.onError(errors);
  };

  async function reloadOnce(): Promise<void> {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (err) {
      lastSeenHash = undefined;
      refuse([{ file: options.file, line: 1, column: 1, path: '', message: `cannot read the config file: ${(err as Error).message}` }]);
      return;
    }
    const hash = hashText(text);
    if (hash === lastSeenHash) return;
    lastSeenHash = hash;
    if (hash === state.lastGoodHash) {
      // Back to the text already running (an edit reverted): nothing to apply, nothing wrong.
      state = { ...state, lastErrors: [] };
      return;
    }
    const loaded = parseConfig(text, options.file, options.parseOptions);
    if (!loaded.ok) return refuse(loaded.errors);
    let compiled: T;
    try {
      compiled = await options.compile(loaded.config, loaded.source);
    } catch (err) {
      return refuse([compileError(err, options.file, loaded.source)]);
    }
    if (closed) return;
    state = { ...state, lastGoodHash: hash, lastGoodAt: loaded.source.loadedAt, lastErrors: [], applied: state.applied + 1 };
    options.onApply({ config: loaded.config, compiled, source: loaded.source, warnings: loaded.warnings });
  }

  function reload(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await reloadOnce();
          syncWatches();
        } while (again && !closed);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    // Only onApply or onError themselves can throw here; say so rather than crash the gateway.
    const failed = (err: unknown): void =>
      refuse([{ file: options.file, line: 1, column: 1, path: '', message: `reload failed: ${err instanceof Error ? err.message : String(err)}` }]);
    timer = setTimeout(() => void reload().catch(failed), debounceMs);
  }

  function syncWatches(): void {
    if (closed) return;
    const wanted = new Set([path.dirname(path.resolve(options.file))]);
    try {
      wanted.add(path.dirname(realpathSync(options.file)));
    } catch {
      // The file is missing right now; its directory is still watched, so its return is seen.
    }
    for (const [dir, watcher] of watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: true }, schedule);
        // A watched directory that disappears (an old ConfigMap generation) is dropped, not fatal.
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(dir);
          schedule();
        });
        watchers.set(dir, watcher);
      } catch {
        // Not watchable now (removed between resolving and watching); the next reload tries again.
      }
    }
  }

  syncWatches();
  return {
    state: () => state,
    reload,
    close: () => {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

function compileError(err: unknown, file: string, source: ConfigSource | undefined): ConfigError {
  if (err instanceof ConfigCompileError && source) {
    return { file, ...source.locate(err.path), path: formatPath(err.path), message: err.message };
  }
  const reason = err instanceof Error ? err.message : String(err);
  return { file, line: 1, column: 1, path: '', message: `the config is valid but could not be compiled: ${reason}` };
}
