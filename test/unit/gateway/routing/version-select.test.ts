import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchyardError } from '../../../../protocol/errors.js';
import type { Assignment } from '../../../../gateway/pipeline/context.js';
import { compileVersionSelector } from '../../../../gateway/routing/version-select.js';

const assign = (name: string, model: string | undefined, version: string | undefined, variant = ''): Assignment =>
  ({ backend: { name, model, version, endpoints: [] }, variant });

const stable = assign('fraud-v1', 'fraud', '1');
const canary = assign('fraud-v2', 'fraud', '2');
const latest = assign('fraud-latest', 'fraud', undefined);

/** `usual` for tests that must not consult the split: fails if called. */
const noSplit = (): Assignment => assert.fail('the split was consulted');

function refusal(run: () => unknown): SwitchyardError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof SwitchyardError);
    return err;
  }
  return assert.fail('no error was thrown');
}

describe('where a request that names a model version goes', () => {
  it('goes to the backend pinned to that version, whichever the split would pick', () => {
    const selector = compileVersionSelector('fraud', [stable, canary])!;
    assert.deepEqual(selector.served, ['1', '2']);
    assert.equal(selector.select('1', noSplit), stable);
    assert.equal(selector.select('2', noSplit), canary);
  });

  it('refuses a version no backend serves with 404 MODEL_VERSION_NOT_ROUTED naming the served versions', () => {
    const err = refusal(() => compileVersionSelector('fraud', [stable, canary])!.select('99', noSplit));
    assert.equal(err.status, 404);
    assert.equal(err.code, 'MODEL_VERSION_NOT_ROUTED');
    assert.equal(err.message, "route 'fraud' serves model versions 1, 2, not the requested version '99'; ask for one of those or name no version");
    const one = refusal(() => compileVersionSelector('fraud', [stable])!.select('2', noSplit));
    assert.equal(one.message, "route 'fraud' serves model version 1, not the requested version '2'; ask for that version or name no version");
  });

  it('sends a version no pinned backend serves to the unpinned backend, whose worker decides', () => {
    const selector = compileVersionSelector('fraud', [latest, canary])!;
    assert.deepEqual(selector.served, ['2']);
    assert.equal(selector.select('2', noSplit), canary);
    assert.equal(selector.select('1', noSplit), latest);
    assert.equal(selector.select('99', noSplit), latest);
  });

  it('lets the split choose among several backends that qualify, else takes the first in config order', () => {
    const blue = assign('blue', 'fraud', '1');
    const green = assign('green', 'fraud', '1');
    const selector = compileVersionSelector('bg', [blue, green])!;
    assert.deepEqual(selector.served, ['1']);
    assert.equal(selector.select('1', () => green), green);
    assert.equal(selector.select('1', () => blue), blue);
    const pools = compileVersionSelector('pools', [latest, assign('other-pool', 'fraud', undefined), canary])!;
    assert.equal(pools.select('5', () => canary), latest, 'the split picked a backend that does not qualify');
  });

  it('leaves routes without a model-aware backend alone', () => {
    assert.equal(compileVersionSelector('plain', [assign('legacy', undefined, undefined)]), undefined);
  });
});
