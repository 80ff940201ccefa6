import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultLogFormat, formatPrettyLine, prettifyJsonLine } from '../../../observability/log-format.js';

const TIME = '2026-12-08T01:19:59.268Z';

describe('pretty log lines', () => {
  it('writes time, level, component, message, then key=value', () => {
    const record = { level: 30, time: TIME, pid: 4242, name: 'switchyard', component: 'rollout', msg: 'rollout fraud: step (canary 50%)', event: 'rollout_step', route: 'fraud', weight: 50, by: 'analysis' };
    assert.equal(formatPrettyLine(record), '01:19:59.268 INFO  rollout rollout fraud: step (canary 50%) event=rollout_step route=fraud weight=50 by=analysis');
  });

  it('falls back to the logger name, quotes values with spaces, prints objects as JSON and errors by message', () => {
    const record = { level: 50, time: TIME, pid: 1, hostname: 'h', name: 'worker', msg: 'worker exited; restarting', pool: 'cpu', note: 'two words', endpoints: ['http://127.0.0.1:1'], err: { type: 'Error', message: 'spawn failed', stack: 'Error: spawn failed\n    at x' }, empty: '' };
    assert.equal(formatPrettyLine(record), '01:19:59.268 ERROR worker worker exited; restarting pool=cpu note="two words" endpoints=["http://127.0.0.1:1"] err="spawn failed" empty=""');
  });

  it('leaves out prose the message already says and shortens a sha256', () => {
    const reason = 'disagreement 0.128 above 0.05; 3 failed intervals in a row reached failureLimit 3';
    const sha256 = 'a2ee1afc3fc719a837cf1643a4e1cdeaca11642e03ed24efc952c35e1bd7718b';
    assert.equal(formatPrettyLine({ level: 40, time: TIME, name: 'gateway', msg: `rollout fraud: aborted: ${reason}`, reason, route: 'fraud' }),
      `01:19:59.268 WARN  gateway rollout fraud: aborted: ${reason} route=fraud`);
    assert.equal(formatPrettyLine({ level: 30, time: TIME, name: 'worker', msg: 'model version ready', model: 'iris', sha256 }),
      '01:19:59.268 INFO  worker model version ready model=iris sha256=a2ee1afc3fc7');
  });

  it('rewrites JSON lines from another process and passes other text through', () => {
    assert.equal(prettifyJsonLine(JSON.stringify({ level: 20, time: TIME, name: 'worker', msg: 'batch' })), '01:19:59.268 DEBUG worker batch');
    assert.equal(prettifyJsonLine('not json'), 'not json');
    assert.equal(prettifyJsonLine('[1,2]'), '[1,2]');
  });
});

describe('the default log format', () => {
  it('is pretty on a terminal, JSON otherwise, and $SWITCHYARD_LOG_FORMAT wins over both', () => {
    assert.equal(defaultLogFormat({}, true), 'pretty');
    assert.equal(defaultLogFormat({}, false), 'json');
    assert.equal(defaultLogFormat({ SWITCHYARD_LOG_FORMAT: 'json' }, true), 'json');
    assert.equal(defaultLogFormat({ SWITCHYARD_LOG_FORMAT: 'pretty' }, false), 'pretty');
    assert.equal(defaultLogFormat({ SWITCHYARD_LOG_FORMAT: 'xml' }, false), 'json');
  });
});
