/**
 * A route's match in words, as the dashboard writes it. Pure and free of Node imports (the page
 * imports the compiled file; the tests compare with it).
 */

export interface MatchView {
  readonly pathPrefix: string;
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** { pathPrefix: '/v2/models/fraud', headers: { 'x-preview': '1' } } → "paths under /v2/models/fraud, header x-preview = 1". */
export function describeMatch(match: MatchView): string {
  const parts = [match.pathPrefix === '/' ? 'every path' : `paths under ${match.pathPrefix}`];
  if (match.host !== undefined) parts.push(`host ${match.host}`);
  for (const [name, value] of Object.entries(match.headers ?? {})) parts.push(`header ${name} = ${value}`);
  return parts.join(', ');
}
