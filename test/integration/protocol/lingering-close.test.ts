import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { closeLingering, type LingerLimits } from '../../../protocol/lingering-close.js';
import { rawUpload } from '../../helpers/raw-upload.js';

/** A server that refuses every upload at its headers with a lingering close under `limits`. */
async function refusingServer(limits: LingerLimits): Promise<{ server: Server; port: number; closed: Promise<void> }> {
  let socketClosed!: () => void;
  const closed = new Promise<void>((resolve) => (socketClosed = resolve));
  const server = createServer((req, res) => {
    res.socket!.once('close', socketClosed);
    closeLingering(res, limits);
    res.writeHead(413, { 'content-type': 'application/json', 'content-length': 2 });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, closed };
}

describe('closeLingering', () => {
  const servers: Server[] = [];
  after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

  it('discards an upload up to its byte bound, then closes: a longer one is cut off', async () => {
    const { server, port, closed } = await refusingServer({ ms: 600_000, maxBytes: 1024 * 1024 });
    servers.push(server);
    await assert.rejects(rawUpload({ port, path: '/', declared: 60 * 1000 * 1000, keepWriting: 'all' }), /the connection closed after \d+ of 60000000 bytes/);
    await closed;
  });

  it('closes a client that sends nothing more once its time bound has passed', async () => {
    const { server, port, closed } = await refusingServer({ ms: 50, maxBytes: 64 * 1024 * 1024 });
    servers.push(server);
    // The client declares 60 MB and then stalls: the answer is read, and the server's close comes from the timer alone.
    const answer = await rawUpload({ port, path: '/', declared: 60 * 1000 * 1000, keepWriting: false });
    assert.equal(answer.status, 413);
    await closed;
  });
});
