import { join } from 'node:path';
import type { BatchObserver } from '../batching/observer.js';
import type { Logger } from '../../observability/logger.js';
import { SwitchyardError } from '../../protocol/errors.js';
import { WorkerErrorCode, manifestMismatch, modelLoadFailed, modelNotFound, modelNotInRepository, modelNotReady, versionNotFound } from '../errors.js';
import { MODEL_FILE, scanModel, scanRepository, type RepositoryModel } from '../repository/layout.js';
import { invalidModelName, isValidModelName } from '../repository/model-name.js';
import { ManifestError, verifyVersion } from '../repository/manifest.js';
import { readOnnxSignature } from '../repository/onnx-signature.js';
import { resolveSignature, type ServedSignature } from '../repository/signature.js';
import { compareVersions, selectVersions } from '../repository/version-policy.js';
import { createEnsembleRunner, ensembleSignature } from './ensemble-runner.js';
import type { LoadedVersion, RunnerFactory, VersionRunner } from './types.js';

/** Device settings for models whose model.yaml names none (a pool's, passed by `switchyard up`). */
export interface DeviceDefaults {
  readonly device?: string;
  readonly onGpuUnavailable?: 'fallback' | 'fail';
}

/** One row of the repository index (Triton's repository extension, plus the loaded file's sha256). */
export interface IndexEntry {
  readonly name: string;
  readonly version: string;
  /** READY, LOADING, UNLOADING, or UNAVAILABLE (in the repository, not loaded). */
  readonly state: string;
  readonly reason: string;
  readonly sha256?: string;
}

/**
 * The model versions this worker serves, and the only place they change. Loading verifies the
 * file against its manifest, reads the signature, starts the runner and warms it up before the
 * version reports READY; unloading marks it UNLOADING (requests for the model go to another
 * ready version at once) and waits for its queued and running requests before stopping it.
 * Changes run one at a time, in the order asked.
 */
export class ModelRegistry {
  private readonly models = new Map<string, Map<string, LoadedVersion>>();
  private repoDir: string | undefined;
  /** Models unloaded through the API: a repository poll leaves them unloaded until loaded again. */
  private readonly unloadedByRequest = new Set<string>();
  /** The last load failure per model, for the index. */
  private readonly failures = new Map<string, string>();
  private changes: Promise<unknown> = Promise.resolve();
  /**
   * Versions a change is about to load, by model, known before the first of them loads: a
   * request for one answers 503 MODEL_NOT_READY (retry) rather than 404 while the worker starts.
   */
  private readonly pending = new Map<string, Set<string>>();

  constructor(
    private readonly createRunner: RunnerFactory,
    private readonly log: Logger,
    private readonly observer?: BatchObserver,
    private readonly deviceDefaults: DeviceDefaults = {},
  ) {}

  get repository(): string | undefined {
    return this.repoDir;
  }

  /** Loads every model of a repository under its version policy (ensembles last). Fails on the first bad model. */
  loadRepository(dir: string): Promise<void> {
    this.repoDir = dir;
    return this.serialise(async () => {
      const models = ensemblesLast(await scanRepository(dir, this.skipped));
      for (const model of models) this.expect(model);
      try {
        for (const model of models) await this.apply(model);
      } finally {
        this.pending.clear();
      }
    });
  }

  /**
   * Triton's `load`: reads the model's folder again and brings the loaded versions in line with
   * its version policy: new versions are loaded and warmed up first, then versions the policy
   * no longer keeps are unloaded. Throws (404/400) when the model is missing or fails to load.
   */
  loadModel(name: string): Promise<void> {
    // Refused before it waits its turn: a bad name never reaches the file system.
    if (!isValidModelName(name)) return Promise.reject(invalidModelName(name, 'model name'));
    return this.serialise(async () => {
      const dir = this.requireRepository();
      const model = await scanModel(dir, name);
      if (!model) throw modelNotInRepository(name, dir);
      this.unloadedByRequest.delete(name);
      await this.apply(model).catch((err: unknown) => {
        const error = err instanceof SwitchyardError ? err : modelLoadFailed(name, err);
        this.failures.set(name, error.message);
        throw error;
      });
      this.failures.delete(name);
    });
  }

  /** Triton's `unload`: every version of the model; resolves once their in-flight requests have finished. */
  unloadModel(name: string): Promise<void> {
    if (!isValidModelName(name)) return Promise.reject(invalidModelName(name, 'model name'));
    return this.serialise(async () => {
      const versions = this.models.get(name);
      if (!versions) throw modelNotFound(name, this.modelNames());
      this.unloadedByRequest.add(name);
      await Promise.all([...versions.keys()].map((v) => this.unloadVersion(name, v)));
    });
  }

