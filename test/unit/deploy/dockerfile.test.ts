import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_ADMIN_PORT, DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT } from '../../../gateway/config/defaults.js';
import { protoPath } from '../../../protocol/grpc/load.js';
import { irisCsvPath } from '../../../worker/demo-models/iris-data.js';
import { deviceSchema } from '../../../worker/repository/model-config.js';
import { DEFAULT_WORKER_GRPC_PORT, DEFAULT_WORKER_HTTP_PORT } from '../../../worker/start-worker.js';
import { cliArgumentProblems, readRepoFile, ROOT } from '../../helpers/deploy/deploy-files.js';
import type { Stage } from '../../helpers/deploy/dockerfile-parse.js';
import { copies, execForm, parseDockerfile, runCommands, stage } from '../../helpers/deploy/dockerfile-parse.js';

const pkg = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string>; bin: Record<string, string>; engines: { node: string } };

/** `npm ci` as .ci/run runs it, e.g. ['--no-audit', '--no-fund']. */
function ciNpmCiFlags(): string[] {
  const line = readRepoFile('.ci/run').split('\n').map((l) => l.trim()).find((l) => l.startsWith('npm ci'));
  assert.ok(line, '.ci/run runs npm ci');
  return line.split(/\s+/).slice(2);
}

/**
 * Where a repository path lands in the runtime image, relative to WORKDIR /app, or undefined
 * when no COPY brings it. Sources from other stages are absolute /app paths.
 */
function landsAt(s: Stage, path: string): string | undefined {
  for (const c of copies(s)) {
    for (const raw of c.sources) {
      const source = c.from === undefined ? raw : relative('/app', raw);
      if (path !== source && !path.startsWith(source + '/')) continue;
      const dest = c.dest.replace(/^\.\//, '').replace(/^\/app\/?/, '');
      const base = c.dest.endsWith('/') ? join(dest, source.split('/').at(-1)!) : dest === '' || dest === '.' ? source : dest;
      return join(base, path.slice(source.length));
    }
  }
  return undefined;
}

/**
 * What the CLI can load, following static and dynamic imports from dist/cli/main.js: the top
 * folders of dist/ it reaches, and the packages any file in them imports (worker threads are
 * started from computed URLs, so every file of a shipped folder counts; node: builtins aside).
 */
function cliReach(): { folders: Set<string>; packages: Set<string> } {
  const dist = join(ROOT, 'dist');
  const seen = new Set<string>();
  const queue = [join(dist, 'cli', 'main.js')];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|new URL\(\s*`?)['"`](\.{1,2}\/[^'"`$]+)['"`]/g)) {
      const target = resolve(dirname(file), m[1]!);
      // A folder URL (the dashboard's static/ and lib/) is served whole; its top folder is reached already.
      if (existsSync(target) && statSync(target).isFile()) queue.push(target);
    }
  }
  const folders = new Set([...seen].map((f) => relative(dist, f).split('/')[0]!));
  const packages = new Set<string>();
  for (const folder of folders) {
    for (const file of readdirSync(join(dist, folder), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))) {
      // Comment lines aside: prose such as "from 'self' only" (the dashboard's CSP) is no import.
      const code = readFileSync(join(dist, folder, file), 'utf8').split('\n').filter((l) => !/^\s*(?:\/\/|\/?\*)/.test(l)).join('\n');
      for (const m of code.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^.'"][^'"]*)['"]/g)) {
        const specifier = m[1]!;
        if (specifier.startsWith('node:')) continue;
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
      }
    }
  }
  return { folders, packages };
}

