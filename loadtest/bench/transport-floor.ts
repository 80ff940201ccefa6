import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const LOAD_SCRIPT = fileURLToPath(new URL('./image-upload-load.js', import.meta.url));

/**
 * Runs `measure` while another process uploads bench-cnn images to `url` at `rate` per second
 * (32 connections, paced by autocannon per connection and second), and returns its value.
 * Pointed at a server that reads and drops the body, this prices the transport alone: what
 * loopback TCP, node:http and the load generator take from onnxruntime on a machine they share.
 */
export async function whileUploading<T>(url: string, rate: number, seconds: number, measure: () => Promise<T>): Promise<T> {
  // The load outlasts the measurement: the session is created after the first answer.
  const child = spawn(process.execPath, [LOAD_SCRIPT, url, String(Math.round(rate)), String(seconds + 3), '32'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (event: string): Promise<Record<string, unknown>> => {
    for (let line = await lines.next(); !line.done; line = await lines.next()) {
      const parsed = JSON.parse(line.value) as Record<string, unknown>;
      if (parsed.event === event) return parsed;
    }
    throw new Error(`image-upload-load exited before '${event}'`);
  };
  await next('started');
  const value = await measure();
  await next('done');
  return value;
}
