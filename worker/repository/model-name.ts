import { resolve, sep } from 'node:path';
import { SwitchyardError } from '../../protocol/errors.js';
import { WorkerErrorCode } from '../errors.js';

/**
 * The one rule for model names, used by `models register`, the repository scan, the repository
 * API and the registry: 1 to 128 characters of letters, digits, '_', '.' and '-', starting with a
 * letter or digit, and never containing '..'. A name is therefore one path segment that cannot
 * climb out of the repository, and it reads the same in a URL, a gRPC field and a folder name.
 */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Said in every refusal, so the message names what was expected. */
export const MODEL_NAME_RULE = "1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit, without '..'";

export function isValidModelName(name: string): boolean {
  return MODEL_NAME_PATTERN.test(name) && !name.includes('..');
}

/** Why `name` is refused, or undefined when it follows the rule. `field` says where it came from. */
export function modelNameProblem(name: string, field: string): string | undefined {
  if (isValidModelName(name)) return undefined;
  return `${field}: expected a model name (${MODEL_NAME_RULE}), received ${JSON.stringify(name)}`;
}

export function invalidModelName(name: string, field: string): SwitchyardError {
  return new SwitchyardError(WorkerErrorCode.INVALID_MODEL_NAME, 400, modelNameProblem(name, field) ?? `${field}: invalid model name`);
}

/**
 * The folder of model `name` in `repo`: checked against the name rule, and checked again after
 * resolving that it is a direct child of the repository folder, so no caller can be handed a
 * path outside it. Links the operator placed in the repository are followed as before
 * (repositories are often assembled from links); a name alone can only select an entry of the
 * repository folder itself.
 */
export function modelDirectory(repo: string, name: string, field = 'model name'): string {
  if (!isValidModelName(name)) throw invalidModelName(name, field);
  const root = resolve(repo);
  const dir = resolve(root, name);
  if (dir !== root + sep + name) throw invalidModelName(name, field);
  return dir;
}