for (const file of ['Dockerfile', 'Dockerfile.cuda']) {
  describe(file, () => {
    const { args, stages } = parseDockerfile(readRepoFile(file));
    const build = stage(stages, 'build');
    const deps = stage(stages, 'deps');
    const runtime = stage(stages, 'runtime');

    it('builds with the commands CI runs: npm ci with its flags, then the build script npm test builds with', () => {
      const run = runCommands(build);
      const ci = run.find((c) => c.startsWith('npm ci'));
      assert.ok(ci, 'the build stage runs npm ci');
      for (const flag of ciNpmCiFlags()) assert.ok(ci.split(' ').includes(flag), `npm ci in the build stage lacks CI's ${flag}`);
      assert.ok(run.includes('npm run build'), 'the build stage runs npm run build');
      // CI's `npm test` builds through pretest: the same script.
      assert.equal(pkg.scripts.pretest, 'npm run build');
      for (const c of [...run, ...runCommands(deps)]) {
        const script = /^npm run (\S+)/.exec(c)?.[1];
        if (script !== undefined) assert.ok(pkg.scripts[script], `npm run ${script} is not a package.json script`);
      }
    });

    it('sets ONNXRUNTIME_NODE_INSTALL in the environment before every npm ci (skip in the CPU image)', () => {
      const wanted = file === 'Dockerfile' ? { build: 'skip', deps: 'skip' } : { build: 'skip', deps: 'cuda12' };
      for (const s of [build, deps]) {
        const envAt = s.instructions.findIndex((i) => i.op === 'ENV' && i.args.startsWith('ONNXRUNTIME_NODE_INSTALL='));
        const ciAt = s.instructions.findIndex((i) => i.op === 'RUN' && i.args.includes('npm ci'));
        assert.ok(envAt !== -1 && envAt < ciAt, `stage ${s.name}: ONNXRUNTIME_NODE_INSTALL is set before npm ci`);
        const value = s.instructions[envAt]!.args.slice('ONNXRUNTIME_NODE_INSTALL='.length).replace(/^\$\{(\w+)\}$/, (_, n: string) => args[n] ?? '');
        assert.equal(value, wanted[s.name as 'build' | 'deps'], `stage ${s.name}`);
        // npm warns that the .npmrc key stops working in its next major version: the image does not rely on it.
        assert.ok(!copies(s).some((c) => c.sources.includes('.npmrc')), `stage ${s.name} copies no .npmrc`);
      }
    });

    it('keeps only the linux x64 binaries of onnxruntime-node, and checks the binding is still there', () => {
      assert.equal(args.ORT_PLATFORM, 'linux/x64');
      const run = runCommands(deps);
      const prune = run.findIndex((c) => c.startsWith('find node_modules/onnxruntime-node/bin') && c.includes('rm -rf'));
      assert.ok(prune > run.findIndex((c) => c.startsWith('npm rebuild onnxruntime-node')), 'pruned after the install script ran');
      assert.match(run[prune]!, /-mindepth 3 -maxdepth 3 -type d ! -path "\*\/napi-v\*\/\$\{ORT_PLATFORM\}"/);
      assert.ok(run.includes('ls node_modules/onnxruntime-node/bin/napi-v*/${ORT_PLATFORM}/onnxruntime_binding.node'));
    });

    it('installs production dependencies only for the runtime, and runs their install scripts', () => {
      const ci = runCommands(deps).find((c) => c.startsWith('npm ci'));
      assert.ok(ci?.split(' ').includes('--omit=dev'), `deps runs npm ci --omit=dev; found ${String(ci)}`);
      // --ignore-scripts keeps this package's prepare (tsc) out; the dependencies' own scripts run by name.
      const lock = JSON.parse(readRepoFile('package-lock.json')) as { packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }> };
      const withScripts = Object.entries(lock.packages).filter(([path, p]) => p.hasInstallScript && !p.dev && path.split('node_modules/').length === 2).map(([path]) => path.split('node_modules/')[1]!);
      const rebuild = runCommands(deps).find((c) => c.startsWith('npm rebuild '))?.split(' ').slice(2) ?? [];
      assert.deepEqual(rebuild.sort(), withScripts.sort());
      assert.deepEqual(copies(runtime).filter((c) => c.sources.some((s) => s.includes('node_modules'))).map((c) => c.from), ['deps']);
    });

    it('runs on glibc Node matching package.json engines (onnxruntime-node has no musl build)', () => {
      const major = /(\d+)/.exec(pkg.engines.node)![1]!;
      // A digest may follow the tag (docs/operations.md, "Pinning the base images").
      assert.match(args.NODE_IMAGE ?? '', new RegExp(`^node:${major}-bookworm-slim(@sha256:[0-9a-f]{64})?$`));
      for (const s of stages) assert.doesNotMatch(s.from, /alpine/);
    });

    it('ships exactly the dist folders the CLI loads, with the layout the code resolves from', () => {
      const copied = new Set(copies(runtime).filter((c) => c.from === 'build').flatMap((c) => c.sources).map((s) => relative('/app/dist', s)));
      assert.deepEqual([...copied].sort(), [...cliReach().folders].sort());
      for (const folder of copied) assert.equal(landsAt(runtime, `dist/${folder}`), `dist/${folder}`);
    });

    it('needs no dev dependency at run time (npm ci --omit=dev leaves them out)', () => {
      const dependencies = (JSON.parse(readRepoFile('package.json')) as { dependencies: Record<string, string> }).dependencies;
      const packages = [...cliReach().packages];
      assert.ok(packages.includes('onnxruntime-node'), 'the walk sees package imports');
      for (const name of packages) assert.ok(dependencies[name], `${name} is imported by the CLI but is not in dependencies`);
    });

    it('ships the files the code reads at run time, where it looks for them', () => {
      // package.json: "type": "module" for dist/, and the root the .proto lookup climbs to.
      const needed = ['package.json', relative(ROOT, protoPath('grpc_service.proto')), relative(ROOT, protoPath('health.proto')), relative(ROOT, irisCsvPath())];
      for (const path of needed) assert.equal(landsAt(runtime, path), path, `${path} reaches the image at /app/${path}`);
      const workdir = runtime.instructions.filter((i) => i.op === 'WORKDIR').at(-1)?.args;
      assert.equal(workdir, '/app');
    });

    it('runs as an unprivileged user with switchyard (package.json bin) as the entrypoint', () => {
      const user = runtime.instructions.filter((i) => i.op === 'USER').at(-1)?.args;
      assert.ok(user !== undefined && user !== 'root' && user !== '0', `USER is ${String(user)}`);
      assert.deepEqual(execForm(runtime, 'ENTRYPOINT'), ['switchyard']);
      const link = runCommands(runtime).find((c) => c.startsWith('ln -s'));
      assert.equal(link, `ln -s /app/${pkg.bin.switchyard!} /usr/local/bin/switchyard`);
      assert.deepEqual(cliArgumentProblems(execForm(runtime, 'CMD') ?? []), []);
    });

    it('exposes the default ports the code listens on', () => {
      const exposed = runtime.instructions.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(' ')).map(Number);
      const wanted = file === 'Dockerfile'
        ? [DEFAULT_HTTP_PORT, DEFAULT_GRPC_PORT, DEFAULT_ADMIN_PORT, DEFAULT_WORKER_HTTP_PORT, DEFAULT_WORKER_GRPC_PORT]
        : [DEFAULT_WORKER_HTTP_PORT, DEFAULT_WORKER_GRPC_PORT];
      assert.deepEqual(exposed.sort(), wanted.sort());
    });
  });
}

