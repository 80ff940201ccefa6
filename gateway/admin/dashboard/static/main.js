/* global document, location, setTimeout */
// The dashboard's loop: poll the admin API, redraw each panel, ask for the token on 401.
import { login, logout, tokenRequired, Unauthorized } from './api.js';
import { refreshRoutes } from './routes.js';
import { refreshRollouts } from './rollouts.js';
import { refreshShadows } from './shadows.js';
import { refreshExperiments } from './experiments.js';
import { refreshSeries } from './series.js';

/** Routes, rollouts and shadows every 2 s; experiments (heavier statistics) every 5 s. */
const FAST_MS = 2000;
const SLOW_MS = 5000;

const panel = (id) => document.querySelector(`#${id} .body`);
const status = document.getElementById('status');
let waitingForLogin = false;
let lastSlow = 0;

async function guarded(id, refresh, ...args) {
  // The error line sits above the panel's body, so a panel that keeps its drawing keeps it clean.
  const error = document.querySelector(`#${id} .refresh-error`);
  try {
    await refresh(panel(id), ...args);
    error.textContent = '';
  } catch (err) {
    if (err instanceof Unauthorized) throw err;
    error.textContent = `could not refresh: ${err.message}`;
  }
}

export async function refreshAll(includeSlow = true) {
  if (waitingForLogin) return;
  try {
    const jobs = [guarded('routes', refreshRoutes, refreshAll), guarded('rollouts', refreshRollouts, refreshAll), guarded('shadows', refreshShadows), guarded('series', refreshSeries)];
    if (includeSlow || Date.now() - lastSlow >= SLOW_MS) {
      lastSlow = Date.now();
      jobs.push(guarded('experiments', refreshExperiments));
    }
    await Promise.all(jobs);
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
    status.className = 'muted';
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed ?? 0) + 1);
  } catch (err) {
    if (err instanceof Unauthorized) askForToken();
    else { status.textContent = `error: ${err.message}`; status.className = 'bad'; }
  }
}

function askForToken() {
  if (waitingForLogin) return;
  waitingForLogin = true;
  status.textContent = 'admin token needed';
  document.getElementById('login').showModal();
}

document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('login-token');
  if (await login(input.value)) {
    input.value = '';
    document.getElementById('login-error').textContent = '';
    document.getElementById('login').close();
    waitingForLogin = false;
    await refreshAll();
  } else {
    document.getElementById('login-error').textContent = 'wrong token';
  }
});

// Escape would close the sign-in and leave a page that shows nothing: it stays until signed in.
document.getElementById('login').addEventListener('cancel', (event) => event.preventDefault());

document.getElementById('logout').addEventListener('click', async () => {
  await logout();
  location.reload();
});
// Without a token (loopback only) there is no session, so nothing to sign out of.
void tokenRequired().then((required) => {
  document.getElementById('logout').hidden = !required;
  document.body.dataset.tokenRequired = String(required);
});

async function loop() {
  await refreshAll(false);
  setTimeout(() => void loop(), FAST_MS);
}
void loop();
