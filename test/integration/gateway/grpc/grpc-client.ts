import { Metadata, credentials, type CallOptions, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { healthService, inferenceService } from '../../../../protocol/grpc/load.js';
import type { ModelInferRequestMessage, ModelStreamInferResponseMessage } from '../../../../protocol/grpc/messages.js';

/** What a unary call answered: the response or the error, and the initial (response) metadata. */
export interface Answer<Res> {
  readonly response: Res | undefined;
  readonly error: ServiceError | undefined;
  /** Response metadata as plain text values. */
  readonly metadata: Record<string, string>;
  /** The Switchyard error code trailer, on failures. */
  readonly switchyardCode: string | undefined;
}

type UnaryMethod = (request: unknown, metadata: Metadata, options: CallOptions, callback: (err: ServiceError | null, response: unknown) => void) =>
  { on(event: 'metadata', listener: (m: Metadata) => void): void };

/** A client from the published .proto (via @grpc/proto-loader), with request metadata in and response metadata out. */
export class GatewayClient {
  readonly raw: Client;
  readonly health: Client;

  constructor(address: string) {
    const Inference = inferenceService();
    const Health = healthService();
    this.raw = new Inference(address, credentials.createInsecure());
    this.health = new Health(address, credentials.createInsecure());
  }

  call<Res>(method: string, request: unknown, metadata: Record<string, string> = {}, options: CallOptions = {}, client: Client = this.raw): Promise<Answer<Res>> {
    const fn = (client as unknown as Record<string, UnaryMethod>)[method];
    if (typeof fn !== 'function') throw new Error(`the client has no method ${method}`);
    const md = new Metadata();
    for (const [k, v] of Object.entries(metadata)) md.set(k, v);
    return new Promise((resolve) => {
      let head: Record<string, string> = {};
      const call = fn.call(client, request, md, options, (err, response) => {
        const code = err?.metadata?.get('switchyard-code')[0];
        resolve({ response: (response ?? undefined) as Res | undefined, error: err ?? undefined, metadata: head, switchyardCode: typeof code === 'string' ? code : undefined });
      });
      call.on('metadata', (m) => {
        head = textValues(m);
      });
    });
  }

  /** A unary call that must succeed; returns the response and its metadata. */
  async ok<Res>(method: string, request: unknown, metadata: Record<string, string> = {}, options: CallOptions = {}): Promise<{ response: Res; metadata: Record<string, string> }> {
    const answer = await this.call<Res>(method, request, metadata, options);
    if (answer.error !== undefined) throw new Error(`${method} failed: ${answer.error.code} ${answer.error.details}`);
    return { response: answer.response!, metadata: answer.metadata };
  }

  openStream(metadata: Record<string, string> = {}, options: CallOptions = {}): ClientDuplexStream<ModelInferRequestMessage, ModelStreamInferResponseMessage> {
    const md = new Metadata();
    for (const [k, v] of Object.entries(metadata)) md.set(k, v);
    const open = (this.raw as unknown as { ModelStreamInfer(m: Metadata, o: CallOptions): ClientDuplexStream<ModelInferRequestMessage, ModelStreamInferResponseMessage> }).ModelStreamInfer;
    return open.call(this.raw, md, options);
  }

  close(): void {
    this.raw.close();
    this.health.close();
  }
}

export function textValues(m: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.getMap())) if (typeof v === 'string') out[k] = v;
  return out;
}
