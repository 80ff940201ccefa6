// Rollouts: phase, steps, analyses against thresholds, history and the commands
// (GET /admin/rollouts, GET /admin/rollouts/ROUTE, POST /admin/rollouts/ROUTE/COMMAND).
import { act, getJson } from './api.js';
import { h } from './svg.js';
import { formatMs, formatNumber, formatPercent } from './lib/format.js';
import { commandRefusal, ROLLOUT_COMMANDS } from './lib/rollout-commands.js';

/** Analyses shown per rollout, newest first. */
const SHOWN_ANALYSES = 5;
const SHOWN_EVENTS = 15;

/** The API's answers last drawn. */
let lastSeen = '';

export async function refreshRollouts(root, refreshAll) {
  const list = await getJson('/admin/rollouts');
  if (list === null) {
    root.replaceChildren(h('p', { class: 'muted', 'data-k': 'rollouts.absent' }, 'no rollout API on this gateway (GET /admin/rollouts answers 404)'));
    return;
  }
  const details = await Promise.all(list.rollouts.map((r) => getJson(`/admin/rollouts/${encodeURIComponent(r.route)}`)));
  // Redrawn only when something changed: a button is not replaced under the pointer mid-click.
  const seen = JSON.stringify([list, details]);
  if (seen === lastSeen && root.childElementCount > 0) return;
  lastSeen = seen;
  const cards = details.filter((d) => d !== null).map((d) => rolloutCard(d, refreshAll));
  root.replaceChildren(
    h('p', { class: 'muted' }, list.analysisLeader ? 'this replica runs the analysis' : 'another replica runs the analysis'),
    ...(cards.length === 0 ? [h('p', { class: 'muted' }, 'no routes with a rollout')] : cards));
}

function rolloutCard(status, refreshAll) {
  const name = status.route;
  const result = h('span', { class: 'result' });
  const k = (field) => `rollouts.${name}.${field}`;
  if (status.strategy !== 'canary') {
    const switchButton = status.strategy === 'blueGreen' && status.target
      ? h('button', { type: 'button', class: 'danger', 'data-control': `rollout-switch.${name}`, onclick: () => act(`Switch ${name}: all traffic to ${status.target.preview}?`, `/admin/routes/${encodeURIComponent(name)}/switch`, {}, result, refreshAll) }, `Switch to ${status.target.preview}`)
      : null;
    return h('article', { class: 'rollout' }, h('h3', {}, name, ' ', h('span', { class: 'muted' }, status.strategy)),
      status.target?.active ? h('p', {}, `active ${status.target.active}, preview ${status.target.preview}`) : null,
      h('div', { class: 'controls' }, switchButton, ' ', result));
  }
  // A command the phase does not take is shown disabled, with the reason as its tooltip.
  const buttons = ROLLOUT_COMMANDS.map((command) => h('button', {
    type: 'button', class: command === 'abort' ? 'danger' : '', 'data-control': `rollout-${command}.${name}`,
    disabled: commandRefusal(status.phase, command) !== undefined, title: commandRefusal(status.phase, command),
    onclick: () => act(`${command[0].toUpperCase()}${command.slice(1)} the rollout of ${name}?`, `/admin/rollouts/${encodeURIComponent(name)}/${command}`, { reason: 'from the dashboard' }, result, refreshAll),
  }, command));
  return h('article', { class: 'rollout', 'data-rollout': name },
    h('h3', {}, name, ' ', h('span', { class: `badge phase-${status.phase}`, 'data-k': k('phase') }, status.phase),
      ' ', h('span', { class: 'muted' }, `${status.canary} over ${status.stable}`)),
    status.reason ? h('p', { class: 'warn' }, status.reason) : null,
    h('p', {}, 'weights: stable ', h('b', { 'data-k': k('stableWeight') }, `${formatNumber(status.weights?.stable)} %`),
      ', canary ', h('b', { 'data-k': k('canaryWeight') }, `${formatNumber(status.weights?.canary)} %`),
      `; failures in a row ${status.failures}, inconclusive in a row ${status.inconclusive}`),
    steps(status),
    // Without steps the controller refuses the commands (409): the weights move in the Routes panel.
    status.steps && status.steps.length > 0 ? h('div', { class: 'controls' }, buttons, ' ', result) : null,
    h('h4', {}, 'Analysis'),
    analyses(status),
    h('h4', {}, 'History'),
    history(status));
}

/** The steps as a row: passed, current, to come. */
function steps(status) {
  const current = status.weights?.canary ?? 0;
  if (!status.steps || status.steps.length === 0) return h('p', { class: 'muted' }, 'no steps: the weights change by hand, in the Routes panel');
  return h('ol', { class: 'steps' }, status.steps.map((w, i) => {
    const state = i === status.step ? 'current' : w < current || status.phase === 'promoted' ? 'done' : 'next';
    return h('li', { class: state, 'data-k': `rollouts.${status.route}.step.${i}` }, `${w} %`);
  }));
}

/** A check's figure in its unit: errorRate a fraction, p99Ms milliseconds, the others plain. */
function figure(name, value) {
  if (name === 'errorRate' || name === 'disagreement') return formatPercent(value);
  if (name === 'p99Ms') return formatMs(value);
  return formatNumber(value);
}

function analyses(status) {
  const shown = [...(status.analyses ?? [])].reverse().slice(0, SHOWN_ANALYSES);
  if (shown.length === 0) return h('p', { class: 'muted' }, 'no interval analysed yet');
  return h('div', {}, shown.map((a) => h('div', { class: 'analysis' },
    h('p', {}, h('span', { class: `badge verdict-${a.verdict}` }, a.verdict), ` at ${a.weight} %, ${new Date(a.at).toLocaleTimeString()}: ${a.reason}`),
    h('table', {},
      h('thead', {}, h('tr', {}, ['check', 'canary', 'threshold', 'held'].map((c) => h('th', {}, c)))),
      h('tbody', {}, a.checks.map((c) => h('tr', {},
        h('td', {}, c.name),
        h('td', {}, figure(c.name, c.value)),
        h('td', {}, figure(c.name, c.threshold)),
        h('td', { class: c.passed === null ? 'muted' : c.passed ? 'good' : 'bad' }, c.passed === null ? `not judged${c.note ? `: ${c.note}` : ''}` : c.passed ? 'yes' : 'no'))))),
    h('p', { class: 'muted' },
      `canary ${a.canary.backend}: ${a.canary.requests} requests, errors ${formatPercent(a.canary.errorRate)}, p99 ${formatMs(a.canary.p99Ms)}; `,
      `stable ${a.stable.backend}: ${a.stable.requests} requests, errors ${formatPercent(a.stable.errorRate)}, p99 ${formatMs(a.stable.p99Ms)}`,
      a.pairs && a.pairs.compared > 0 ? `; ${a.pairs.disagreeing} of ${a.pairs.compared} paired answers disagree` : ''))));
}

function history(status) {
  const events = [...(status.history ?? [])].reverse().slice(0, SHOWN_EVENTS);
  if (events.length === 0) return h('p', { class: 'muted' }, 'nothing yet');
  return h('ul', { class: 'history' }, events.map((e) => h('li', {},
    h('time', {}, new Date(e.at).toLocaleTimeString()), ' ', h('b', {}, e.event), ` by ${e.by} → ${e.weight} %: ${e.reason}`)));
}
