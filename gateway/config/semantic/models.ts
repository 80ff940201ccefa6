import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MODEL_CONFIG_FILE, MODEL_FILE } from '../../../worker/repository/layout.js';
import { modelConfigSchema } from '../../../worker/repository/model-config.js';
import type { ConfigFinding } from '../errors.js';
import { error, warning } from '../errors.js';
import type { GatewayConfig } from '../schema.js';
import type { Check, CheckContext } from './context.js';

/** Triton's per-model config; Switchyard reads model.yaml instead. */
const TRITON_CONFIG = 'config.pbtxt';
const EXPECTED_LAYOUT = `<models>/<name>/<version>/${MODEL_FILE} (with an optional <models>/<name>/${MODEL_CONFIG_FILE})`;

/**
 * What the config check can see of the local pools' model repositories (pools with
 * `endpoints` run elsewhere and are not looked at). A repository that cannot be read yet
 * (`switchyard up` builds the demo models on first start) is not an error here.
 */
export const checkModelRepositories: Check = (config, context) => [
  ...checkLayouts(config, context),
  ...checkWorkerLevels(config, context),
];

/**
 * A Triton repository (config.pbtxt) or a model.onnx without a version folder loads nothing:
 * the worker skips such folders, so the route would answer 404. Warn, naming the layout.
 */
function checkLayouts(config: GatewayConfig, context: CheckContext): ConfigFinding[] {
  const findings: ConfigFinding[] = [];
  for (const [name, pool] of localPools(config)) {
    const root = path.resolve(context.baseDir, pool.models);
    const entries = context.listDir?.(root);
    if (entries === undefined) continue;
    const at = ['pools', name, 'models'];
    if (entries.some((e) => !e.directory && e.name === MODEL_FILE)) {
      findings.push(warning(at, `${root} holds ${MODEL_FILE} directly; the worker loads ${EXPECTED_LAYOUT}, so move it to ${path.join(root, '<name>', '1', MODEL_FILE)}`));
    }
    for (const model of entries.filter((e) => e.directory)) {
      const inside = context.listDir?.(path.join(root, model.name)) ?? [];
      const files = inside.filter((e) => !e.directory).map((e) => e.name);
      if (files.includes(TRITON_CONFIG)) {
        findings.push(warning(at, `model '${model.name}' has a Triton ${TRITON_CONFIG}, which Switchyard does not read; it expects ${EXPECTED_LAYOUT}, with batching and inputs in ${MODEL_CONFIG_FILE} (docs/worker.md)`));
      } else if (files.includes(MODEL_FILE)) {
        findings.push(warning(at, `model '${model.name}' holds ${MODEL_FILE} without a version folder, so it is not loaded; the worker expects ${EXPECTED_LAYOUT}, e.g. ${path.join(root, model.name, '1', MODEL_FILE)}`));
      }
    }
  }
  return findings;
}

/**
 * `priority.workerLevels` becomes the v2 parameter `priority`; the worker answers 400 to a
 * level above its model's `dynamicBatching.priorityLevels` (default 1). Checked for every
 * model-aware backend of the route whose pool's model.yaml can be read.
 */
function checkWorkerLevels(config: GatewayConfig, context: CheckContext): ConfigFinding[] {
  const findings: ConfigFinding[] = [];
  config.routes.forEach((route, i) => {
    const levels = route.resilience?.priority?.workerLevels;
    if (levels === undefined) return;
    for (const backendName of new Set(routeBackends(route))) {
      const backend = config.backends[backendName];
      if (backend?.model === undefined || backend.pool === undefined) continue;
      const pool = config.pools[backend.pool];
      if (pool === undefined || pool.endpoints !== undefined) continue;
      const modelDir = path.resolve(context.baseDir, pool.models, backend.model);
      const available = priorityLevels(modelDir, context);
      if (available === undefined) continue;
      for (const cls of ['high', 'normal', 'low'] as const) {
        const level = levels[cls];
        if (level === undefined || level <= available) continue;
        findings.push(error(['routes', i, 'resilience', 'priority', 'workerLevels', cls],
          `is ${level}, but model '${backend.model}' (backend '${backendName}', pool '${backend.pool}') has dynamicBatching.priorityLevels ${available} in ${path.join(modelDir, MODEL_CONFIG_FILE)}; the worker would answer 400 to every ${cls}-priority request, so use ${available === 1 ? 'level 1 only' : `levels 1 to ${available}`} or set priorityLevels: ${maxLevel(levels)} in ${MODEL_CONFIG_FILE}`));
      }
    }
  });
  return findings;
}

/** The model's priority levels; undefined when its folder cannot be read or its model.yaml is not valid (the worker says why). */
function priorityLevels(modelDir: string, context: CheckContext): number | undefined {
  if (context.listDir?.(modelDir) === undefined) return undefined;
  const text = context.readText?.(path.join(modelDir, MODEL_CONFIG_FILE));
  if (text === undefined) return modelConfigSchema.parse({}).dynamicBatching.priorityLevels;
  try {
    const parsed = modelConfigSchema.safeParse(parseYaml(text) ?? {});
    return parsed.success ? parsed.data.dynamicBatching.priorityLevels : undefined;
  } catch {
    return undefined;
  }
}

function maxLevel(levels: Partial<Record<'high' | 'normal' | 'low', number>>): number {
  return Math.max(...Object.values(levels).filter((l): l is number => l !== undefined));
}

function localPools(config: GatewayConfig): [string, GatewayConfig['pools'][string]][] {
  return Object.entries(config.pools).filter(([, pool]) => pool.endpoints === undefined);
}

function routeBackends(route: GatewayConfig['routes'][number]): string[] {
  if (route.backend !== undefined) return [route.backend];
  const r = route.rollout;
  if (r !== undefined) return r.strategy === 'canary' ? [r.stable, r.canary] : [r.active, r.preview];
  return route.experiment?.variants.map((v) => v.backend) ?? [];
}