  /**
   * One repository poll: applies each model's policy (new versions load, old ones unload), loads
   * new models and unloads models whose folder is gone. A model that fails to load is logged and
   * reported in the index; the others go on.
   */
  poll(): Promise<void> {
    return this.serialise(async () => {
      const dir = this.requireRepository();
      const scanned = ensemblesLast(await scanRepository(dir, this.skipped));
      for (const model of scanned) {
        if (this.unloadedByRequest.has(model.name)) continue;
        try {
          await this.apply(model);
          this.failures.delete(model.name);
        } catch (err) {
          this.failures.set(model.name, (err as Error).message);
          this.log.error({ model: model.name, err: (err as Error).message }, 'model failed to load during the repository poll');
        }
      }
      const present = new Set(scanned.map((m) => m.name));
      for (const name of this.modelNames()) {
        if (!present.has(name)) for (const v of this.versionNames(name)) await this.unloadVersion(name, v);
      }
    });
  }

  /** Every model version in the repository or loaded, with its state (Triton's repository index). */
  async index(): Promise<IndexEntry[]> {
    const entries = new Map<string, IndexEntry>();
    if (this.repoDir !== undefined) {
      for (const model of await scanRepository(this.repoDir).catch(() => [])) {
        for (const version of model.versions) {
          const reason = this.failures.get(model.name) ?? (this.unloadedByRequest.has(model.name) ? 'unloaded' : 'not kept by the version policy');
          entries.set(`${model.name}\0${version}`, { name: model.name, version, state: 'UNAVAILABLE', reason });
        }
      }
    }
    for (const v of this.all()) {
      entries.set(`${v.model}\0${v.version}`, { name: v.model, version: v.version, state: v.state, reason: '', ...(v.sha256 ? { sha256: v.sha256 } : {}) });
    }
    return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : compareVersions(a.version, b.version)));
  }

  /** A repository folder whose name breaks the rule: said once per scan, never loaded. */
  private readonly skipped = (name: string, reason: string): void => {
    this.log.warn({ folder: name }, `skipped: ${reason}`);
  };

  private requireRepository(): string {
    if (this.repoDir === undefined) throw new Error('no repository has been loaded');
    return this.repoDir;
  }

  private serialise<T>(change: () => Promise<T>): Promise<T> {
    const run = this.changes.then(change, change);
    this.changes = run.catch(() => undefined);
    return run;
  }

  /** Loads the versions the policy keeps that are not loaded, then unloads the ones it no longer keeps. */
  private async apply(scanned: RepositoryModel): Promise<void> {
    // A model's own model.yaml wins; the pool's device (from `switchyard up`) applies otherwise.
    const model = {
      ...scanned,
      config: {
        ...scanned.config,
        device: scanned.config.device ?? this.deviceDefaults.device,
        onGpuUnavailable: scanned.config.onGpuUnavailable ?? this.deviceDefaults.onGpuUnavailable,
      },
    };
    const wanted = this.expect(model);
    try {
      for (const version of wanted) {
        if (!this.models.get(model.name)?.has(version)) await this.loadVersion(model, version);
      }
    } finally {
      this.pending.delete(model.name);
    }
    for (const version of this.versionNames(model.name)) {
      if (!wanted.includes(version)) await this.unloadVersion(model.name, version);
    }
  }

  /** Marks the versions the policy keeps and that are not loaded as pending; returns the versions the policy keeps. */
  private expect(model: RepositoryModel): string[] {
    const wanted = selectVersions(model.versions, model.config.versionPolicy);
    const missing = wanted.filter((v) => !this.models.get(model.name)?.has(v));
    if (missing.length > 0) this.pending.set(model.name, new Set(missing));
    return wanted;
  }

  private async loadVersion(model: RepositoryModel, version: string): Promise<void> {
    const where = `${model.name}/${version}`;
    const started = Date.now();
    const versionDir = join(model.dir, version);
    const modelPath = join(versionDir, MODEL_FILE);
    let signature: ServedSignature;
    let runner: VersionRunner;
    let sha256: string | undefined;
    let manifest;
    if (model.config.ensemble) {
      signature = ensembleSignature(model.config, (m) => this.resolve(m).signature, where);
      runner = createEnsembleRunner(model.name, model.config.ensemble, this);
    } else {
      try {
        ({ sha256, manifest } = await verifyVersion(versionDir, where));
      } catch (err) {
        if (err instanceof ManifestError) throw manifestMismatch(err.message);
        throw err;
      }
      signature = resolveSignature(await readOnnxSignature(modelPath), model.config, where);
      runner = await this.createRunner({ model: model.name, version, modelPath, config: model.config, signature, observer: this.observer });
    }
    if (runner.warning) this.log.warn({ model: model.name, version, device: runner.device }, runner.warning);
    const entry: LoadedVersion = { model: model.name, version, modelPath, config: model.config, signature, runner, state: 'LOADING', sha256, manifest };
    this.versionsOf(model.name).set(version, entry);
    try {
      if (model.config.warmup) await runner.warmup();
    } catch (err) {
      this.models.get(model.name)?.delete(version);
      if (this.models.get(model.name)?.size === 0) this.models.delete(model.name);
      await runner.close();
      throw err;
    }
    entry.state = 'READY';
    this.log.info({ model: model.name, version, device: runner.device, sha256, ms: Date.now() - started }, 'model version ready');
  }

  /** Not ready at once (new requests for the model go to another ready version), gone once its requests finished. */
  private async unloadVersion(model: string, version: string): Promise<void> {
    const entry = this.models.get(model)?.get(version);
    if (!entry) return;
    entry.state = 'UNLOADING';
    const started = Date.now();
    await entry.runner.close();
    const versions = this.models.get(model);
    versions?.delete(version);
    if (versions?.size === 0) this.models.delete(model);
    this.log.info({ model, version, ms: Date.now() - started }, 'model version unloaded');
  }

  private versionsOf(model: string): Map<string, LoadedVersion> {
    let versions = this.models.get(model);
    if (!versions) {
      versions = new Map();
      this.models.set(model, versions);
    }
    return versions;
  }

  /**
   * The version to serve: the one named, or the highest READY one. Throws 404 for what the
   * worker neither serves nor is loading, 503 MODEL_NOT_READY for what it is about to load.
   */
  resolve(model: string, version?: string): LoadedVersion {
    const versions = this.models.get(model);
    if (!versions) {
      const loading = this.pending.get(model);
      if (loading === undefined) throw modelNotFound(model, this.modelNames());
      if (version !== undefined && !loading.has(version)) throw versionNotFound(model, version, []);
      throw modelNotReady(model, version, 'loading');
    }
    if (version !== undefined) {
      const entry = versions.get(version);
      if (!entry && this.pending.get(model)?.has(version)) throw modelNotReady(model, version, 'loading');
      if (!entry) throw versionNotFound(model, version, this.versionNames(model));
      return entry;
    }
    // Every unversioned inference call comes here: one pass, no arrays.
    let highestReady: LoadedVersion | undefined;
    let highest: LoadedVersion | undefined;
    for (const entry of versions.values()) {
      if (highest === undefined || compareVersions(entry.version, highest.version) > 0) highest = entry;
      if (entry.state === 'READY' && (highestReady === undefined || compareVersions(entry.version, highestReady.version) > 0)) highestReady = entry;
    }
    const entry = highestReady ?? highest;
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

  /**
   * Every loaded model has a READY version. A version loading or unloading next to a ready one
   * does not make the worker unready, so live changes never take a replica out of rotation.
   */
  allReady(): boolean {
    const models = [...this.models.values()];
    return models.length > 0 && models.every((versions) => [...versions.values()].some((v) => v.state === 'READY'));
  }

  /** Stops taking work, lets queued and running requests finish, then stops the runners. */
  async close(): Promise<void> {
    const all = this.all();
    for (const v of all) v.state = 'UNLOADING';
    await Promise.all(all.map((v) => v.runner.close()));
  }
}

/** The version a readiness call asks about, or the MODEL_NOT_READY error of one still loading (any other error is thrown). */
export function resolveForReadiness(registry: ModelRegistry, model: string, version: string | undefined): LoadedVersion | SwitchyardError {
  try {
    return registry.resolve(model, version);
  } catch (err) {
    if (err instanceof SwitchyardError && err.code === WorkerErrorCode.MODEL_NOT_READY) return err;
    throw err;
  }
}

function ensemblesLast(models: RepositoryModel[]): RepositoryModel[] {
  return [...models.filter((m) => !m.config.ensemble), ...models.filter((m) => m.config.ensemble)];
}
