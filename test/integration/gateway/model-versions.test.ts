import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GRPC_STATUS } from '../../../protocol/errors.js';
import type { ModelInferRequestMessage, ModelInferResponseMessage, ModelStreamInferResponseMessage } from '../../../protocol/grpc/messages.js';
import { IntervalMeter } from '../../../gateway/rollout/meter.js';
import { generateTransactions } from '../../../worker/demo-models/build.js';
import { getJson, postJson } from '../../helpers/http.js';
import { until } from '../../helpers/process.js';
import type { TestGateway } from '../../helpers/gateway/start-test-gateway.js';
import type { GrpcTestWorker } from '../worker/grpc/grpc-worker.js';
import type { GatewayClient } from './grpc/grpc-client.js';
import { startModelStack, type ModelStack } from './grpc/model-stack.js';

interface InferBody { model_name: string; model_version: string; outputs: { name: string; data: number[] }[] }
interface ErrorBody { error: string; code: string }

const rows = generateTransactions(2, { seed: 5 });
const fraudRest = { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 30], data: rows }] };
const fraudGrpc = (version: string): ModelInferRequestMessage =>
  ({ model_name: 'fraud', model_version: version, inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 30], contents: { fp32_contents: rows.flat() } }] });
const irisGrpc = (version: string): ModelInferRequestMessage =>
  ({ model_name: 'iris', model_version: version, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [5.1, 3.5, 1.4, 0.2] } }] });

/**
 * Routes on one real worker that has fraud versions 1 and 2 loaded: an unpinned route (the
 * worker's policy picks), one pinned to version 1, a canary (stable v1, canary v2 at 0 %) whose
 * rollout controller never ticks, so its measurements stay in the injected meter, and an
 * experiment between the two versions.
 */
const CONFIG = `
pools:
  cpu: { models: /unused }
backends:
  fraud-latest: { pool: cpu, model: fraud }
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  fraud-v2: { pool: cpu, model: fraud, version: "2" }
  iris-v1: { pool: cpu, model: iris, version: "1" }
routes:
  - name: canary
    match: { pathPrefix: /v2/models/fraud, headers: { x-route: canary } }
    rollout: { strategy: canary, stable: fraud-v1, canary: fraud-v2, weight: 0, steps: [50, 100], interval: 1h }
  - name: ab
    match: { pathPrefix: /v2/models/fraud, headers: { x-route: ab } }
    experiment:
      id: fraud-ab
      unit: header:x-user-id
      variants: [{ name: control, backend: fraud-v1, weight: 50 }, { name: treatment, backend: fraud-v2, weight: 50 }]
  - name: pinned
    match: { pathPrefix: /v2/models/fraud, headers: { x-route: pinned } }
    backend: fraud-v1
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    backend: fraud-latest
  - name: iris
    match: { pathPrefix: /v2/models/iris }
    backend: iris-v1
`;

