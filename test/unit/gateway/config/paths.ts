import path from 'node:path';
import { repoRoot } from '../../../helpers/repo-root.js';

export const REPO_ROOT = repoRoot();
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'config');
export const EXAMPLES = path.join(REPO_ROOT, 'config');
