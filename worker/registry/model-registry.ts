import { join } from 'node:path';
import type { BatchObserver } from '../batching/observer.js';
import type { Logger } from '../../observability/logger.js';
import { modelNotFound, versionNotFound } from '../errors.js';
import { MODEL_FILE, scanRepository } from '../repository/layout.js';
import { readOnnxSignature } from '../repository/onnx-signature.js';
import { resolveSignature } from '../repository/signature.js';
import { compareVersions, selectVersions } from '../repository/version-policy.js';
import type { LoadedVersion, RunnerFactory } from './types.js';

/** Device settings for models whose model.yaml names none (a pool's, passed by `switchyard up`). */
export interface DeviceDefaults {
  readonly device?: string;
  readonly onGpuUnavailable?: 'fallback' | 'fail';
}

/**
 * The model versions this worker serves. Loading reads each version's signature, starts its
 * runner and warms it up before the version reports READY.
 */
export class ModelRegistry {
  private readonly models = new Map<string, Map<string, LoadedVersion>>();

  constructor(
    private readonly createRunner: RunnerFactory,
    private readonly log: Logger,
    private readonly observer?: BatchObserver,
    private readonly deviceDefaults: DeviceDefaults = {},
  ) {}

  /** Loads every model of a repository under its version policy. Fails on the first bad model. */
  async loadRepository(dir: string): Promise<void> {
    for (const scanned of await scanRepository(dir)) {
      // A model's own model.yaml wins; the pool's device (from `switchyard up`) applies otherwise.
      const model = {
        ...scanned,
        config: {
          ...scanned.config,
          device: scanned.config.device ?? this.deviceDefaults.device,
          onGpuUnavailable: scanned.config.onGpuUnavailable ?? this.deviceDefaults.onGpuUnavailable,
        },
      };
      for (const version of selectVersions(model.versions, model.config.versionPolicy)) {
        const modelPath = join(model.dir, version, MODEL_FILE);
        const where = `${model.name}/${version}`;
        const signature = resolveSignature(await readOnnxSignature(modelPath), model.config, where);
        const started = Date.now();
        const runner = await this.createRunner({ model: model.name, version, modelPath, config: model.config, signature, observer: this.observer });
        if (runner.warning) this.log.warn({ model: model.name, version, device: runner.device }, runner.warning);
        const entry: LoadedVersion = { model: model.name, version, modelPath, config: model.config, signature, runner, state: 'LOADING' };
        this.versionsOf(model.name).set(version, entry);
        if (model.config.warmup) await runner.warmup();
        entry.state = 'READY';
        this.log.info({ model: model.name, version, device: runner.device, ms: Date.now() - started }, 'model version ready');
      }
    }
  }

  private versionsOf(model: string): Map<string, LoadedVersion> {
    let versions = this.models.get(model);
    if (!versions) {
      versions = new Map();
      this.models.set(model, versions);
    }
    return versions;
  }

  /** The version to serve: the one named, or the highest READY one. Throws 404 errors. */
  resolve(model: string, version?: string): LoadedVersion {
    const versions = this.models.get(model);
    if (!versions) throw modelNotFound(model, this.modelNames());
    if (version !== undefined) {
      const entry = versions.get(version);
      if (!entry) throw versionNotFound(model, version, this.versionNames(model));
      return entry;
    }
    const ready = [...versions.values()].filter((v) => v.state === 'READY').sort((a, b) => compareVersions(b.version, a.version));
    const entry = ready[0] ?? [...versions.values()].sort((a, b) => compareVersions(b.version, a.version))[0];
    if (!entry) throw modelNotFound(model, this.modelNames());
    return entry;
  }

  modelNames(): string[] {
    return [...this.models.keys()].sort();
  }

  versionNames(model: string): string[] {
    return [...(this.models.get(model)?.keys() ?? [])].sort(compareVersions);
  }

  all(): LoadedVersion[] {
    return [...this.models.values()].flatMap((m) => [...m.values()]);
  }

  allReady(): boolean {
    const all = this.all();
    return all.length > 0 && all.every((v) => v.state === 'READY');
  }

  /** Stops taking work, lets queued and running requests finish, then stops the runners. */
  async close(): Promise<void> {
    const all = this.all();
    for (const v of all) v.state = 'UNLOADING';
    await Promise.all(all.map((v) => v.runner.close()));
  }
}
