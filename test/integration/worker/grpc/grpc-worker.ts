import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, credentials, type CallOptions, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { healthService, inferenceService } from '../../../../protocol/grpc/load.js';
import type { ModelInferRequestMessage, ModelStreamInferResponseMessage } from '../../../../protocol/grpc/messages.js';
import { silentLogger } from '../../../../observability/logger.js';
import { createModelRunner } from '../../../../worker/batching/model-runner.js';
import { startWorker, type RunningWorker } from '../../../../worker/start-worker.js';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { demoRepository } from '../../../helpers/worker.js';

/**
 * A repository with one model, `slow`: fraud version 1 whose batcher waits `delayMicros` for
 * company before running a lone request, so a request stays queued that long.
 */
export async function slowFraudRepository(delayMicros: number): Promise<string> {
  const fraud = join(await demoModelsDir(), 'fraud');
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-grpc-'));
  await mkdir(join(dir, 'slow'));
  await symlink(join(fraud, '1'), join(dir, 'slow', '1'));
  const yaml = (await readFile(join(fraud, 'model.yaml'), 'utf8')).replace(/maxQueueDelayMicroseconds: \d+/, `maxQueueDelayMicroseconds: ${delayMicros}`);
  if (!yaml.includes(`maxQueueDelayMicroseconds: ${delayMicros}`)) throw new Error('fraud/model.yaml has no maxQueueDelayMicroseconds to change');
  await writeFile(join(dir, 'slow', 'model.yaml'), yaml);
  return dir;
}

export interface GrpcTestWorker extends RunningWorker {
  /** REST base URL. */
  readonly url: string;
  /** host:port of the gRPC listener. */
  readonly address: string;
  readonly grpcServer: NonNullable<RunningWorker['grpc']>;
}

/** A real worker with both listeners on free loopback ports, from a repository folder or demo model names. */
export async function startGrpcTestWorker(models: readonly string[] | { dir: string }): Promise<GrpcTestWorker> {
  const worker = await startWorker({
    modelsDir: 'dir' in models ? models.dir : await demoRepository(models),
    httpPort: 0,
    grpcPort: 0,
    host: '127.0.0.1',
    log: silentLogger(),
    createRunner: createModelRunner,
  });
  return Object.assign(worker, { url: `http://127.0.0.1:${worker.httpPort}`, address: `127.0.0.1:${worker.grpcPort!}`, grpcServer: worker.grpc! });
}

type UnaryMethod = (request: unknown, metadata: Metadata, options: CallOptions, callback: (err: ServiceError | null, response: unknown) => void) => unknown;

/** A client of one service whose unary methods return promises; rejections are ServiceErrors. */
export class PromiseClient {
  constructor(readonly raw: Client) {}

  call<Res>(method: string, request: unknown, options: CallOptions = {}): Promise<Res> {
    const fn = (this.raw as unknown as Record<string, UnaryMethod>)[method];
    if (typeof fn !== 'function') throw new Error(`the client has no method ${method}`);
    return new Promise((resolve, reject) => {
      fn.call(this.raw, request, new Metadata(), options, (err, response) => (err ? reject(err) : resolve(response as Res)));
    });
  }

  close(): void {
    this.raw.close();
  }
}

export function inferenceClient(address: string): PromiseClient {
  const Ctor = inferenceService();
  return new PromiseClient(new Ctor(address, credentials.createInsecure()));
}

export function healthClient(address: string): PromiseClient {
  const Ctor = healthService();
  return new PromiseClient(new Ctor(address, credentials.createInsecure()));
}

export type InferStream = ClientDuplexStream<ModelInferRequestMessage, ModelStreamInferResponseMessage>;

export function openInferStream(client: PromiseClient, options: CallOptions = {}): InferStream {
  const open = (client.raw as unknown as { ModelStreamInfer(metadata: Metadata, options: CallOptions): InferStream }).ModelStreamInfer;
  return open.call(client.raw, new Metadata(), options);
}

/** Asserts a call failed and returns its gRPC code, details and the Switchyard code it carried. */
export async function failure(promise: Promise<unknown>): Promise<{ code: number; details: string; switchyardCode: string | undefined }> {
  try {
    await promise;
  } catch (err) {
    const e = err as ServiceError;
    const code = e.metadata?.get('switchyard-code')[0];
    return { code: e.code, details: e.details, switchyardCode: typeof code === 'string' ? code : undefined };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
