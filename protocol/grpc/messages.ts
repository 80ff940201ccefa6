/**
 * The Open Inference Protocol gRPC messages (protocol/grpc_service.proto) as plain objects,
 * in the shape @grpc/proto-loader gives them with PROTO_LOADER_OPTIONS: snake_case field
 * names, int64/uint64 received as decimal strings, bytes as Buffers, every field present
 * (defaults) on received messages. Fields are optional here so code can also build messages.
 */

/** An int64 or uint64 as sent: a number, a decimal string or a bigint. Received: always a string. */
export type Int64 = number | string | bigint;

export type ParameterChoice = 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param';

export interface InferParameterMessage {
  bool_param?: boolean;
  int64_param?: Int64;
  string_param?: string;
  double_param?: number;
  uint64_param?: Int64;
  /** Which member of the oneof is set (the `oneofs: true` virtual field). */
  parameter_choice?: ParameterChoice;
}

export type ParameterMap = Record<string, InferParameterMessage>;

export interface InferTensorContentsMessage {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: Int64[];
  uint_contents?: number[];
  uint64_contents?: Int64[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

export type ContentsField = keyof InferTensorContentsMessage;

export interface InferInputTensorMessage {
  name?: string;
  datatype?: string;
  shape?: Int64[];
  parameters?: ParameterMap;
  contents?: InferTensorContentsMessage | null;
}

export interface InferRequestedOutputTensorMessage {
  name?: string;
  parameters?: ParameterMap;
}

export interface ModelInferRequestMessage {
  model_name?: string;
  model_version?: string;
  id?: string;
  parameters?: ParameterMap;
  inputs?: InferInputTensorMessage[];
  outputs?: InferRequestedOutputTensorMessage[];
  raw_input_contents?: Uint8Array[];
}

export interface InferOutputTensorMessage {
  name?: string;
  datatype?: string;
  shape?: Int64[];
  parameters?: ParameterMap;
  contents?: InferTensorContentsMessage | null;
}

export interface ModelInferResponseMessage {
  model_name?: string;
  model_version?: string;
  id?: string;
  parameters?: ParameterMap;
  outputs?: InferOutputTensorMessage[];
  raw_output_contents?: Uint8Array[];
}

export interface ModelStreamInferResponseMessage {
  /** Non-empty when this request failed; the stream goes on. */
  error_message?: string;
  infer_response?: ModelInferResponseMessage | null;
}

export interface ModelRefMessage {
  name?: string;
  version?: string;
}

export interface ServerLiveResponseMessage { live: boolean }
export interface ServerReadyResponseMessage { ready: boolean }
export interface ModelReadyResponseMessage { ready: boolean }

export interface ServerMetadataResponseMessage {
  name: string;
  version: string;
  extensions: string[];
}

export interface TensorMetadataMessage {
  name: string;
  datatype: string;
  shape: Int64[];
}

export interface ModelMetadataResponseMessage {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadataMessage[];
  outputs: TensorMetadataMessage[];
}

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface HealthCheckRequestMessage { service?: string }
export interface HealthCheckResponseMessage { status: ServingStatus }
