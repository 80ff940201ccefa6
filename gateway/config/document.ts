import type { Document, Node as YamlNode, YAMLError } from 'yaml';
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Where a path points in the file: the node itself, or the nearest parent that exists. */
export type Locate = (path: readonly PropertyKey[], at?: 'key' | 'value') => Position;

export interface ParsedYaml {
  readonly data: unknown;
  readonly locate: Locate;
  readonly syntaxErrors: ReadonlyArray<{ position: Position; message: string }>;
}

/** Rewrites of the yaml library's messages where they assume the reader knows its internals. */
const SYNTAX_MESSAGES: Readonly<Record<string, (e: YAMLError, text: string) => string>> = {
  DUPLICATE_KEY: (e, text) => `key '${keyAt(text, e.pos[0])}' appears twice in the same mapping; YAML keeps only one, so remove or rename the other`,
  MULTIPLE_DOCS: () => "the file holds more than one YAML document ('---'); a config is one document",
  TAB_AS_INDENT: () => 'a tab is used for indentation; YAML indents with spaces only',
};

function keyAt(text: string, offset: number): string {
  const match = /^("[^"]*"|'[^']*'|[^:,}\]\n]*)/.exec(text.slice(offset));
  return (match?.[1] ?? '').trim().replace(/^["']|["']$/g, '');
}

/** YAML text → plain data, every syntax error with its position, and a locator for paths. */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // merge: '<<: *defaults' is common in hand-edited configs; uniqueKeys makes duplicates errors.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxErrors = doc.errors.map((e) => ({
    position: position(e.pos[0]),
    message: SYNTAX_MESSAGES[e.code]?.(e, text) ?? `YAML syntax error: ${lowerFirst(e.message)}`,
  }));
  let data: unknown = null;
  if (syntaxErrors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      // An alias to an anchor that does not exist ('*defaults' without '&defaults').
      syntaxErrors.push({ position: position(unresolvedAliasOffset(doc)), message: `YAML error: ${lowerFirst((err as Error).message)}` });
    }
  }
  return { data, syntaxErrors, locate: (path, at = 'value') => locateIn(doc, path, at, position) };
}

function unresolvedAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return undefined;
      offset = alias.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function locateIn(doc: Document, path: readonly PropertyKey[], at: 'key' | 'value', position: (offset: number) => Position): Position {
  let node: unknown = doc.contents;
  // The key through which the current node was reached: a collection is reported at its key.
  let viaKey: YamlNode | undefined;
  let best: { node: unknown; viaKey: YamlNode | undefined } = { node, viaKey };
  let complete = true;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let key: YamlNode | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (pair) [next, key] = [pair.value, pair.key as YamlNode];
      // `key:` with nothing after it is placed at its key, not at the empty space after the colon.
      if (pair && (next === null || (isScalar(next) && next.value === null))) [next, key] = [pair.key, undefined];
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    if (next === undefined || next === null) {
      complete = false;
      break;
    }
    [node, viaKey] = [next, key];
    best = { node, viaKey };
  }
  const target = best.node as YamlNode | null | undefined;
  const wantKey = best.viaKey !== undefined && (at === 'key' || !complete || !isScalar(target));
  const chosen = wantKey ? best.viaKey : target;
  const offset = chosen?.range?.[0] ?? 0;
  return position(offset);
}
