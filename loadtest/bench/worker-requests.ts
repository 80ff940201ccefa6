import { generateTransactions } from '../../worker/demo-models/build.js';

/** Request bodies and their headers, sent in turn by every connection. */
export interface RequestSet {
  readonly headers: Record<string, string>;
  readonly bodies: Buffer[];
}

/**
 * Requests of one 3x224x224 image each over the binary tensor extension: 8-bit pixels for
 * bench-cnn (150 KB), or float32 ones for bench-cnn-fp32 (602 KB).
 */
export function imageRequests(images: readonly (Uint8Array | Float32Array)[]): RequestSet {
  const float = images[0] instanceof Float32Array;
  const bytes = 3 * 224 * 224 * (float ? 4 : 1);
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name: 'image', datatype: float ? 'FP32' : 'UINT8', shape: [1, 3, 224, 224], parameters: { binary_data_size: bytes } }],
    outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
  }));
  const bodies = images.map((pixels) => Buffer.concat([header, Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength)]));
  return { headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) }, bodies };
}

/** `count` requests with fixed patterns for pixels: 8-bit for bench-cnn, float32 (the same pixels scaled to 0..1) for bench-cnn-fp32. */
export function cnnRequests(count: number, pixels: 'uint8' | 'float32' = 'uint8'): RequestSet {
  const pattern = (k: number) => new Uint8Array(3 * 224 * 224).map((_, i) => (i * (k + 3)) % 255);
  return imageRequests(Array.from({ length: count }, (_, k) => (pixels === 'uint8' ? pattern(k) : Float32Array.from(pattern(k), (v) => v / 255))));
}

/** fraud requests: one transaction row each, as JSON. */
export function fraudRequests(count: number): RequestSet {
  const rows = generateTransactions(count, { seed: 11 });
  return {
    headers: { 'content-type': 'application/json' },
    bodies: rows.map((r) => Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: r }] }))),
  };
}
