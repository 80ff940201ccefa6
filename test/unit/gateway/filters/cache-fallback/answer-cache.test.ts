import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnswerCache } from '../../../../../gateway/filters/cache-fallback/answer-cache.js';
import { cacheKey, canonicalJson } from '../../../../../gateway/filters/cache-fallback/cache-key.js';

const answer = (bytes: number, storedAt = 0) => ({ body: new Uint8Array(bytes), contentType: 'application/json', storedAt });

describe('answer cache', () => {
  it('evicts the least recently used past maxEntries', () => {
    const sizes: number[] = [];
    const cache = new AnswerCache({ ttl: 1_000, maxEntries: 2, maxBytes: 1_000, mode: 'onFailure' }, (n) => sizes.push(n));
    cache.set('a', answer(1));
    cache.set('b', answer(1));
    assert.ok(cache.get('a', 0), 'a is now the most recently used');
    cache.set('c', answer(1));
    assert.equal(cache.get('b', 0), undefined);
    assert.ok(cache.get('a', 0));
    assert.ok(cache.get('c', 0));
    assert.deepEqual(sizes, [1, 2, 2]);
  });

  it('keeps at most maxBytes of bodies and refuses one larger than all of it', () => {
    const cache = new AnswerCache({ ttl: 1_000, maxEntries: 100, maxBytes: 10, mode: 'onFailure' });
    cache.set('a', answer(4));
    cache.set('b', answer(4));
    cache.set('c', answer(4));
    assert.equal(cache.size, 2);
    assert.equal(cache.totalBytes, 8);
    assert.equal(cache.get('a', 0), undefined);
    cache.set('huge', answer(11));
    assert.equal(cache.get('huge', 0), undefined);
    assert.equal(cache.size, 2);
  });

  it('never serves an answer as old as its ttl', () => {
    const cache = new AnswerCache({ ttl: 1_000, maxEntries: 10, maxBytes: 100, mode: 'onFailure' });
    cache.set('a', answer(3, 5_000));
    assert.ok(cache.get('a', 5_999));
    assert.equal(cache.get('a', 6_000), undefined);
    assert.equal(cache.size, 0);
    assert.equal(cache.totalBytes, 0);
  });
});

describe('cache key', () => {
  const body = (text: string) => Buffer.from(text);
  it('is the same for the same inputs written differently, and ignores parameters', () => {
    const a = cacheKey('iris', '/v2/models/iris/infer', body('{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1.5]}]}'));
    const b = cacheKey('iris', '/v2/models/iris/infer', body('{ "parameters": {"priority": 1}, "inputs": [ {"data": [1.5], "datatype": "FP32", "shape": [1], "name": "x"} ] }'));
    assert.equal(a, b);
  });

  it('differs by inputs, requested outputs, model and path', () => {
    const k = (model: string, path: string, text: string) => cacheKey(model, path, body(text));
    const base = k('iris', '/infer', '{"inputs":[1]}');
    assert.notEqual(base, k('iris', '/infer', '{"inputs":[2]}'));
    assert.notEqual(base, k('iris', '/infer', '{"inputs":[1],"outputs":[{"name":"p"}]}'));
    assert.notEqual(base, k('fraud', '/infer', '{"inputs":[1]}'));
    assert.notEqual(base, k('iris', ':predict', '{"inputs":[1]}'));
    assert.notEqual(k('iris', '/infer', 'not json'), k('iris', '/infer', 'not json!'));
  });

  it('writes canonical JSON with sorted keys', () => {
    assert.equal(canonicalJson({ b: [1, { d: 1, c: null }], a: 'x', u: undefined }), '{"a":"x","b":[1,{"c":null,"d":1}]}');
  });
});
