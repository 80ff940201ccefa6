/** One mistake in a config file, where it is, for people (CLI, logs) and the admin API. */
export interface ConfigError {
  /** The config file as it was given (not resolved through symlinks). */
  readonly file: string;
  /** 1-based line of the offending node, or of its nearest existing parent. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** Where in the config, e.g. "routes[1].rollout.canary"; "" for YAML syntax errors. */
  readonly path: string;
  /** A sentence saying what was expected and what was found, without the path. */
  readonly message: string;
}

/** A mistake found before it has a place: the schema and the semantic checks produce these. */
export interface ConfigFinding {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** Warnings are reported but do not stop a config from loading. */
  readonly severity: 'error' | 'warning';
  /** Point at the mapping key rather than its value (unknown keys, duplicate names). */
  readonly at?: 'key' | 'value';
}

export function error(path: readonly PropertyKey[], message: string, at?: 'key' | 'value'): ConfigFinding {
  return at === undefined ? { path, message, severity: 'error' } : { path, message, severity: 'error', at };
}

export function warning(path: readonly PropertyKey[], message: string, at?: 'key' | 'value'): ConfigFinding {
  return at === undefined ? { path, message, severity: 'warning' } : { path, message, severity: 'warning', at };
}

/** ["routes", 1, "rollout", "canary"] → "routes[1].rollout.canary"; odd keys are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else {
      const key = String(segment);
      text += /^[A-Za-z0-9_-]+$/.test(key) ? (text === '' ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return text;
}

/** "config/switchyard.yaml:12:15: routes[1].rollout.canary: backend 'fraud-v3' is not defined; ..." */
export function formatConfigError(e: ConfigError, severity: 'error' | 'warning' = 'error'): string {
  const where = `${e.file}:${e.line}:${e.column}: `;
  const label = severity === 'warning' ? 'warning: ' : '';
  return `${where}${label}${e.path === '' ? '' : `${e.path}: `}${e.message}`;
}

/** File order: what an editor jumps through from top to bottom. */
export function byPosition(a: ConfigError, b: ConfigError): number {
  return a.line - b.line || a.column - b.column;
}
