/* global document, fetch */
// The admin API as the page calls it: same origin, the HttpOnly session cookie rides along.

export class Unauthorized extends Error {}

async function checked(res, path) {
  if (res.status === 401) throw new Unauthorized(path);
  return res;
}

/** JSON of a GET; null when the endpoint does not exist on this gateway (404). */
export async function getJson(path) {
  const res = await checked(await fetch(path, { cache: 'no-store', credentials: 'same-origin' }), path);
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

export async function getText(path) {
  const res = await checked(await fetch(path, { cache: 'no-store', credentials: 'same-origin' }), path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.text();
}

/** A change through the admin API; resolves to {ok, status, body} (body: the error text when not ok). */
export async function postJson(path, body) {
  const res = await checked(await fetch(path, {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
  }), path);
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON: keep the text */ }
  return { ok: res.ok, status: res.status, body: parsed };
}

export async function login(token) {
  const res = await fetch('/dashboard/session', {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }),
  });
  return res.ok;
}

/** Whether the gateway has an admin token (GET /dashboard/session); false also when it cannot tell. */
export async function tokenRequired() {
  const res = await fetch('/dashboard/session', { cache: 'no-store', credentials: 'same-origin' });
  if (!res.ok) return false;
  return (await res.json()).tokenRequired === true;
}

export async function logout() {
  await fetch('/dashboard/session', { method: 'DELETE', credentials: 'same-origin' });
}

/** Asks with the page's confirmation dialog; resolves true on Confirm. */
export function confirmAction(text) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

/** Runs a confirmed change and reports its result in `where`. */
export async function act(question, path, body, where, after) {
  if (!(await confirmAction(question))) return;
  const result = await postJson(path, body);
  where.textContent = result.ok ? 'done' : `refused (${result.status}): ${result.body?.error ?? result.body}`;
  where.className = result.ok ? 'good' : 'bad';
  await after();
}
