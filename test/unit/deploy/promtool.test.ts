import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { promtoolSkipReason } from '../../helpers/deploy/promtool.js';

describe('promtoolSkipReason without promtool on the PATH', () => {
  const saved = { PATH: process.env.PATH, CI: process.env.CI };
  const empty = mkdtempSync(join(tmpdir(), 'switchyard-no-promtool-'));

  beforeEach(() => {
    process.env.PATH = empty;
  });
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.CI === undefined) delete process.env.CI;
    else process.env.CI = saved.CI;
  });
  after(() => rmSync(empty, { recursive: true, force: true }));

  it('fails under CI=true, naming the install command', () => {
    process.env.CI = 'true';
    assert.throws(() => promtoolSkipReason(), { message: 'promtool is not installed (apt-get install -y prometheus); CI must install it (.ci/run)' });
  });

  it('skips elsewhere, with the same reason', () => {
    delete process.env.CI;
    assert.equal(promtoolSkipReason(), 'promtool is not installed (apt-get install -y prometheus)');
  });
});