describe('a request that names a model version, through the gateway to a real worker', () => {
  let stack: ModelStack;
  let worker: GrpcTestWorker;
  let gw: TestGateway;
  let client: GatewayClient;
  const meter = new IntervalMeter();
  const post = (path: string, headers: Record<string, string> = {}) => postJson(`${gw.url}${path}`, fraudRest, headers);

  before(async () => {
    stack = await startModelStack(['fraud', 'iris'], CONFIG, { rolloutTickMs: 3_600_000, meter });
    ({ worker, gw, client } = stack);
  });
  after(() => stack.stop());

  it('gets the version it named from a route that pins none: version 1\'s outputs, not the latest\'s', async () => {
    const direct = await postJson(`${worker.url}/v2/models/fraud/versions/1/infer`, fraudRest);
    const named = await post('/v2/models/fraud/versions/1/infer');
    assert.equal(named.status, 200);
    assert.equal((named.body as InferBody).model_version, '1');
    assert.deepEqual((named.body as InferBody).outputs[0]!.data, (direct.body as InferBody).outputs[0]!.data);
    assert.equal(named.headers.get('x-switchyard-model-version'), '1');
    const unnamed = await post('/v2/models/fraud/infer');
    assert.equal((unnamed.body as InferBody).model_version, '2', 'without a version the worker\'s policy still picks');
    assert.notDeepEqual((unnamed.body as InferBody).outputs[0]!.data, (direct.body as InferBody).outputs[0]!.data);
    const meta = await getJson(`${gw.url}/v2/models/fraud/versions/1`);
    assert.deepEqual((meta.body as { versions: string[] }).versions, ['1']);
  });

  it('passes the worker\'s 404 through for a version the worker does not have, on an unpinned route', async () => {
    const res = await post('/v2/models/fraud/versions/7/infer');
    assert.equal(res.status, 404);
    assert.equal((res.body as ErrorBody).code, 'VERSION_NOT_FOUND');
  });

  it('refuses another version on a route pinned to version 1 with 404 MODEL_VERSION_NOT_ROUTED naming "1"', async () => {
    for (const path of ['/v2/models/fraud/versions/2/infer', '/v2/models/fraud/versions/2/ready', '/v2/models/fraud/versions/2']) {
      const res = path.endsWith('/infer') ? await post(path, { 'x-route': 'pinned' }) : await fetch(`${gw.url}${path}`, { headers: { 'x-route': 'pinned' } });
      const body = (res instanceof Response ? await res.json() : res.body) as ErrorBody;
      assert.equal(res.status, 404, path);
      assert.deepEqual(body, {
        code: 'MODEL_VERSION_NOT_ROUTED',
        error: "route 'pinned' serves model version 1, not the requested version '2'; ask for that version or name no version",
      }, path);
    }
    const same = await post('/v2/models/fraud/versions/1/infer', { 'x-route': 'pinned' });
    assert.equal(same.status, 200);
    assert.equal((same.body as InferBody).model_version, '1');
  });

  it('answers /v2/models/iris/versions/99/ready with 404, and version 1 with ready', async () => {
    const missing = await getJson(`${gw.url}/v2/models/iris/versions/99/ready`);
    assert.equal(missing.status, 404);
    assert.equal((missing.body as ErrorBody).code, 'MODEL_VERSION_NOT_ROUTED');
    assert.match((missing.body as ErrorBody).error, /serves model version 1, not the requested version '99'/);
    assert.deepEqual((await getJson(`${gw.url}/v2/models/iris/versions/1/ready`)).body, { name: 'iris', version: '1', ready: true });
  });

  it('answers gRPC calls with model_version "99" NOT_FOUND MODEL_VERSION_NOT_ROUTED, for every model-scoped method', async () => {
    for (const [method, request] of [['ModelReady', { name: 'iris', version: '99' }], ['ModelMetadata', { name: 'iris', version: '99' }], ['ModelInfer', irisGrpc('99')]] as const) {
      const answer = await client.call(method, request);
      assert.equal(answer.error?.code, GRPC_STATUS.NOT_FOUND, method);
      assert.equal(answer.switchyardCode, 'MODEL_VERSION_NOT_ROUTED', method);
      assert.match(answer.error.details, /route 'iris' serves model version 1, not the requested version '99'/, method);
    }
    assert.deepEqual((await client.ok('ModelReady', { name: 'iris', version: '1' })).response, { ready: true });
  });

  it('applies the same rule to each message of a ModelStreamInfer call', async () => {
    const stream = client.openStream();
    const answers: ModelStreamInferResponseMessage[] = [];
    stream.on('data', (a: ModelStreamInferResponseMessage) => answers.push(a));
    const ended = new Promise<void>((resolve, reject) => {
      stream.once('end', resolve);
      stream.once('error', reject);
    });
    stream.write({ ...irisGrpc('99'), id: 'a' });
    stream.write({ ...irisGrpc('1'), id: 'b' });
    stream.end();
    await ended;
    assert.deepEqual(answers.map((a) => a.infer_response!.id), ['a', 'b']);
    assert.match(answers[0]!.error_message!, /^route 'iris' serves model version 1, not the requested version '99'/);
    assert.equal(answers[0]!.infer_response!.parameters!.error_code!.string_param, 'MODEL_VERSION_NOT_ROUTED');
    assert.equal(answers[0]!.infer_response!.parameters!.grpc_status_code!.int64_param, String(GRPC_STATUS.NOT_FOUND));
    assert.equal(answers[1]!.error_message, '');
    assert.equal(answers[1]!.infer_response!.model_version, '1');
  });

  it('serves gRPC model_version "1" on an unpinned route with version 1, as REST does', async () => {
    const { response } = await client.ok<ModelInferResponseMessage>('ModelInfer', fraudGrpc('1'));
    assert.equal(response.model_version, '1');
    const rest = await post('/v2/models/fraud/versions/1/infer');
    assert.deepEqual(response.outputs![0]!.contents!.fp32_contents, (rest.body as InferBody).outputs[0]!.data);
    const pinned = await client.call('ModelInfer', fraudGrpc('2'), { 'x-route': 'pinned' });
    assert.equal(pinned.error?.code, GRPC_STATUS.NOT_FOUND);
    assert.equal(pinned.switchyardCode, 'MODEL_VERSION_NOT_ROUTED');
  });

  it('sends a named version on a canary route to the backend serving it, outside the split and the rollout meter', async () => {
    meter.take('canary');
    const canary = await post('/v2/models/fraud/versions/2/infer', { 'x-route': 'canary' });
    assert.equal(canary.status, 200);
    assert.equal(canary.headers.get('x-switchyard-backend'), 'fraud-v2', 'the canary at 0 % serves the version asked for');
    assert.equal((canary.body as InferBody).model_version, '2');
    const grpc = await client.ok<ModelInferResponseMessage>('ModelInfer', fraudGrpc('2'), { 'x-route': 'canary' });
    assert.equal(grpc.metadata['x-switchyard-backend'], 'fraud-v2');
    assert.equal((await post('/v2/models/fraud/versions/1/infer', { 'x-route': 'canary' })).headers.get('x-switchyard-backend'), 'fraud-v1');
    assert.deepEqual([...meter.take('canary').keys()], [], 'named-version requests are not measured');

    const unnamed = await post('/v2/models/fraud/infer', { 'x-route': 'canary' });
    assert.equal(unnamed.headers.get('x-switchyard-backend'), 'fraud-v1');
    const measured = meter.take('canary');
    assert.deepEqual([...measured.keys()], ['fraud-v1']);
    assert.equal(measured.get('fraud-v1')!.verdicts.success, 1);

    const refused = await post('/v2/models/fraud/versions/3/infer', { 'x-route': 'canary' });
    assert.equal(refused.status, 404);
    assert.match((refused.body as ErrorBody).error, /serves model versions 1, 2, not the requested version '3'/);
  });

  it('sends a named version on an experiment route to the variant serving it, and counts no exposure for it', async () => {
    for (const user of ['n1', 'n2', 'n3', 'n4']) {
      const res = await post('/v2/models/fraud/versions/2/infer', { 'x-route': 'ab', 'x-user-id': user });
      assert.equal(res.headers.get('x-switchyard-variant'), 'treatment', user);
      assert.equal((res.body as InferBody).model_version, '2');
    }
    // Exposures are recorded without being awaited, in request order: once this one shows, any earlier one would have too.
    await post('/v2/models/fraud/infer', { 'x-route': 'ab', 'x-user-id': 'plain' });
    const exposures = async (): Promise<number> => {
      const { body } = await getJson(`${gw.adminUrl}/v1/experiments`);
      const experiment = (body as { experiments: { id: string; variants: { exposures: number }[] }[] }).experiments.find((e) => e.id === 'fraud-ab')!;
      return experiment.variants.reduce((sum, v) => sum + v.exposures, 0);
    };
    await until(async () => (await exposures()) > 0, 'the unnamed request\'s exposure');
    assert.equal(await exposures(), 1, 'only the request without a version was counted');
  });
});
