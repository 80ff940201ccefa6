import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHead, ResponseParser, UpstreamProtocolError, type ResponseHead } from '../../../../../gateway/upstream/h1/response-parser.js';

/** Feeds `wire` to a fresh parser in pieces of `step` bytes; returns what it saw. */
function parse(wire: string, options: { step?: number; noBody?: boolean } = {}) {
  const parser = new ResponseParser();
  const seen = { heads: [] as ResponseHead[], body: '', completed: 0, parser };
  parser.expect({
    onHead: (head) => seen.heads.push(head),
    onBody: (chunk) => { seen.body += chunk.toString('latin1'); },
    onComplete: () => { seen.completed++; },
  }, options.noBody ?? false);
  const bytes = Buffer.from(wire, 'latin1');
  const step = options.step ?? bytes.length;
  for (let i = 0; i < bytes.length; i += step) parser.feed(bytes.subarray(i, i + step));
  return seen;
}

describe('h1 response parser', () => {
  it('reads a Content-Length answer fed a byte at a time', () => {
    const seen = parse('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nhello', { step: 1 });
    assert.equal(seen.heads.length, 1);
    assert.equal(seen.heads[0]!.status, 200);
    assert.deepEqual(seen.heads[0]!.headers, { 'content-type': 'text/plain', 'content-length': '5', 'set-cookie': ['a=1', 'b=2'] });
    assert.equal(seen.heads[0]!.keepAlive, true);
    assert.equal(seen.body, 'hello');
    assert.equal(seen.completed, 1);
  });

  it('decodes chunked bodies with extensions and trailers, split anywhere', () => {
    const wire = 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: t\r\n\r\n';
    for (const step of [1, 2, 3, 7, wire.length]) {
      const seen = parse(wire, { step });
      assert.equal(seen.body, 'Wikipedia in \r\n\r\nchunks.', `step ${step}`);
      assert.equal(seen.completed, 1, `step ${step}`);
      assert.equal(seen.heads[0]!.status, 201);
    }
  });

  it('drops 1xx answers and reads the final one', () => {
    const seen = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    assert.deepEqual(seen.heads.map((h) => h.status), [200]);
    assert.equal(seen.body, 'ok');
  });

  it('reads no body for HEAD, 204 and 304, whatever the length says', () => {
    assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', { noBody: true }).completed, 1);
    assert.equal(parse('HTTP/1.1 204 No Content\r\n\r\n').completed, 1);
    assert.equal(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').completed, 1);
  });

  it('reads an answer without length until the connection ends, and never reuses it', () => {
    const seen = parse('HTTP/1.1 200 OK\r\n\r\npart one, part two');
    assert.equal(seen.completed, 0);
    assert.equal(seen.parser.readsUntilClose, true);
    assert.equal(seen.heads[0]!.keepAlive, false);
    assert.equal(seen.parser.end(), true);
    assert.equal(seen.completed, 1);
    assert.equal(seen.body, 'part one, part two');
  });

  it('says an answer cut short by the end of the connection is incomplete', () => {
    const seen = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    assert.equal(seen.parser.end(), false);
    assert.equal(seen.completed, 0);
  });

  it('keeps connections by version and Connection header, and reads the Keep-Alive timeout', () => {
    assert.equal(parseHead('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0', false).keepAlive, false);
    assert.equal(parseHead('HTTP/1.0 200 OK\r\nContent-Length: 0', false).keepAlive, false);
    assert.equal(parseHead('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0', false).keepAlive, true);
    assert.equal(parseHead('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0', false).keepAliveHintMs, 5000);
    assert.equal(parseHead('HTTP/1.1 200 OK\r\nContent-Length: 0', false).keepAliveHintMs, undefined);
  });

  it('lets Transfer-Encoding win over Content-Length and never reuses such a connection', () => {
    const head = parseHead('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked', false);
    assert.equal(head.framing, 'chunked');
    assert.equal(head.keepAlive, false);
  });

  it('refuses what would make framing ambiguous, with the reason', () => {
    const cases: [string, RegExp][] = [
      ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n', /two different Content-Length values/],
      ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length '-1'/],
      ['HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n', /invalid Content-Length '1e3'/],
      ['HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n', /invalid header line ' folded'/],
      ['HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n', /invalid header line 'Bad Name: 1'/],
      ['HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n', /invalid header line 'X-A: 1\nX-B: 2'/],
      ['HTTP/2 200\r\n\r\n', /invalid status line 'HTTP\/2 200'/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /invalid chunk size 'zz'/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n', /chunk longer than its size/],
      ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc', /bytes after its answer was complete/],
      ['HTTP/1.1 101 Switching Protocols\r\n\r\n', /switched protocols/],
    ];
    for (const [wire, message] of cases) {
      assert.throws(() => parse(wire), (err: unknown) => err instanceof UpstreamProtocolError && message.test(err.message), wire);
    }
  });

  it('refuses a head longer than 16 KiB', () => {
    assert.throws(() => parse(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17 * 1024)}`), /response head is longer than 16384 bytes/);
  });
});
