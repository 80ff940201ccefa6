/** Open Inference Protocol v2 JSON shapes, as sent over REST. */
export type Parameters = Record<string, string | number | boolean>;

export interface RequestInputJson {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Parameters;
  data?: unknown;
}

export interface RequestOutputJson {
  name: string;
  parameters?: Parameters;
}

export interface InferRequestJson {
  id?: string;
  parameters?: Parameters;
  inputs: RequestInputJson[];
  outputs?: RequestOutputJson[];
}

export interface ResponseOutputJson {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Parameters;
  data?: unknown[];
}

export interface InferResponseJson {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Parameters;
  outputs: ResponseOutputJson[];
}

export interface MetadataTensorJson {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ModelMetadataJson {
  name: string;
  versions?: string[];
  platform: string;
  inputs: MetadataTensorJson[];
  outputs: MetadataTensorJson[];
}

export interface ServerMetadataJson {
  name: string;
  version: string;
  extensions: string[];
}

/** Header that splits a binary-extension body into JSON and raw tensor bytes. */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'inference-header-content-length';
