import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { tensorDataFromBinary } from '../../../protocol/binary-tensor.js';
import { readBody } from '../../../protocol/http-body.js';
import { isOwned } from '../../../protocol/owned-buffer.js';
import { forTransfer } from '../../../worker/runtime/thread-messages.js';

/** A real server that hands each request to the test's handler, and a client that posts a body. */
describe('readBody over real HTTP', () => {
  let handle: (req: IncomingMessage) => Promise<unknown>;
  const server = createServer((req, res) => {
    handle(req).then(
      (value) => res.end(JSON.stringify(value)),
      (error: Error & { status?: number }) => res.writeHead(error.status ?? 500).end(error.message),
    );
  });
  let port = 0;
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  function post(body: Buffer, chunked = false): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers = chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(body.length) };
      const req = request({ port, method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      // Sent in odd-sized pieces, so the server sees many chunks that do not line up with anything.
      for (let at = 0; at < body.length; at += 10_007) req.write(body.subarray(at, at + 10_007));
      req.end();
    });
  }

  /** 13 bytes of "header", then 50,000 float32 values: the tensor starts at an odd offset of the body. */
  const HEADER = 13;
  const values = Float32Array.from({ length: 50_000 }, (_, i) => i * 0.5 - 7);
  const body = Buffer.concat([Buffer.alloc(HEADER, 0x20), Buffer.from(values.buffer)]);

  it('puts a large body in a shared buffer of its own with the tensor bytes aligned, so the tensor is a view and is posted as is, not copied', async () => {
    handle = async (req) => {
      const read = await readBody(req, 1 << 20, { alignAt: HEADER });
      const data = tensorDataFromBinary(read.subarray(HEADER), 'FP32', values.length, 'x') as Float32Array;
      const sameBuffer = data.buffer === read.buffer;
      const { tensors, transfer } = forTransfer([{ name: 'x', datatype: 'FP32', shape: [values.length], data }]);
      return {
        length: read.length,
        owned: isOwned(read.buffer),
        shared: read.buffer instanceof SharedArrayBuffer,
        alignedAt: (read.byteOffset + HEADER) % 8,
        sameBuffer,
        postedAsIs: tensors[0]!.data === data && transfer.length === 0,
        equal: Buffer.compare(Buffer.from(data.buffer, data.byteOffset, data.byteLength), Buffer.from(values.buffer)) === 0,
      };
    };
    const res = await post(body);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { length: body.length, owned: true, shared: true, alignedAt: 0, sameBuffer: true, postedAsIs: true, equal: true });
  });

  it('reads a chunked body (no Content-Length) without a buffer of its own; its misaligned tensor bytes are copied', async () => {
    handle = async (req) => {
      const read = await readBody(req, 1 << 20, { alignAt: HEADER });
      const data = tensorDataFromBinary(read.subarray(HEADER), 'FP32', values.length, 'x') as Float32Array;
      return { length: read.length, owned: isOwned(read.buffer), copied: data.buffer !== read.buffer, first: data[0], last: data[values.length - 1] };
    };
    const res = await post(body, true);
    assert.deepEqual(JSON.parse(res.text), { length: body.length, owned: false, copied: true, first: -7, last: 24_992.5 });
  });

  it('refuses a body over the limit with 413 and the sizes in the message, declared or streamed', async () => {
    handle = (req) => readBody(req, 100_000);
    const declared = await post(body);
    assert.deepEqual(declared, { status: 413, text: `the request body (${body.length} bytes) is over the limit of 100000 bytes; send fewer rows per request or raise the limit` });
    const streamed = await post(body, true);
    assert.deepEqual(streamed, { status: 413, text: 'the request body (more than 100000 bytes) is over the limit of 100000 bytes; send fewer rows per request or raise the limit' });
  });
});
