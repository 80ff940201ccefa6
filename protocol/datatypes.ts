/**
 * Open Inference Protocol v2 tensor datatypes and how each one is held in memory.
 * The wire names are the protocol's; `ortType` is what onnxruntime-node calls the same type.
 */
export const DATATYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64',
  'FP16', 'FP32', 'FP64', 'BYTES',
] as const;

export type Datatype = (typeof DATATYPES)[number];

export type NumericArray =
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array
  | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Float32Array | Float64Array;

/** BOOL is held as one byte per element (0 or 1), FP16 as raw IEEE half bits, BYTES as strings. */
export type TensorData = NumericArray | string[];

interface DatatypeInfo {
  /** Bytes per element on the wire and in memory; 0 for BYTES (variable length). */
  readonly size: number;
  readonly ortType: string;
  readonly isInteger: boolean;
  readonly isBigInt: boolean;
  readonly create: (length: number) => TensorData;
  readonly fromBuffer: (buffer: ArrayBuffer, byteOffset: number, length: number) => TensorData;
}

function numeric<T extends NumericArray>(
  Ctor: { new (length: number): T; new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number },
  ortType: string,
  isInteger: boolean,
  isBigInt = false,
): DatatypeInfo {
  return {
    size: Ctor.BYTES_PER_ELEMENT,
    ortType,
    isInteger,
    isBigInt,
    create: (length) => new Ctor(length),
    fromBuffer: (buffer, byteOffset, length) => new Ctor(buffer, byteOffset, length),
  };
}

export const DATATYPE_INFO: Readonly<Record<Datatype, DatatypeInfo>> = {
  BOOL: numeric(Uint8Array, 'bool', true),
  UINT8: numeric(Uint8Array, 'uint8', true),
  UINT16: numeric(Uint16Array, 'uint16', true),
  UINT32: numeric(Uint32Array, 'uint32', true),
  UINT64: numeric(BigUint64Array, 'uint64', true, true),
  INT8: numeric(Int8Array, 'int8', true),
  INT16: numeric(Int16Array, 'int16', true),
  INT32: numeric(Int32Array, 'int32', true),
  INT64: numeric(BigInt64Array, 'int64', true, true),
  FP16: numeric(Uint16Array, 'float16', false),
  FP32: numeric(Float32Array, 'float32', false),
  FP64: numeric(Float64Array, 'float64', false),
  BYTES: {
    size: 0,
    ortType: 'string',
    isInteger: false,
    isBigInt: false,
    create: (length) => new Array<string>(length).fill(''),
    fromBuffer: () => {
      throw new Error('BYTES tensors are length-prefixed; decode them with decodeBytesTensor');
    },
  },
};

const ORT_TO_DATATYPE: ReadonlyMap<string, Datatype> = new Map(
  DATATYPES.map((d) => [DATATYPE_INFO[d].ortType, d] as const),
);

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && (DATATYPES as readonly string[]).includes(value);
}

/** Maps an onnxruntime type name (`float32`, `int64`, ...) to the protocol's datatype. */
export function datatypeFromOrt(ortType: string): Datatype | undefined {
  return ORT_TO_DATATYPE.get(ortType);
}

/** Maps ONNX TensorProto.DataType numbers (as found in .onnx files) to the protocol's datatype. */
export const ONNX_ELEMENT_TYPE: Readonly<Record<number, Datatype>> = {
  1: 'FP32', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64',
  8: 'BYTES', 9: 'BOOL', 10: 'FP16', 11: 'FP64', 12: 'UINT32', 13: 'UINT64',
};
