import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../repo-root.js';

/** The k6 modules the stand-in provides, by import specifier, and the file under vu/ that implements each. */
const MODULES: Record<string, { readonly file: string; readonly hasDefault: boolean }> = {
  k6: { file: 'k6.js', hasDefault: false },
  'k6/http': { file: 'http.js', hasDefault: true },
  'k6/metrics': { file: 'metrics.js', hasDefault: false },
  'k6/execution': { file: 'execution.js', hasDefault: true },
};

/**
 * loadtest/k6 compiled for Node into a temporary folder: each .ts file transpiled on its own
 * (types are the lint's job: tsc -p loadtest/k6/tsconfig.json), `./x.ts` imports rewritten to
 * `./x.js`, and a node_modules/k6 package beside them whose subpaths re-export the stand-in,
 * so `import http from 'k6/http'` resolves with Node's own rules. Returns the folder.
 */
async function compile(): Promise<string> {
  const source = join(repoRoot(), 'loadtest', 'k6');
  const out = await mkdtemp(join(tmpdir(), 'switchyard-k6-'));
  const files = (await readdir(source, { recursive: true, encoding: 'utf8' })).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const { outputText } = ts.transpileModule(await readFile(join(source, file), 'utf8'), {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, rewriteRelativeImportExtensions: true },
    });
    const target = join(out, 'scripts', file.replace(/\.ts$/, '.js'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
  await writeFile(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
  const pkg = join(out, 'node_modules', 'k6');
  await mkdir(pkg, { recursive: true });
  const exports: Record<string, string> = {};
  for (const [specifier, { file, hasDefault }] of Object.entries(MODULES)) {
    const url = new URL(`./vu/${file}`, import.meta.url).href;
    await writeFile(join(pkg, file), `export * from '${url}';\n${hasDefault ? `export { default } from '${url}';\n` : ''}`);
    exports[specifier === 'k6' ? '.' : `./${relative('k6', specifier)}`] = `./${file}`;
  }
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'k6', type: 'module', exports }));
  return join(out, 'scripts');
}

let compiled: Promise<string> | undefined;

/** The folder of compiled scripts (compiled once per process). */
export function compiledK6Scripts(): Promise<string> {
  compiled ??= compile();
  return compiled;
}
