import { GraphBuilder } from './onnx-graph.js';

/** Observed value range of one tensor over the calibration images. */
export interface Range { readonly min: number; readonly max: number }

/** uint8 activation parameters for a range (asymmetric; a range that starts at 0 gets zero point 0). */
export function activationParams(range: Range): { scale: number; zeroPoint: number } {
  const min = Math.min(0, range.min);
  const max = Math.max(0, range.max);
  const scale = (max - min) / 255 || 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-min / scale))) };
}

/**
 * Static post-training quantization in ONNX's QDQ form, as onnxruntime's quantize_static
 * writes it: every Conv reads QuantizeLinear→DequantizeLinear activations (uint8) and
 * DequantizeLinear weights (int8, symmetric, per output channel) and an int32 bias (scale =
 * input scale × weight scale), and its output is quantized too. onnxruntime fuses each such
 * group into one QLinearConv. A Relu right after a Conv is dropped: quantizing to uint8 with
 * zero point 0 clips negatives, which is what the Relu did. Everything else stays float.
 * `ranges` holds the calibrated range of every Conv input and output, by tensor name.
 */
export function quantizeConvs(fp32: GraphBuilder, ranges: ReadonlyMap<string, Range>): GraphBuilder {
  const q = new GraphBuilder(`${fp32.name}_int8`);
  for (const i of fp32.inputs) q.input(i.name, i.shape ?? [], i.type);
  for (const o of fp32.outputs) q.output(o.name, o.shape);
  const weights = new Map(fp32.initializers.map((t) => [t.name, t]));
  const convs = fp32.nodes.filter((n) => n.opType === 'Conv');
  const convOutputs = new Set(convs.map((n) => n.outputs[0]!));
  // A Relu whose input is a Conv's output: folded into that Conv's uint8 quantization.
  const foldedRelu = new Map<string, string>();
  for (const n of fp32.nodes) if (n.opType === 'Relu' && convOutputs.has(n.inputs[0]!)) foldedRelu.set(n.inputs[0]!, n.outputs[0]!);
  const reluOutputs = new Set(foldedRelu.values());
  // Activations already in dequantized form, by name, with their scale.
  const dequantized = new Map<string, { name: string; scale: number }>();

  const qdq = (x: string, range: Range): { name: string; scale: number } => {
    const { scale, zeroPoint } = activationParams(range);
    const s = q.initializer(q.fresh(`${x}_scale`), [], Float32Array.of(scale));
    const z = q.initializer(q.fresh(`${x}_zero`), [], Uint8Array.of(zeroPoint));
    return { name: q.node('DequantizeLinear', [q.node('QuantizeLinear', [x, s, z]), s, z]), scale };
  };
  const input = (x: string): { name: string; scale: number } => {
    let d = dequantized.get(x);
    if (!d) {
      d = qdq(x, rangeOf(ranges, x));
      dequantized.set(x, d);
    }
    return d;
  };

  for (const n of fp32.nodes) {
    if (n.opType === 'Relu' && reluOutputs.has(n.outputs[0]!)) continue;
    if (n.opType !== 'Conv') {
      q.nodes.push({ ...n, inputs: n.inputs.map((i) => dequantized.get(i)?.name ?? (weights.has(i) ? copy(q, weights.get(i)!) : i)) });
      continue;
    }
    const [x, w, b] = n.inputs as [string, string, string];
    const xd = input(x);
    const weight = weights.get(w)!;
    const outChannels = weight.dims[0]!;
    const perChannel = weight.data.length / outChannels;
    const wScale = new Float32Array(outChannels);
    const wq = new Int8Array(weight.data.length);
    for (let c = 0; c < outChannels; c++) {
      let maxAbs = 0;
      for (let k = 0; k < perChannel; k++) maxAbs = Math.max(maxAbs, Math.abs(weight.data[c * perChannel + k] as number));
      const scale = maxAbs / 127 || 1;
      wScale[c] = scale;
      for (let k = 0; k < perChannel; k++) wq[c * perChannel + k] = Math.max(-127, Math.min(127, Math.round((weight.data[c * perChannel + k] as number) / scale)));
    }
    const bias = weights.get(b)!;
    const bScale = Float32Array.from(wScale, (s) => s * xd.scale);
    const bq = Int32Array.from(bias.data as Float32Array, (v, c) => Math.round(v / (bScale[c] as number)));
    const wd = q.node('DequantizeLinear', [
      q.initializer(`${w}_quantized`, weight.dims, wq), q.initializer(`${w}_scale`, [outChannels], wScale), q.initializer(`${w}_zero`, [outChannels], new Int8Array(outChannels)),
    ], { axis: 0 });
    const bd = q.node('DequantizeLinear', [
      q.initializer(`${b}_quantized`, [outChannels], bq), q.initializer(`${b}_scale`, [outChannels], bScale), q.initializer(`${b}_zero`, [outChannels], new Int32Array(outChannels)),
    ], { axis: 0 });
    const y = q.node('Conv', [xd.name, wd, bd], n.attributes);
    const relu = foldedRelu.get(n.outputs[0]!);
    const outRange = rangeOf(ranges, n.outputs[0]!);
    const out = qdq(y, relu ? { min: 0, max: outRange.max } : outRange);
    dequantized.set(relu ?? n.outputs[0]!, out);
  }
  return q;
}

function rangeOf(ranges: ReadonlyMap<string, Range>, name: string): Range {
  const r = ranges.get(name);
  if (!r) throw new Error(`no calibrated range for tensor '${name}'`);
  return r;
}

/** Copies an FP32 weight (the classifier's) into the quantized graph once. */
function copy(q: GraphBuilder, t: GraphBuilder['initializers'][number]): string {
  if (!q.initializers.some((i) => i.name === t.name)) q.initializer(t.name, t.dims, t.data);
  return t.name;
}
