import type { ConfigFinding } from '../errors.js';
import type { GatewayConfig } from '../schema.js';

/** What checks need from outside the config; injected so tests need no real files. */
export interface CheckContext {
  /** The config file's directory: relative paths in the config resolve against it. */
  readonly baseDir: string;
  /** True when the path is an existing regular file. */
  readonly fileExists: (absolutePath: string) => boolean;
}

/** One semantic check: a pure function of the schema-valid config. */
export type Check = (config: GatewayConfig, context: CheckContext) => ConfigFinding[];
