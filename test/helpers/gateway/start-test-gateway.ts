import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../observability/logger.js';
import { startGateway, type RunningGateway, type StartGatewayOptions } from '../../../gateway/start-gateway.js';

export interface TestGateway {
  readonly gateway: RunningGateway;
  /** http(s)://127.0.0.1:PORT of the data listener. */
  readonly url: string;
  readonly adminUrl: string;
  readonly configPath: string;
  /** Replaces the config file atomically (write + rename) and reloads at once. */
  rewrite(yaml: string): Promise<void>;
  stop(): Promise<void>;
}

/** A gateway on free loopback ports from YAML text written to a temporary config file. */
export async function startTestGateway(yaml: string, options: Partial<StartGatewayOptions> = {}): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-gw-'));
  const configPath = join(dir, 'gateway.yaml');
  await writeFile(configPath, yaml);
  const gateway = await startGateway({
    configPath, log: silentLogger(), httpPort: 0, httpHost: '127.0.0.1', adminPort: 0, adminHost: '127.0.0.1', grpcPort: 0, grpcHost: '127.0.0.1', adminToken: '', ...options,
  });
  let generation = 0;
  return {
    gateway,
    url: `${gateway.scheme}://127.0.0.1:${gateway.httpPort}`,
    adminUrl: `http://127.0.0.1:${gateway.adminPort}`,
    configPath,
    async rewrite(text) {
      const staging = join(dir, `.gateway.yaml.${generation++}`);
      await writeFile(staging, text);
      await rename(staging, configPath);
      await gateway.reload();
    },
    stop: () => gateway.drain(),
  };
}
