import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandTable } from '../../../cli/command-table.js';
import { commands } from '../../../cli/commands/index.js';

describe('the lazy command table', () => {
  it('lists every command in the same order as the command index, each loading the command it names with the same summary', async () => {
    assert.deepEqual(commandTable.map((c) => c.name), commands.map((c) => c.name));
    for (const entry of commandTable) {
      const command = await entry.load();
      assert.equal(command.name, entry.name);
      assert.equal(command.summary, entry.summary, `summary of ${entry.name}`);
    }
  });
});
