import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { readBody } from '../../../protocol/http-body.js';
import { SwitchyardError } from '../../../protocol/errors.js';
import { GatewayErrorCode } from '../../errors.js';
import type { AdminAuth } from '../admin-auth.js';
import { sendJson } from '../../respond.js';
import { parseJson, requireJson, requireMethod } from '../request.js';
import { CLEARED_SESSION_COOKIE, sessionCookie } from './session.js';

/** Largest login body, bytes. */
const MAX_SESSION_BODY_BYTES = 4 * 1024;

/** Hand-written assets (gateway/admin/dashboard/static), by URL path. Nothing else is served. */
const STATIC_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/dashboard/dashboard.css': 'dashboard.css',
  '/dashboard/main.js': 'main.js',
  '/dashboard/api.js': 'api.js',
  '/dashboard/svg.js': 'svg.js',
  '/dashboard/routes.js': 'routes.js',
  '/dashboard/rollouts.js': 'rollouts.js',
  '/dashboard/shadows.js': 'shadows.js',
  '/dashboard/experiments.js': 'experiments.js',
  '/dashboard/series.js': 'series.js',
  '/dashboard/lift-over-time.js': 'lift-over-time.js',
};
/** Compiled from lib/*.ts by tsc, served from next to this file in dist/. */
const COMPILED_FILES: Readonly<Record<string, string>> = {
  '/dashboard/lib/prometheus.js': 'prometheus.js',
  '/dashboard/lib/format.js': 'format.js',
  '/dashboard/lib/match.js': 'match.js',
  '/dashboard/lib/rollout-commands.js': 'rollout-commands.js',
  '/dashboard/lib/metric-kinds.js': 'metric-kinds.js',
};

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8', css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8',
};

/** Nothing but this listener: scripts, styles, data and images come only from this origin. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// `npm run build` copies static/ next to this file in dist/, so an image with dist/gateway alone
// (the Dockerfile's runtime stage) serves the page too.
const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const LIB_DIR = fileURLToPath(new URL('./lib/', import.meta.url));

/**
 * The dashboard on the admin listener. Its files carry no data, so they are served without the
 * token; the data comes from the admin API, which the page calls with the session cookie.
 *   GET  /                     the page; /?token=T with the right token sets the cookie and redirects to /
 *   GET  /dashboard/session    {"tokenRequired": bool}: whether there is a token to sign in with (and so to sign out of)
 *   POST /dashboard/session    {"token": "..."}: 204 with the cookie, or 401 (429 once throttled)
 *   DELETE /dashboard/session  ends the session and clears the cookie
 * Returns false for paths that are not the dashboard's.
 */
export async function handleDashboard(req: IncomingMessage, res: ServerResponse, method: string, path: string, auth: AdminAuth): Promise<boolean> {
  if (path === '/dashboard/session') {
    await session(req, res, method, auth);
    return true;
  }
  const file = STATIC_FILES[path] ?? COMPILED_FILES[path];
  if (file === undefined) return false;
  requireMethod(method, path, 'GET');
  const query = new URL(req.url ?? '/', 'http://admin').searchParams.get('token');
  if (path === '/' && query !== null) {
    // The token leaves the address bar at once: a redirect to / that sets the cookie when it matched.
    const headers: Record<string, string> = { location: '/', 'cache-control': 'no-store' };
    if (auth.token !== undefined) {
      const value = signInOrNothing(req, auth, query);
      if (value !== undefined) headers['set-cookie'] = sessionCookie(value);
    }
    res.writeHead(303, headers);
    res.end();
    return true;
  }
  const dir = COMPILED_FILES[path] === undefined ? STATIC_DIR : LIB_DIR;
  const body = await readFile(dir + file);
  res.writeHead(200, {
    'content-type': TYPES[file.slice(file.lastIndexOf('.') + 1)]!, 'content-length': body.length,
    'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer',
  });
  res.end(body);
  return true;
}

/** A wrong ?token= redirects without a cookie (counted as a failure); a throttled address gets its 429. */
function signInOrNothing(req: IncomingMessage, auth: AdminAuth, given: string): string | undefined {
  try {
    return auth.signIn(req, given);
  } catch (err) {
    if (err instanceof SwitchyardError && err.code === GatewayErrorCode.UNAUTHORIZED) return undefined;
    throw err;
  }
}

async function session(req: IncomingMessage, res: ServerResponse, method: string, auth: AdminAuth): Promise<void> {
  if (method === 'DELETE') {
    // Ended here, not only in the browser: the same cookie replayed later is refused.
    auth.signOut(req);
    res.writeHead(204, { 'set-cookie': CLEARED_SESSION_COOKIE });
    res.end();
    return;
  }
  // Says no more than the sign-in dialog would: the page shows "Sign out" only when there is a session to end.
  if (method === 'GET') {
    sendJson(res, 200, { tokenRequired: auth.token !== undefined });
    return;
  }
  requireMethod(method, '/dashboard/session', 'POST');
  requireJson(req);
  const body = parseJson(await readBody(req, MAX_SESSION_BODY_BYTES)) as { token?: unknown } | null;
  const given = typeof body === 'object' && body !== null && typeof body.token === 'string' ? body.token : '';
  // No token configured (loopback only): nothing to exchange, the API is open.
  if (auth.token === undefined) {
    res.writeHead(204);
    res.end();
    return;
  }
  res.writeHead(204, { 'set-cookie': sessionCookie(auth.signIn(req, given)) });
  res.end();
}
