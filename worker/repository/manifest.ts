import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DATATYPES } from '../../protocol/datatypes.js';
import { MANIFEST_FILE, MODEL_FILE } from './layout.js';
import { readOnnxSignature } from './onnx-signature.js';

const tensor = z.object({ name: z.string(), datatype: z.enum(DATATYPES), shape: z.array(z.number().int()) }).strict();

/**
 * `DIR/<name>/<version>/manifest.json`, written once by `switchyard models register`. It says
 * what the version is (sha256 and size of model.onnx, its signature) and what produced it
 * (source commit, data version, notes, the metrics measured when it was trained).
 */
export const manifestSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  file: z.literal(MODEL_FILE),
  /** Hex sha256 of model.onnx; the worker refuses to load a file that does not match. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Bytes of model.onnx. */
  size: z.number().int().min(0),
  /** ISO 8601 time of registration (UTC). */
  created: z.string(),
  inputs: z.array(tensor),
  outputs: z.array(tensor),
  opset: z.number().int().optional(),
  producer: z.string().optional(),
  metrics: z.record(z.string(), z.number()).default({}),
  provenance: z.object({
    sourceCommit: z.string().optional(),
    dataVersion: z.string().optional(),
    notes: z.string().optional(),
    /** The file register copied from, as given. */
    sourceFile: z.string().optional(),
  }).strict().prefault({}),
}).strict();

export type Manifest = z.infer<typeof manifestSchema>;

/** Hex sha256 of a file, streamed (bench-cnn is tens of MiB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The version's manifest, or undefined when it has none. A manifest that does not parse is an error. */
export async function readManifest(versionDir: string): Promise<Manifest | undefined> {
  const path = join(versionDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new ManifestError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** A manifest that is malformed or does not match its model file. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

export interface VerifiedVersion {
  /** Hex sha256 of model.onnx as read now (with or without a manifest). */
  readonly sha256: string;
  readonly manifest: Manifest | undefined;
}

/**
 * Hashes a version's model.onnx and, when the version has a manifest, checks the hash and size
 * against it. A mismatch means the file was changed or truncated after registration: refused.
 */
export async function verifyVersion(versionDir: string, where: string): Promise<VerifiedVersion> {
  const manifest = await readManifest(versionDir);
  const sha256 = await sha256File(join(versionDir, MODEL_FILE));
  if (manifest !== undefined && manifest.sha256 !== sha256) {
    throw new ManifestError(
      `${where}: model.onnx has sha256 ${sha256} but its manifest.json says ${manifest.sha256}; the file changed after it was registered. ` +
      `Register the new file as a new version (switchyard models register) or restore the original.`,
    );
  }
  return { sha256, manifest };
}

/** What a manifest records beyond what is read from the file. */
export interface ManifestFields {
  readonly name: string;
  readonly version: string;
  readonly created: Date;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly provenance?: Manifest['provenance'];
}

/** The manifest of a model file: its sha256, size and signature read from it, plus the given fields. */
export async function describeModelFile(path: string, fields: ManifestFields): Promise<Manifest> {
  const signature = await readOnnxSignature(path);
  return manifestSchema.parse({
    name: fields.name,
    version: fields.version,
    file: MODEL_FILE,
    sha256: await sha256File(path),
    size: (await stat(path)).size,
    created: fields.created.toISOString(),
    inputs: signature.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape] })),
    outputs: signature.outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape] })),
    opset: signature.opset,
    producer: signature.producer || undefined,
    metrics: fields.metrics ?? {},
    provenance: fields.provenance ?? {},
  });
}
