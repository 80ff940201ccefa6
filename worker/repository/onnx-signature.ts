import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { ONNX_ELEMENT_TYPE } from '../../protocol/datatypes.js';
import type { TensorSpec } from '../../protocol/tensor.js';

const { onnx } = onnxProto;

export interface OnnxSignature {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  readonly opset: number | undefined;
  readonly producer: string;
}

function toSpec(value: InstanceType<typeof onnx.ValueInfoProto>, where: string): TensorSpec {
  const tensorType = value.type?.tensorType;
  if (!tensorType) throw new Error(`${where} '${value.name}' is not a tensor; only tensor inputs and outputs are served`);
  const datatype = ONNX_ELEMENT_TYPE[tensorType.elemType ?? 0];
  if (!datatype) throw new Error(`${where} '${value.name}' has ONNX element type ${tensorType.elemType}, which the protocol cannot carry`);
  const dims = tensorType.shape?.dim ?? [];
  // A named (dim_param) or absent dimension accepts any size.
  const shape = dims.map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : -1));
  return { name: value.name ?? '', datatype, shape };
}

/** Reads a model's graph inputs (initializers excluded) and outputs from its .onnx file. */
export async function readOnnxSignature(path: string): Promise<OnnxSignature> {
  const model = onnx.ModelProto.decode(await readFile(path));
  const graph = model.graph;
  if (!graph) throw new Error(`${path} has no graph`);
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map((v) => toSpec(onnx.ValueInfoProto.create(v), 'input'));
  const outputs = (graph.output ?? []).map((v) => toSpec(onnx.ValueInfoProto.create(v), 'output'));
  const opset = model.opsetImport?.find((o) => !o.domain)?.version;
  return { inputs, outputs, opset: opset === undefined || opset === null ? undefined : Number(opset), producer: model.producerName ?? '' };
}
