import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandRefusal, ROLLOUT_COMMANDS } from '../../../../../gateway/admin/dashboard/lib/rollout-commands.js';

/** The commands each phase offers, in button order. */
function offered(phase: string): string[] {
  return ROLLOUT_COMMANDS.filter((c) => commandRefusal(phase, c) === undefined);
}

describe('the rollout commands the dashboard enables', () => {
  it('follows the phase: a running rollout pauses, a stopped one resumes', () => {
    assert.deepEqual(offered('progressing'), ['promote', 'abort', 'pause']);
    assert.deepEqual(offered('starting'), ['promote', 'abort', 'pause']);
    assert.deepEqual(offered('golden'), ['promote', 'abort', 'pause']);
    assert.deepEqual(offered('shadow'), ['promote', 'abort', 'pause']);
    assert.deepEqual(offered('paused'), ['promote', 'abort', 'resume']);
    assert.deepEqual(offered('blocked'), ['abort', 'resume']);
    assert.deepEqual(offered('aborted'), ['resume']);
    assert.deepEqual(offered('promoted'), ['abort']);
    assert.deepEqual(offered('manual'), []);
    assert.deepEqual(offered('a phase from a newer gateway'), []);
  });

  it('says why a command does not apply', () => {
    assert.equal(commandRefusal('aborted', 'abort'), 'already aborted');
    assert.equal(commandRefusal('aborted', 'promote'), 'the rollout is aborted: start it again with resume');
    assert.equal(commandRefusal('promoted', 'promote'), 'already promoted');
    assert.equal(commandRefusal('aborted', 'pause'), 'only a running rollout pauses (this one is aborted)');
    assert.equal(commandRefusal('progressing', 'resume'), 'only a paused, aborted or blocked rollout resumes (this one is progressing)');
  });
});
