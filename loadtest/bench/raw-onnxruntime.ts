import ort from 'onnxruntime-node';

export interface RawPoint {
  readonly batch: number;
  readonly rowsPerSecond: number;
  readonly msPerBatch: number;
}

/**
 * The ceiling: onnxruntime's own throughput in this process, no server, no threads hop,
 * for one input of shape [batch, ...rowShape] filled with a fixed pattern.
 */
export async function rawThroughput(
  modelPath: string,
  input: { name: string; rowShape: readonly number[] },
  batches: readonly number[],
  options: { intraOpThreads: number; seconds: number },
): Promise<RawPoint[]> {
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: options.intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    // As the worker runs its sessions (model.yaml threads.spinning defaults to false).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
  const rowSize = input.rowShape.reduce((a, b) => a * b, 1);
  const points: RawPoint[] = [];
  for (const batch of batches) {
    const data = new Float32Array(batch * rowSize).map((_, i) => ((i * 7919) % 1000) / 1000);
    const feeds = { [input.name]: new ort.Tensor('float32', data, [batch, ...input.rowShape]) };
    await session.run(feeds);
    let runs = 0;
    const started = performance.now();
    while (performance.now() - started < options.seconds * 1000) {
      await session.run(feeds);
      runs++;
    }
    const elapsed = (performance.now() - started) / 1000;
    points.push({ batch, rowsPerSecond: (runs * batch) / elapsed, msPerBatch: (elapsed * 1000) / runs });
  }
  await session.release();
  return points;
}
