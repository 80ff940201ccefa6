import type { Command } from '../command.js';
import { backendsCommand } from './backends.js';
import { configCommand } from './config.js';
import { experimentsCommand } from './experiments.js';
import { gatewayCommand } from './gateway.js';
import { modelsCommand } from './models.js';
import { rolloutCommand } from './rollout.js';
import { upCommand } from './up.js';
import { workerCommand } from './worker.js';

/** Every subcommand, in the order `switchyard --help` lists them. */
export const commands: readonly Command[] = [upCommand, gatewayCommand, workerCommand, modelsCommand, configCommand, experimentsCommand, rolloutCommand, backendsCommand];