describe('Dockerfile.cuda', () => {
  const { args, stages } = parseDockerfile(readRepoFile('Dockerfile.cuda'));

  it('installs onnxruntime-node with its CUDA 12 provider on a CUDA 12 + cuDNN runtime base', () => {
    const deps = stage(stages, 'deps');
    assert.ok(deps.instructions.some((i) => i.op === 'ENV' && i.args === 'ONNXRUNTIME_NODE_INSTALL=cuda12'));
    assert.ok(runCommands(deps).some((c) => c.startsWith('npm rebuild onnxruntime-node')), 'its install script runs (npm rebuild) after --ignore-scripts');
    assert.match(args.CUDA_IMAGE ?? '', /^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-/);
    assert.equal(stage(stages, 'runtime').from, args.CUDA_IMAGE);
  });

  it('starts a GPU worker by default', () => {
    const cmd = execForm(stage(stages, 'runtime'), 'CMD') ?? [];
    assert.deepEqual(cliArgumentProblems(cmd), []);
    const device = cmd[cmd.indexOf('--device') + 1] ?? '';
    assert.ok(deviceSchema.safeParse(device).success && device !== 'cpu', `--device ${device}`);
  });
});

describe('.dockerignore', () => {
  const ignored = readRepoFile('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

  it('keeps installed and built output and models out of the build context', () => {
    for (const path of ['node_modules', 'dist', 'models', '.git']) assert.ok(ignored.includes(path), `${path} is ignored`);
  });

  it('ignores nothing the Dockerfiles copy from the context', () => {
    for (const file of ['Dockerfile', 'Dockerfile.cuda']) {
      const { stages } = parseDockerfile(readRepoFile(file));
      const sources = stages.flatMap((s) => copies(s).filter((c) => c.from === undefined).flatMap((c) => c.sources)).filter((s) => s !== '.');
      for (const source of sources) {
        assert.ok(existsSync(join(ROOT, source)), `${file} copies ${source}, which exists`);
        assert.ok(!ignored.some((p) => source === p || source.startsWith(p + '/')), `${file} copies ${source}, which .dockerignore drops`);
      }
    }
  });
});
