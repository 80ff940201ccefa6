import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../gateway/config/load.js';
import { tryCommand } from '../../../stack/try-command.js';
import { repoRoot } from '../../helpers/repo-root.js';

async function exampleTry(file: string): Promise<string | undefined> {
  const loaded = await loadConfig(join(repoRoot(), 'config', file));
  assert.ok(loaded.ok, `${file} loads`);
  return tryCommand(loaded.config, 8080);
}

describe("the banner's Try: command", () => {
  it('calls a route each example config has, with the unit header an experiment counts', async () => {
    assert.equal(await exampleTry('switchyard.yaml'), `curl -s localhost:8080/v2/models/iris/infer -H 'content-type: application/json' \\
    -d '{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[5.1,3.5,1.4,0.2]}]}'`);
    const experiment = await exampleTry('experiment.yaml');
    assert.match(experiment!, /^curl -s localhost:8080\/v2\/models\/fraud\/infer -H 'content-type: application\/json' -H 'x-user-id: user-42' \\/);
    assert.match((await exampleTry('blue-green.yaml'))!, /^curl -s localhost:8080\/v2\/models\/fraud\/infer /);
    assert.match((await exampleTry('resilience.yaml'))!, /^curl -s localhost:8080\/v2\/models\/fraud\/infer /);
    assert.equal(await exampleTry('reverse-proxy.yaml'), 'curl -si localhost:8080/v2/models/ranker');
  });

  it('sends a row as wide as the fraud model takes', async () => {
    const body = /-d '(.*)'$/.exec((await exampleTry('blue-green.yaml'))!)![1]!;
    const input = (JSON.parse(body) as { inputs: { shape: number[]; data: number[] }[] }).inputs[0]!;
    assert.deepEqual(input.shape, [1, 30]);
    assert.equal(input.data.length, 30);
  });
});
