import { generateTransactions } from '../../worker/demo-models/build.js';

/** Request bodies and their headers, sent in turn by every connection. */
export interface RequestSet {
  readonly headers: Record<string, string>;
  readonly bodies: Buffer[];
}

/** Requests of one 3x224x224 image each (bench-cnn's input), over the binary tensor extension. */
export function imageRequests(images: readonly Float32Array[]): RequestSet {
  const bytes = 3 * 224 * 224 * 4;
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name: 'image', datatype: 'FP32', shape: [1, 3, 224, 224], parameters: { binary_data_size: bytes } }],
    outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
  }));
  const bodies = images.map((pixels) => Buffer.concat([header, Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength)]));
  return { headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) }, bodies };
}

/** `count` bench-cnn requests with fixed patterns for pixels. */
export function cnnRequests(count: number): RequestSet {
  return imageRequests(Array.from({ length: count }, (_, k) => new Float32Array(3 * 224 * 224).map((_, i) => ((i * (k + 3)) % 255) / 255)));
}

/** fraud requests: one transaction row each, as JSON. */
export function fraudRequests(count: number): RequestSet {
  const rows = generateTransactions(count, { seed: 11 });
  return {
    headers: { 'content-type': 'application/json' },
    bodies: rows.map((r) => Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: r }] }))),
  };
}
