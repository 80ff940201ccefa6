import type { ConfigFinding } from '../errors.js';
import type { GatewayConfig } from '../schema.js';

/** What checks need from outside the config; injected so tests need no real files. */
export interface CheckContext {
  /** The config file's directory: relative paths in the config resolve against it. */
  readonly baseDir: string;
  /** True when the path is an existing regular file. */
  readonly fileExists: (absolutePath: string) => boolean;
  /** Whether a key was written in the YAML (the schema fills defaults in, so the parsed config cannot say). */
  readonly written?: (path: readonly PropertyKey[]) => boolean;
  /** A file's text, or undefined when it cannot be read; default: none can. */
  readonly readText?: (absolutePath: string) => string | undefined;
  /** A directory's entries, or undefined when it is not a readable directory; default: none is. */
  readonly listDir?: (absolutePath: string) => readonly DirEntry[] | undefined;
}

export interface DirEntry {
  readonly name: string;
  readonly directory: boolean;
}

/** One semantic check: a pure function of the schema-valid config. */
export type Check = (config: GatewayConfig, context: CheckContext) => ConfigFinding[];
