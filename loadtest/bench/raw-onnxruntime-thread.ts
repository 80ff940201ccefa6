/** One session of rawLayoutThroughput: posts 'ready' once open, then one RawPoint per batch asked for. */
import { parentPort, workerData } from 'node:worker_threads';
import { RawSession, type RawInput } from './raw-onnxruntime.js';

const { modelPath, intraOpThreads } = workerData as { modelPath: string; intraOpThreads: number };
const session = await RawSession.open(modelPath, intraOpThreads);
parentPort!.on('message', (ask: { input: RawInput; batch: number; seconds: number }) => {
  void session.measure(ask.input, ask.batch, ask.seconds).then((point) => parentPort!.postMessage(point));
});
parentPort!.postMessage('ready');
