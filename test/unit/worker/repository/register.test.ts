import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { ManifestError, verifyVersion } from '../../../../worker/repository/manifest.js';
import { RegisterError, nextVersion, registerVersion } from '../../../../worker/repository/register.js';

const NOW = new Date('2026-11-24T12:00:00.000Z');

describe('registerVersion', () => {
  it("refuses a name outside the model name rule before writing anything (the worker's rule)", async () => {
    const parent = await mkdtemp(join(tmpdir(), 'switchyard-register-'));
    const repo = join(parent, 'repo');
    const file = join(await demoModelsDir(), 'iris', '1', 'model.onnx');
    for (const name of ['../evil', 'fraud/../iris', '..', 'a b']) {
      await assert.rejects(registerVersion({ repo, name, file }), (err: unknown) => {
        assert.ok(err instanceof RegisterError);
        assert.equal(err.message, `--name: expected a model name (1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit, without '..'), received ${JSON.stringify(name)}`);
        return true;
      });
    }
    assert.deepEqual(await readdir(parent), [], 'nothing was written, inside or outside the repository');
  });

  it('copies the file into DIR/N/V and writes the manifest with sha256, size, signature, metrics and provenance', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'switchyard-register-'));
    const file = join(await demoModelsDir(), 'fraud', '2', 'model.onnx');
    const bytes = await readFile(file);
    const manifest = await registerVersion({
      repo, name: 'fraud', file, metrics: { auc: 0.93 }, sourceCommit: 'abc123', dataVersion: 'tx-2026-11', notes: 'retrained', now: () => NOW,
    });
    assert.equal(manifest.version, '1', 'a new model starts at version 1');
    assert.deepEqual(await readdir(join(repo, 'fraud')), ['1'], 'no staging folder is left behind');
    assert.deepEqual((await readdir(join(repo, 'fraud', '1'))).sort(), ['manifest.json', 'model.onnx']);
    const written = JSON.parse(await readFile(join(repo, 'fraud', '1', 'manifest.json'), 'utf8')) as unknown;
    assert.deepEqual(written, {
      name: 'fraud',
      version: '1',
      file: 'model.onnx',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      created: '2026-11-24T12:00:00.000Z',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 30] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
      opset: 17,
      producer: 'switchyard',
      metrics: { auc: 0.93 },
      provenance: { sourceCommit: 'abc123', dataVersion: 'tx-2026-11', notes: 'retrained', sourceFile: file },
    });
    assert.deepEqual(await readFile(join(repo, 'fraud', '1', 'model.onnx')), bytes);
    assert.equal(await nextVersion(join(repo, 'fraud')), '2');
    assert.equal((await registerVersion({ repo, name: 'fraud', file, now: () => NOW })).version, '2');
  });

  it('refuses to overwrite an existing version and leaves it untouched', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'switchyard-register-'));
    const file = join(await demoModelsDir(), 'iris', '1', 'model.onnx');
    await registerVersion({ repo, name: 'iris', version: '7', file, notes: 'first', now: () => NOW });
    const before = await readFile(join(repo, 'iris', '7', 'manifest.json'), 'utf8');
    await assert.rejects(
      registerVersion({ repo, name: 'iris', version: '7', file, notes: 'second' }),
      (err: unknown) => err instanceof RegisterError && /^iris version 7 already exists at .*; versions are immutable, register a new version instead$/.test(err.message),
    );
    assert.equal(await readFile(join(repo, 'iris', '7', 'manifest.json'), 'utf8'), before);
  });

  it('refuses a file that is not an ONNX model, writing nothing', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'switchyard-register-'));
    const file = join(repo, 'not-a-model.onnx');
    await appendFile(file, 'hello');
    await assert.rejects(registerVersion({ repo, name: 'x', file }), (err: unknown) => err instanceof RegisterError && err.message.includes('is not a readable ONNX model'));
    assert.deepEqual(await readdir(join(repo, 'x')).catch(() => []), []);
  });

  it('verifyVersion refuses a model file that changed after registration, naming both hashes', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'switchyard-register-'));
    const file = join(await demoModelsDir(), 'iris', '1', 'model.onnx');
    const manifest = await registerVersion({ repo, name: 'iris', file, now: () => NOW });
    const dir = join(repo, 'iris', '1');
    assert.equal((await verifyVersion(dir, 'iris/1')).sha256, manifest.sha256);
    await appendFile(join(dir, 'model.onnx'), Buffer.from([0]));
    const changed = createHash('sha256').update(await readFile(join(dir, 'model.onnx'))).digest('hex');
    await assert.rejects(verifyVersion(dir, 'iris/1'), (err: unknown) => err instanceof ManifestError && err.message.startsWith(
      `iris/1: model.onnx has sha256 ${changed} but its manifest.json says ${manifest.sha256}; the file changed after it was registered.`,
    ));
  });
});
