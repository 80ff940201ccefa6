/**
 * A plain TypeScript evaluator for the ops the demo models use, run on the weights read
 * back from model.onnx. Float64 throughout, so it is a reference for onnxruntime's float32
 * kernels rather than a copy of them. Unknown ops and attributes throw: a test should never
 * pass because this evaluator skipped something.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface RefTensor {
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

interface NodeView {
  readonly opType: string;
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly attributes: ReadonlyMap<string, number | number[]>;
}

export interface RefModel {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly initializers: ReadonlyMap<string, RefTensor>;
  readonly nodes: readonly NodeView[];
  readonly opset: number;
  readonly irVersion: number;
}

export function decodeModel(bytes: Uint8Array): RefModel {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const initializers = new Map<string, RefTensor>();
  for (const t of graph.initializer ?? []) {
    if (t.dataType !== 1 || !t.rawData) throw new Error(`initializer ${t.name}: only FLOAT in raw_data is supported`);
    const raw = t.rawData;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const data = new Float64Array(raw.byteLength / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
    initializers.set(t.name ?? '', { dims: (t.dims ?? []).map(Number), data });
  }
  const nodes = (graph.node ?? []).map((n) => ({
    opType: n.opType ?? '',
    input: n.input ?? [],
    output: n.output ?? [],
    attributes: new Map((n.attribute ?? []).map((a) => [
      a.name ?? '',
      a.type === onnx.AttributeProto.AttributeType.INTS ? (a.ints ?? []).map(Number) : Number(a.i),
    ])),
  }));
  return {
    inputs: (graph.input ?? []).map((v) => v.name ?? '').filter((n) => !initializers.has(n)),
    outputs: (graph.output ?? []).map((v) => v.name ?? ''),
    initializers,
    nodes,
    opset: Number(model.opsetImport[0]?.version),
    irVersion: Number(model.irVersion),
  };
}

/** Runs the graph on named inputs and returns every graph output. */
export function evaluate(model: RefModel, inputs: Readonly<Record<string, RefTensor>>): Record<string, RefTensor> {
  const values = new Map<string, RefTensor>(model.initializers);
  for (const [name, t] of Object.entries(inputs)) values.set(name, t);
  for (const node of model.nodes) {
    const args = node.input.map((name) => {
      const v = values.get(name);
      if (!v) throw new Error(`${node.opType}: input ${name} is not computed yet`);
      return v;
    });
    values.set(node.output[0] as string, runOp(node, args));
  }
  return Object.fromEntries(model.outputs.map((name) => [name, values.get(name) as RefTensor]));
}

function attr(node: NodeView, name: string): number | number[] | undefined {
  return node.attributes.get(name);
}

function expectAttributes(node: NodeView, allowed: readonly string[]): void {
  for (const name of node.attributes.keys()) {
    if (!allowed.includes(name)) throw new Error(`${node.opType}: attribute ${name} is not supported by the reference`);
  }
}

function runOp(node: NodeView, args: RefTensor[]): RefTensor {
  const [a, b, c] = args as [RefTensor, RefTensor | undefined, RefTensor | undefined];
  switch (node.opType) {
    case 'Gemm':
      expectAttributes(node, ['transB']);
      if (attr(node, 'transB') !== 1 || !b) throw new Error('Gemm: the reference expects transB=1 and a weight');
      return gemm(a, b, c);
    case 'Relu':
      expectAttributes(node, []);
      return { dims: a.dims, data: a.data.map((v) => (v > 0 ? v : 0)) };
    case 'Softmax':
      expectAttributes(node, ['axis']);
      if (attr(node, 'axis') !== -1 && attr(node, 'axis') !== a.dims.length - 1) throw new Error('Softmax: last axis only');
      return softmaxLastAxis(a);
    case 'Add':
      expectAttributes(node, []);
      return elementwise(a, b, (x, y) => x + y);
    case 'Mul':
      expectAttributes(node, []);
      return elementwise(a, b, (x, y) => x * y);
    case 'Cast':
      // Inputs arrive as float64 already (uint8 pixels are exact in it): only a cast to FLOAT is expected.
      expectAttributes(node, ['to']);
      if (attr(node, 'to') !== 1) throw new Error('Cast: the reference casts to FLOAT only');
      return a;
    case 'Conv':
      expectAttributes(node, ['kernel_shape', 'strides', 'pads']);
      if (!b) throw new Error('Conv: no weight');
      return conv2d(a, b, c, single(attr(node, 'strides')), single(attr(node, 'pads')));
    case 'MaxPool':
      expectAttributes(node, ['kernel_shape', 'strides', 'pads']);
      return maxPool(a, single(attr(node, 'kernel_shape')), single(attr(node, 'strides')), single(attr(node, 'pads')));
    case 'GlobalAveragePool':
      expectAttributes(node, []);
      return globalAveragePool(a);
    case 'Flatten':
      expectAttributes(node, ['axis']);
      if (attr(node, 'axis') !== 1) throw new Error('Flatten: axis 1 only');
      return { dims: [a.dims[0] as number, a.data.length / (a.dims[0] as number)], data: a.data };
    default:
      throw new Error(`op ${node.opType} is not supported by the reference`);
  }
}

/**
 * a ∘ b for b of a's shape, or b of shape [1, C, 1, 1] against a of [N, C, H, W] (one value
 * per channel, as the pixel normalisation uses); other broadcasts throw.
 */
