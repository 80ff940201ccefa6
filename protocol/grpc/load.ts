import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

/**
 * How both sides load the .proto files. int64 fields arrive as decimal strings (`longs:
 * String`), so INT64/UINT64 tensor elements keep all 64 bits; shapes are converted to numbers
 * (and checked) by the codecs. Every field is present on received messages (`defaults`), and
 * InferParameter says which oneof member is set (`oneofs`).
 */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
};

export const INFERENCE_SERVICE_NAME = 'inference.GRPCInferenceService';
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

export type ProtoFile = 'grpc_service.proto' | 'health.proto';

/**
 * Absolute path of one of protocol/*.proto. tsc does not copy .proto files into dist/, so
 * they are found from the repository root (the folder with package.json), from source or dist.
 */
export function protoPath(file: ProtoFile): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}; cannot find protocol/${file}`);
    dir = parent;
  }
  return join(dir, 'protocol', file);
}

const loaded = new Map<ProtoFile, GrpcObject>();

function load(file: ProtoFile): GrpcObject {
  let pkg = loaded.get(file);
  if (!pkg) {
    pkg = loadPackageDefinition(loadSync(protoPath(file), PROTO_LOADER_OPTIONS));
    loaded.set(file, pkg);
  }
  return pkg;
}

function lookup(pkg: GrpcObject, fullName: string): ServiceClientConstructor {
  let node: unknown = pkg;
  for (const part of fullName.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'function') throw new Error(`the loaded .proto has no service ${fullName}`);
  return node as ServiceClientConstructor;
}

/** `inference.GRPCInferenceService`: `.service` for a server's addService, `new (address, credentials)` for a client. */
export function inferenceService(): ServiceClientConstructor {
  return lookup(load('grpc_service.proto'), INFERENCE_SERVICE_NAME);
}

/** `grpc.health.v1.Health`, the standard health checking service. */
export function healthService(): ServiceClientConstructor {
  return lookup(load('health.proto'), HEALTH_SERVICE_NAME);
}

export type { ServiceDefinition };
