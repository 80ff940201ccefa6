import type { Command } from '../command.js';
import { modelsCommand } from './models.js';
import { workerCommand } from './worker.js';

/** Every subcommand, in the order `switchyard --help` lists them. */
export const commands: readonly Command[] = [workerCommand, modelsCommand];
