import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Locate } from './document.js';
import { parseYaml } from './document.js';
import type { ConfigError, ConfigFinding } from './errors.js';
import { byPosition, formatPath } from './errors.js';
import { parseWithFindings } from './issues.js';
import { resolveConfigPaths } from './resolve.js';
import type { GatewayConfig } from './schema.js';
import { gatewayConfigSchema } from './schema.js';
import type { DirEntry } from './semantic/index.js';
import { runChecks } from './semantic/index.js';

/** The text a config was loaded from, for reload de-duplication and for placing later errors. */
export interface ConfigSource {
  /** The file as given (a ConfigMap path stays the symlink path). */
  readonly file: string;
  /** Absolute directory relative paths resolved against. */
  readonly baseDir: string;
  readonly text: string;
  /** sha256 of the text, hex. */
  readonly hash: string;
  readonly loadedAt: Date;
  /** Line and column of a config path, e.g. for an error found while compiling. */
  readonly locate: Locate;
}

export type LoadResult =
  | { readonly ok: true; readonly config: GatewayConfig; readonly source: ConfigSource; readonly warnings: readonly ConfigError[] }
  | { readonly ok: false; readonly errors: readonly ConfigError[]; readonly warnings: readonly ConfigError[] };

export interface ParseOptions {
  /** Directory relative paths resolve against; default: the file's directory. */
  readonly baseDir?: string;
  /** Default: a stat that accepts regular files. */
  readonly fileExists?: (absolutePath: string) => boolean;
  /** Default: the file system; tests pass their own (or `() => undefined` to see no repository). */
  readonly readText?: (absolutePath: string) => string | undefined;
  readonly listDir?: (absolutePath: string) => readonly DirEntry[] | undefined;
  readonly now?: () => Date;
}

/** Read, parse and check a config file. Never throws for a bad or missing file: it says why. */
export async function loadConfig(file: string, options: ParseOptions = {}): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (err as Error).message;
    return { ok: false, errors: [{ file, line: 1, column: 1, path: '', message: `cannot read the config file: ${reason}` }], warnings: [] };
  }
  return parseConfig(text, file, options);
}

/**
 * The two layers on text already read: YAML (syntax, duplicate keys) → schema (shape, defaults,
 * units) → semantic checks (references, cross-field rules). Each layer runs only when the one
 * before it passed, and reports all of its errors at once, each at its line and column.
 */
export function parseConfig(text: string, file: string, options: ParseOptions = {}): LoadResult {
  const baseDir = options.baseDir ?? path.dirname(path.resolve(file));
  const yaml = parseYaml(text);
  const place = (f: ConfigFinding): ConfigError => ({ file, ...yaml.locate(f.path, f.at), path: formatPath(f.path), message: f.message });
  if (yaml.syntaxErrors.length > 0) {
    const errors = yaml.syntaxErrors.map((e) => ({ file, ...e.position, path: '', message: e.message }));
    return { ok: false, errors: errors.sort(byPosition), warnings: [] };
  }
  if (yaml.data === null || yaml.data === undefined) {
    const message = "the file is empty; a config is a mapping with at least 'backends' and 'routes'";
    return { ok: false, errors: [{ file, line: 1, column: 1, path: '', message }], warnings: [] };
  }
  const parsed = parseWithFindings(gatewayConfigSchema, withoutExtensionKeys(yaml.data));
  if ('findings' in parsed) return { ok: false, errors: parsed.findings.map(place).sort(byPosition), warnings: [] };

  const findings = runChecks(parsed.data, {
    baseDir, fileExists: options.fileExists ?? isRegularFile, written: (p) => isWritten(yaml.data, p),
    readText: options.readText ?? readTextFile, listDir: options.listDir ?? listDirectory,
  });
  const errors = findings.filter((f) => f.severity === 'error').map(place).sort(byPosition);
  const warnings = findings.filter((f) => f.severity === 'warning').map(place).sort(byPosition);
  if (errors.length > 0) return { ok: false, errors, warnings };
  const source: ConfigSource = {
    file, baseDir, text, hash: hashText(text), loadedAt: (options.now ?? (() => new Date()))(), locate: yaml.locate,
  };
  return { ok: true, config: resolveConfigPaths(parsed.data, baseDir), source, warnings };
}

/**
 * Top-level keys starting with 'x-' are the file's own (docker-compose's convention): a place
 * for YAML anchors such as `x-defaults: &defaults {...}`. They are dropped before the schema.
 */
function withoutExtensionKeys(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([key]) => !key.startsWith('x-')));
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isRegularFile(absolutePath: string): boolean {
  try {
    return statSync(absolutePath).isFile();
  } catch {
    return false;
  }
}

/** Whether a path names a key present in the YAML as written (before defaults). */
function isWritten(data: unknown, keys: readonly PropertyKey[]): boolean {
  let node = data;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return true;
}

function readTextFile(absolutePath: string): string | undefined {
  try {
    return readFileSync(absolutePath, 'utf8');
  } catch {
    return undefined;
  }
}

function listDirectory(absolutePath: string): DirEntry[] | undefined {
  try {
    return readdirSync(absolutePath, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.'))
      .map((e) => ({ name: e.name, directory: e.isDirectory() || (e.isSymbolicLink() && isDirectory(`${absolutePath}/${e.name}`)) }));
  } catch {
    return undefined;
  }
}

function isDirectory(absolutePath: string): boolean {
  try {
    return statSync(absolutePath).isDirectory();
  } catch {
    return false;
  }
}
