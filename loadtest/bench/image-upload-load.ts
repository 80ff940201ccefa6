/**
 * A paced load of bench-cnn uploads in a process of its own, for bench:worker's transport
 * floor: it posts one-image requests to a URL at a fixed rate while the bench process runs
 * onnxruntime (session.run blocks the bench's thread, so the load cannot run beside it there).
 *
 *   node dist/loadtest/bench/image-upload-load.js URL RATE SECONDS CONNECTIONS
 *
 * Prints {"event":"started"} after the first answer and {"event":"done", ...result} at the end.
 */
import { closedLoop } from '../harness/closed-loop.js';
import { cnnRequests } from './worker-requests.js';

const [url, rate, seconds, connections] = process.argv.slice(2);
if (url === undefined || url === '--help') {
  process.stdout.write('Usage: node dist/loadtest/bench/image-upload-load.js URL RATE SECONDS CONNECTIONS\n');
} else {
  let started = false;
  const result = await closedLoop({
    url,
    ...cnnRequests(4),
    connections: Number(connections),
    durationSeconds: Number(seconds),
    overallRate: Number(rate),
    onSample: () => {
      if (started) return;
      started = true;
      process.stdout.write(JSON.stringify({ event: 'started' }) + '\n');
    },
  });
  process.stdout.write(JSON.stringify({ event: 'done', ...result }) + '\n');
}
