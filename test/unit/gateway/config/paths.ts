import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so tests pass from src (tsx) and from dist. */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test file');
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRoot();
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'config');
export const EXAMPLES = path.join(REPO_ROOT, 'config');