function elementwise(a: RefTensor, b: RefTensor | undefined, op: (x: number, y: number) => number): RefTensor {
  if (!b) throw new Error('elementwise op: second operand missing');
  if (a.dims.join() === b.dims.join()) return { dims: a.dims, data: a.data.map((v, i) => op(v, b.data[i] as number)) };
  const [, channels, h, w] = a.dims as [number, number, number, number];
  if (a.dims.length !== 4 || b.dims.join() !== `1,${channels},1,1`) {
    throw new Error(`elementwise op: shapes [${a.dims.join(',')}] and [${b.dims.join(',')}]: only equal shapes or a [1, C, 1, 1] operand`);
  }
  const plane = h * w;
  return { dims: a.dims, data: a.data.map((v, i) => op(v, b.data[Math.floor(i / plane) % channels] as number)) };
}

/** The value of a symmetric 2-D attribute such as strides [2, 2] or pads [1, 1, 1, 1]. */
function single(value: number | number[] | undefined): number {
  if (!Array.isArray(value) || value.some((v) => v !== value[0])) throw new Error(`expected equal ints, got ${String(value)}`);
  return value[0] as number;
}

/** Y = A·Bᵀ + C for A [n, k], B [m, k], C [m]. */
function gemm(a: RefTensor, b: RefTensor, c: RefTensor | undefined): RefTensor {
  const [n, k] = a.dims as [number, number];
  const m = b.dims[0] as number;
  const out = new Float64Array(n * m);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < m; o++) {
      let sum = c ? (c.data[o] as number) : 0;
      for (let i = 0; i < k; i++) sum += (a.data[r * k + i] as number) * (b.data[o * k + i] as number);
      out[r * m + o] = sum;
    }
  }
  return { dims: [n, m], data: out };
}

function softmaxLastAxis(a: RefTensor): RefTensor {
  const width = a.dims[a.dims.length - 1] as number;
  const out = new Float64Array(a.data.length);
  for (let start = 0; start < a.data.length; start += width) {
    const row = a.data.subarray(start, start + width);
    const max = Math.max(...row);
    let sum = 0;
    for (let i = 0; i < width; i++) sum += Math.exp((row[i] as number) - max);
    for (let i = 0; i < width; i++) out[start + i] = Math.exp((row[i] as number) - max) / sum;
  }
  return { dims: a.dims, data: out };
}

/** NCHW convolution, square kernel, equal stride and padding on both axes, zero padding. */
function conv2d(x: RefTensor, w: RefTensor, bias: RefTensor | undefined, stride: number, pad: number): RefTensor {
  const [n, cin, h, wid] = x.dims as [number, number, number, number];
  const [cout, wcin, kh, kw] = w.dims as [number, number, number, number];
  if (wcin !== cin) throw new Error(`Conv: ${cin} input channels, weight expects ${wcin}`);
  const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const ow = Math.floor((wid + 2 * pad - kw) / stride) + 1;
  const out = new Float64Array(n * cout * oh * ow);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < cout; oc++) {
      const plane = out.subarray((b * cout + oc) * oh * ow, (b * cout + oc + 1) * oh * ow);
      plane.fill(bias ? (bias.data[oc] as number) : 0);
      for (let ic = 0; ic < cin; ic++) {
        const input = x.data.subarray((b * cin + ic) * h * wid, (b * cin + ic + 1) * h * wid);
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const weight = w.data[((oc * cin + ic) * kh + ky) * kw + kx] as number;
            for (let y = 0; y < oh; y++) {
              const iy = y * stride + ky - pad;
              if (iy < 0 || iy >= h) continue;
              const inRow = iy * wid;
              const outRow = y * ow;
              for (let xo = 0; xo < ow; xo++) {
                const ix = xo * stride + kx - pad;
                if (ix >= 0 && ix < wid) plane[outRow + xo] = (plane[outRow + xo] as number) + weight * (input[inRow + ix] as number);
              }
            }
          }
        }
      }
    }
  }
  return { dims: [n, cout, oh, ow], data: out };
}

/** Max over a square window; padded cells never win (ONNX pads MaxPool with -∞). */
function maxPool(x: RefTensor, kernel: number, stride: number, pad: number): RefTensor {
  const [n, c, h, wid] = x.dims as [number, number, number, number];
  const oh = Math.floor((h + 2 * pad - kernel) / stride) + 1;
  const ow = Math.floor((wid + 2 * pad - kernel) / stride) + 1;
  const out = new Float64Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        let best = -Infinity;
        for (let ky = 0; ky < kernel; ky++) {
          const iy = y * stride + ky - pad;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kernel; kx++) {
            const ix = xo * stride + kx - pad;
            if (ix >= 0 && ix < wid) best = Math.max(best, x.data[(p * h + iy) * wid + ix] as number);
          }
        }
        out[(p * oh + y) * ow + xo] = best;
      }
    }
  }
  return { dims: [n, c, oh, ow], data: out };
}

function globalAveragePool(x: RefTensor): RefTensor {
  const [n, c, h, w] = x.dims as [number, number, number, number];
  const out = new Float64Array(n * c);
  for (let p = 0; p < n * c; p++) {
    let sum = 0;
    for (let i = 0; i < h * w; i++) sum += x.data[p * h * w + i] as number;
    out[p] = sum / (h * w);
  }
  return { dims: [n, c, 1, 1], data: out };
}

/** The test's tolerance: |a - b| ≤ atol + rtol·|b|, elementwise; returns the worst offender for the message. */
export function allClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): { ok: boolean; worst: string } {
  if (actual.length !== expected.length) return { ok: false, worst: `length ${actual.length} vs ${expected.length}` };
  let worstExcess = -Infinity;
  let worst = '';
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const b = expected[i] as number;
    const excess = Math.abs(a - b) - (atol + rtol * Math.abs(b));
    if (!(excess <= worstExcess) || Number.isNaN(a)) {
      worstExcess = Number.isNaN(a) ? Infinity : excess;
      worst = `index ${i}: ${a} vs ${b} (|diff| ${Math.abs(a - b)})`;
    }
  }
  return { ok: worstExcess <= 0, worst };
}
