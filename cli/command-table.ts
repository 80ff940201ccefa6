import type { Command } from './command.js';

/**
 * What `switchyard --help` lists, and how to load each command. A command's module (and
 * everything it imports: onnxruntime, the gateway, Redis clients) is imported only when that
 * command runs, so `switchyard rollout abort` does not pay for loading the worker.
 */
export interface CommandEntry {
  readonly name: string;
  /** One line for `switchyard --help`; the same as the loaded command's `summary`. */
  readonly summary: string;
  load(): Promise<Command>;
}

/** Every subcommand, in the order `switchyard --help` lists them. */
export const commandTable: readonly CommandEntry[] = [
  { name: 'up', summary: 'run the whole stack on this machine: worker pools and the gateway (npm start)', load: async () => (await import('./commands/up.js')).upCommand },
  { name: 'gateway', summary: 'run one gateway replica from a config file', load: async () => (await import('./commands/gateway.js')).gatewayCommand },
  { name: 'worker', summary: 'serve a model repository over the Open Inference Protocol v2', load: async () => (await import('./commands/worker.js')).workerCommand },
  { name: 'models', summary: 'build the demo models; register a version with its manifest; list versions and where they are loaded', load: async () => (await import('./commands/models.js')).modelsCommand },
  { name: 'config', summary: 'validate a config file: every error with file:line:column', load: async () => (await import('./commands/config.js')).configCommand },
  { name: 'experiments', summary: 'experiment results from a running gateway: list, results ID, stop ID, export ID', load: async () => (await import('./commands/experiments.js')).experimentsCommand },
  { name: 'rollout', summary: 'list, watch and drive canary and blue-green rollouts (list, status [--watch], set-weight, promote, abort, pause, resume, switch)', load: async () => (await import('./commands/rollout.js')).rolloutCommand },
  { name: 'backends', summary: 'backend and endpoint health from a running gateway: state, reason, since when, live traffic', load: async () => (await import('./commands/backends.js')).backendsCommand },
];
