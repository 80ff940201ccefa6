import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { SwitchyardError } from '../../../../protocol/errors.js';
import { isValidModelName, modelDirectory, modelNameProblem } from '../../../../worker/repository/model-name.js';

const RULE = "1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit, without '..'";

describe('model name rule', () => {
  it('accepts one path segment of letters, digits, _ . - up to 128 characters', () => {
    for (const name of ['iris', 'fraud-v2', 'ranker_2026.11', 'A', '9', 'x'.repeat(128), 'a.b-c_d']) assert.equal(isValidModelName(name), true, name);
  });

  it("refuses separators, '..', a leading dot or dash, spaces, escapes and names past 128 characters", () => {
    const refused = ['', '..', '../evil', 'fraud/../iris', 'a/b', 'a\\b', '.hidden', '-x', '_x', 'a..b', 'has space', 'x'.repeat(129), 'nul\u0000', 'é', '%2e%2e'];
    for (const name of refused) assert.equal(isValidModelName(name), false, JSON.stringify(name));
  });

  it('says the field, the rule and what it received', () => {
    assert.equal(modelNameProblem('../evil', '--name'), `--name: expected a model name (${RULE}), received "../evil"`);
    assert.equal(modelNameProblem('iris', '--name'), undefined);
  });

  it('resolves a valid name to a direct child of the repository, and throws 400 INVALID_MODEL_NAME otherwise', () => {
    assert.equal(modelDirectory('/srv/models/', 'iris'), join(resolve('/srv/models'), 'iris'));
    assert.throws(() => modelDirectory('/srv/models', 'fraud/../iris'), (err: unknown) => {
      assert.ok(err instanceof SwitchyardError);
      assert.equal(err.status, 400);
      assert.equal(err.code, 'INVALID_MODEL_NAME');
      assert.equal(err.message, `model name: expected a model name (${RULE}), received "fraud/../iris"`);
      return true;
    });
  });
});
