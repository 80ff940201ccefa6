import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { parseConfig } from '../../../../gateway/config/load.js';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { repoRoot } from '../../../helpers/repo-root.js';

let dir: string;

function put(file: string, text = ''): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

/** Parsed against a real directory: the check reads the pool's repository from disk. */
function check(text: string): { errors: string[]; warnings: string[] } {
  const result = parseConfig(text, path.join(dir, 'gw.yaml'));
  const rel = (s: string): string => s.replaceAll(`${dir}/`, '');
  return {
    errors: result.ok ? [] : result.errors.map((e) => rel(formatConfigError(e))),
    warnings: result.warnings.map((w) => rel(formatConfigError(w, 'warning'))),
  };
}

const config = (route: string, models = './models') => `pools:
  cpu: { models: ${models} }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  iris-v1: { pool: cpu, model: iris, version: "1" }
routes:
${route}`;

describe('checks on what the local model repositories hold', () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'switchyard-config-'));
    put('models/fraud/1/model.onnx');
    put('models/iris/1/model.onnx');
    put('models/iris/model.yaml', 'dynamicBatching: { priorityLevels: 3 }\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("checks priority.workerLevels against the model's priorityLevels (default 1)", () => {
    const route = (backend: string) => `  - name: r
    match: { pathPrefix: /r }
    backend: ${backend}
    resilience: { priority: { workerLevels: { high: 1, normal: 2, low: 3 } } }
`;
    assert.deepEqual(check(config(route('fraud-v1'))).errors, [
      "gw.yaml:10:64: routes[0].resilience.priority.workerLevels.normal: is 2, but model 'fraud' (backend 'fraud-v1', pool 'cpu') has dynamicBatching.priorityLevels 1 in models/fraud/model.yaml; the worker would answer 400 to every normal-priority request, so use level 1 only or set priorityLevels: 3 in model.yaml",
      "gw.yaml:10:72: routes[0].resilience.priority.workerLevels.low: is 3, but model 'fraud' (backend 'fraud-v1', pool 'cpu') has dynamicBatching.priorityLevels 1 in models/fraud/model.yaml; the worker would answer 400 to every low-priority request, so use level 1 only or set priorityLevels: 3 in model.yaml",
    ]);
    assert.deepEqual(check(config(route('iris-v1'))), { errors: [], warnings: [] });
    // A repository that is not there yet (`switchyard up` builds the demo models) is not judged.
    assert.deepEqual(check(config(route('fraud-v1'), './not-built-yet')).errors, []);
  });

  it('warns about a Triton config.pbtxt and a model.onnx without a version folder, naming the layout', () => {
    put('triton/fraud/config.pbtxt', 'name: "fraud"\n');
    put('triton/fraud/1/model.onnx');
    put('triton/iris/model.onnx');
    put('triton/model.onnx');
    const route = '  - { name: r, match: { pathPrefix: /r }, backend: fraud-v1 }\n';
    assert.deepEqual(check(config(route, './triton')).warnings, [
      `gw.yaml:2:18: warning: pools.cpu.models: triton holds model.onnx directly; the worker loads <models>/<name>/<version>/model.onnx (with an optional <models>/<name>/model.yaml), so move it to triton/<name>/1/model.onnx`,
      `gw.yaml:2:18: warning: pools.cpu.models: model 'fraud' has a Triton config.pbtxt, which Switchyard does not read; it expects <models>/<name>/<version>/model.onnx (with an optional <models>/<name>/model.yaml), with batching and inputs in model.yaml (docs/worker.md)`,
      `gw.yaml:2:18: warning: pools.cpu.models: model 'iris' holds model.onnx without a version folder, so it is not loaded; the worker expects <models>/<name>/<version>/model.onnx (with an optional <models>/<name>/model.yaml), e.g. triton/iris/1/model.onnx`,
    ]);
    assert.deepEqual(check(config(route)).warnings, []);
  });

  it('warns that analysis on a canary without steps is never run, and how the canary moves', () => {
    const rollout = (extra: string) => `  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    rollout: { strategy: canary, stable: fraud-v1, canary: iris-v1, weight: 10${extra} }
`;
    assert.deepEqual(check(config(rollout(', analysis: { maxErrorRate: 0.02 }'))).warnings, [
      "gw.yaml:9:81: warning: routes[0].rollout.analysis: is never run: a canary without steps stays at 10% on 'iris-v1' until its weights are changed by hand (POST /admin/routes/fraud/weights) or in this file, and nothing rolls it back; add steps, e.g. [5, 25, 50, 100], for the controller to move it one step per interval and judge each one",
    ]);
    assert.deepEqual(check(config(rollout(''))).warnings, []);
    assert.deepEqual(check(config(rollout(', steps: [50, 100], analysis: { maxErrorRate: 0.02 }'))).warnings, []);
  });

  it("docs/resilience.md's example passes on the demo models; three worker levels need the model.yaml change it shows", async () => {
    const models = await demoModelsDir();
    const doc = readFileSync(path.join(repoRoot(), 'docs/resilience.md'), 'utf8');
    const example = /```yaml\n(routes:[\s\S]*?)```/.exec(doc)![1]!;
    const text = `pools:\n  cpu: { models: ${models} }\nbackends:\n  fraud-v1: { pool: cpu, model: fraud, version: "1" }\n${example}`;
    assert.deepEqual(check(text), { errors: [], warnings: [] });
    const levels = text.replace(/priority: \{[^\n]*\}\n/, 'priority: { header: x-priority, default: normal, workerLevels: { high: 1, normal: 2, low: 3 } }\n');
    assert.deepEqual(check(levels).errors.map((e) => e.replace(/^.*?: (routes\S+): is (\d).*$/, '$1 $2')), [
      'routes[0].resilience.priority.workerLevels.normal 2',
      'routes[0].resilience.priority.workerLevels.low 3',
    ]);
  });
});
