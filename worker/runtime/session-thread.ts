/**
 * Entry of one session thread: owns one onnxruntime InferenceSession and answers run
 * messages. session.run blocks the thread it is called on, which is why it lives here and
 * not on the thread serving HTTP/gRPC. The callers' parts of a large batch are merged here,
 * into buffers the thread reuses (small batches arrive merged); a lone part on a request
 * body's shared buffer is copied into them too. Runs go one after another; a failed run
 * answers with an error and the thread keeps serving.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { DATATYPE_INFO, datatypeFromOrt } from '../../protocol/datatypes.js';
import type { Tensor } from '../../protocol/tensor.js';
import { copyTensor, mergeTensors } from '../batching/tensor-batch.js';
import { BatchBuffers } from './batch-buffers.js';
import { openSession } from './open-session.js';
import { forTransfer, toErrorShape, type FromSessionThread, type RunMessage, type ThreadSettings, type ToSessionThread } from './thread-messages.js';

const port = parentPort;
if (port === null) throw new Error('session-thread.ts must run as a worker_thread');

function post(message: FromSessionThread, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function toOrt(tensor: Tensor): ort.Tensor {
  const type = DATATYPE_INFO[tensor.datatype].ortType as ort.Tensor.Type;
  return new ort.Tensor(type, tensor.data as ort.Tensor.DataType, tensor.shape);
}

function fromOrt(name: string, value: ort.OnnxValue): Tensor {
  const tensor = value as ort.Tensor;
  const datatype = datatypeFromOrt(tensor.type);
  if (datatype === undefined) throw new Error(`output '${name}' has type ${tensor.type}, which the protocol cannot carry`);
  return { name, datatype, shape: [...tensor.dims], data: tensor.data as Tensor['data'] };
}

const batchBuffers = new BatchBuffers();

/**
 * The inputs of the whole batch: several parts merged column by column; one part as it came,
 * except that a request body's shared buffer is copied too, since its request may end and
 * give the buffer to the next one (owned-buffer.ts) while onnxruntime still reads it.
 */
function batchInputs(parts: readonly (readonly Tensor[])[]): readonly Tensor[] {
  const first = parts[0] ?? [];
  if (parts.length === 1) return first.map((t) => (isShared(t) ? copyTensor(t, batchBuffers.allocate) : t));
  return first.map((_, column) => mergeTensors(parts.map((inputs) => inputs[column]!), batchBuffers.allocate));
}

/** A view on shared memory, which onnxruntime refuses as a feed ("Invalid argument"). */
function isShared(tensor: Tensor): boolean {
  return !Array.isArray(tensor.data) && tensor.data.buffer instanceof SharedArrayBuffer;
}

async function run(session: ort.InferenceSession, message: RunMessage): Promise<void> {
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of batchInputs(message.parts)) feeds[input.name] = toOrt(input);
    const results = await session.run(feeds, [...message.outputs]);
    const outputs = message.outputs.map((name) => fromOrt(name, results[name]!));
    const { tensors, transfer } = forTransfer(outputs);
    post({ type: 'result', id: message.id, outputs: tensors }, transfer);
  } catch (error) {
    post({ type: 'error', id: message.id, error: toErrorShape(error) });
  }
}

async function main(): Promise<void> {
  let session: ort.InferenceSession;
  try {
    const opened = await openSession(workerData as ThreadSettings);
    session = opened.session;
    post({ type: 'ready', device: opened.device, warning: opened.warning, inputNames: session.inputNames, outputNames: session.outputNames });
  } catch (error) {
    post({ type: 'failed', error: toErrorShape(error) });
    return;
  }
  // session.run returns before onnxruntime reads its feeds; chaining keeps the next batch from
  // being merged into the buffers of one still running.
  let previous = Promise.resolve();
  port!.on('message', (message: ToSessionThread) => {
    previous = previous.then(() => run(session, message));
  });
}

void main();
