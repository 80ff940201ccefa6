import onnxProto, { type onnx as Onnx } from 'onnx-proto';

// onnx-proto is CommonJS; under ESM only its default export (module.exports) is reliable.
const { onnx } = onnxProto;

/** ONNX IR version 8 (onnx 1.10) and default-domain opset 17 (onnx 1.12): both load in onnxruntime ≥ 1.12. */
export const IR_VERSION = 8;
export const OPSET_VERSION = 17;

/** TensorProto.DataType codes: FLOAT for weights and most inputs and outputs, UINT8 for pixels and zero points. */
const FLOAT = 1;
const UINT8 = 2;
/** The integer initializers a quantized model holds. */
const INT8 = 3;
const INT32 = 6;

/** Initializer data: float32 weights, or the integers of a quantized model (INT8 weights, UINT8 zero points, INT32 biases). */
export type InitializerData = Float32Array | Int8Array | Uint8Array | Int32Array;

/** A graph dimension: a fixed size, or `'batch'` for the dynamic batch dimension (-1 in model.yaml). */
export type Dim = number | 'batch';

/** Node attributes the demo models need: INT and INTS (strides, pads, axis, transB...). */
export type Attributes = Readonly<Record<string, number | readonly number[]>>;

/** The element type of a graph input or output. */
export type ValueType = 'float32' | 'uint8';

/** A graph input or output; no shape leaves it unstated (extra outputs read while calibrating). */
interface ValueInfo { readonly name: string; readonly shape: readonly Dim[] | undefined; readonly type: ValueType }
interface Initializer { readonly name: string; readonly dims: readonly number[]; readonly data: InitializerData }
interface Node {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Attributes;
}

/**
 * Collects a graph's inputs, outputs, weights and nodes; `encodeModel` turns it into a
 * ModelProto. Node outputs get unique names from the op type, so callers only name what
 * the outside world sees.
 */
export class GraphBuilder {
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly initializers: Initializer[] = [];
  readonly nodes: Node[] = [];
  private readonly counters = new Map<string, number>();

  constructor(readonly name: string) {}

  input(name: string, shape: readonly Dim[], type: ValueType = 'float32'): string {
    this.inputs.push({ name, shape, type });
    return name;
  }

  output(name: string, shape: readonly Dim[] | undefined): string {
    this.outputs.push({ name, shape, type: 'float32' });
    return name;
  }

  /** Adds a weight tensor (row-major `data`, shape `dims`; [] for a scalar) and returns its name. */
  initializer(name: string, dims: readonly number[], data: InitializerData): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) {
      throw new Error(`initializer ${name}: ${data.length} values for shape [${dims.join(',')}] (${expected})`);
    }
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** Adds a node with one output and returns that output's name (`output` or a fresh one). */
  node(opType: string, inputs: readonly string[], attributes: Attributes = {}, output?: string): string {
    const name = output ?? this.fresh(opType);
    this.nodes.push({ opType, inputs, outputs: [name], attributes });
    return name;
  }

  /** A unique tensor name such as `conv_3`. */
  fresh(prefix: string): string {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return `${prefix.toLowerCase()}_${n}`;
  }
}

export interface ModelInfo {
  readonly docString: string;
  /** Shown by tools such as Netron; the worker reads labels from model.yaml, not from here. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Serialises the graph as an ONNX ModelProto. Same graph, same bytes. */
export function encodeModel(graph: GraphBuilder, info: ModelInfo): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    producerName: 'switchyard',
    producerVersion: '0.1.0',
    docString: info.docString,
    metadataProps: Object.entries(info.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer: graph.initializers.map(tensorProto),
      node: graph.nodes.map((n, i) => ({
        name: `${n.opType.toLowerCase()}_node_${i}`,
        opType: n.opType,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes).map(([name, value]) => attribute(name, value)),
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function valueInfo(v: ValueInfo): Onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.type === 'uint8' ? UINT8 : FLOAT,
        ...(v.shape === undefined ? {} : { shape: { dim: v.shape.map((d) => (d === 'batch' ? { dimParam: 'batch' } : { dimValue: d })) } }),
      },
    },
  };
}

function tensorProto(t: Initializer): Onnx.ITensorProto {
  // raw_data is little-endian by the ONNX spec, whatever the host's byte order.
  const { data } = t;
  const width = data.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(data.length * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (data instanceof Float32Array) view.setFloat32(i * 4, v, true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, v, true);
    else if (data instanceof Int8Array) view.setInt8(i, v);
    else view.setUint8(i, v);
  }
  const dataType = data instanceof Float32Array ? FLOAT : data instanceof Int32Array ? INT32 : data instanceof Int8Array ? INT8 : UINT8;
  return { name: t.name, dataType, dims: [...t.dims], rawData: bytes };
}

function attribute(name: string, value: number | readonly number[]): Onnx.IAttributeProto {
  if (typeof value === 'number') {
    return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
  }
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...value] };
}
