import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { demoModelsDir } from '../../helpers/demo-models.js';
import { postJson } from '../../helpers/http.js';
import { inferBody, startFakeModel, type FakeModel } from '../../helpers/gateway/fake-model.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';
import { repoRoot } from '../../helpers/repo-root.js';

/** config/blue-green.yaml as the README walks through it, its pool served by one fake model. */
describe('config/blue-green.yaml', () => {
  let model: FakeModel;
  let gw: TestGateway;
  before(async () => {
    model = await startFakeModel();
    const text = await readFile(join(repoRoot(), 'config', 'blue-green.yaml'), 'utf8');
    gw = await startTestGateway(text.replace(/models: [^,}\s]+/, `models: ${await demoModelsDir()}`), { poolEndpoints: { cpu: [model.url] } });
  });
  after(async () => {
    await gw.stop();
    await model.close();
  });

  async function servedBy(headers: Record<string, string> = {}): Promise<string | null> {
    const res = await fetch(`${gw.url}/v2/models/fraud/infer`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: inferBody([0.2, 0.4]) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    return res.headers.get('x-switchyard-backend');
  }

  it('sends testers to the preview colour before and after a switch', async () => {
    assert.equal(await servedBy(), 'fraud-blue');
    assert.equal(await servedBy({ 'x-switchyard-preview': '1' }), 'fraud-green');
    const switched = await postJson(`${gw.adminUrl}/admin/routes/fraud/switch`, {});
    assert.equal(switched.status, 200);
    assert.equal(await servedBy(), 'fraud-green');
    // The preview is now blue (the previous colour, kept warm), not green, which is live.
    assert.equal(await servedBy({ 'x-switchyard-preview': '1' }), 'fraud-blue');
  });
});
