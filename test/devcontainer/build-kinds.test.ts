/**
 * The build check: three generated projects of different kinds — pip with nested includes and
 * `-e .`, uv with a lock, conda with a pip section — built on a real engine from local base
 * images, installing from a local package index of wheels written here, and then imported in
 * the image. uv and conda cannot be installed on this machine, so their binaries are small
 * stand-ins (test/fixtures/devcontainer/build/standins) plugged in where the generated
 * Dockerfile takes them: the UV_IMAGE build argument and a base image with /opt/conda.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { DEVCONTAINER_JSON, DOCKERFILE, parseJsonc } from '../../core/src/devcontainer/index';
import { buildEvents, engineOrSkip, dockerHost, MLOPS, mlops, REPO, tempProject } from './helpers';
import { servePackageIndex, writeWheel, type FakePackage, type PackageIndex } from './package-index';

const PYTHON_BASE = 'mlops-test/python-base:2';
const CONDA_BASE = 'mlops-test/conda-standin:1';
const UV_IMAGE = 'mlops-test/uv-standin:1';
const BUILD = path.join(REPO, 'test', 'fixtures', 'devcontainer', 'build');

/** Fake distributions, each importable and reporting its version; names follow the packages real projects list. */
const moduleCode = (name: string, version: string, extra = '') => `__version__ = "${version}"\nNAME = "${name}"\n${extra}`;
const PACKAGES: FakePackage[] = [
  { name: 'torch', version: '2.4.1', modules: { torch: moduleCode('torch', '2.4.1') } },
  { name: 'torch', version: '2.5.1', modules: { torch: moduleCode('torch', '2.5.1') } },
  // A newer torch the constraint file must keep out.
  { name: 'torch', version: '2.6.0', modules: { torch: moduleCode('torch', '2.6.0') } },
  { name: 'numpy', version: '1.26.4', modules: { numpy: moduleCode('numpy', '1.26.4') } },
  { name: 'PyYAML', version: '6.0.1', modules: { yaml: moduleCode('yaml', '6.0.1') } },
  { name: 'pandas', version: '2.2.2', modules: { pandas: moduleCode('pandas', '2.2.2', 'import numpy\n') }, requires: ['numpy>=1.26'] },
  { name: 'scipy', version: '1.13.1', modules: { scipy: moduleCode('scipy', '1.13.1', 'import numpy\n') }, requires: ['numpy'] },
  { name: 'scikit-learn', version: '1.5.1', modules: { sklearn: moduleCode('sklearn', '1.5.1', 'import numpy, scipy\n') }, requires: ['numpy', 'scipy'] },
  { name: 'pytest', version: '8.3.3', modules: { pytest: moduleCode('pytest', '8.3.3') } },
];

/** A port that stays the same between runs of one checkout, so build arguments (and so cached layers) do too. */
function stablePort(): number {
  let h = 0;
  for (const c of REPO) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 40000 + (h % 2000);
}

/** Runs the real `mlops` binary without blocking this process, whose event loop serves the package index meanwhile. */
function mlopsAsync(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MLOPS, ...args], { env, cwd: REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('devcontainer: build checks for three kinds of project (pip, uv, conda) from a local package index', function () {
  this.timeout(15 * 60_000);
  const host = dockerHost();
  const env = { ...process.env, ...(host ? { DOCKER_HOST: host } : {}) };
  let docker: Docker;
  let index: PackageIndex;
  const tags: string[] = [];

  before(async function () {
    docker = await engineOrSkip(this, host, 'the build checks');
    const made = spawnSync('bash', [path.join(REPO, 'scripts', 'devcontainer-base-image.sh'), PYTHON_BASE], { env, encoding: 'utf8', timeout: 8 * 60_000 });
    assert.equal(made.status, 0, `building ${PYTHON_BASE} failed:\n${made.stdout}\n${made.stderr}`);
    // The stand-in images, made once per engine and reused by tag.
    const standin = (tag: string, dockerfile: string, files: string[]) => {
      if (spawnSync('docker', ['image', 'inspect', tag], { env }).status === 0) return;
      const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-standin-'));
      for (const f of files) fs.copyFileSync(path.join(BUILD, 'standins', f), path.join(ctx, f));
      fs.writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile);
      const r = spawnSync('docker', ['build', '-q', '-t', tag, ctx], { env, encoding: 'utf8', timeout: 5 * 60_000 });
      assert.equal(r.status, 0, `building ${tag} failed:\n${r.stdout}\n${r.stderr}`);
    };
    standin(UV_IMAGE, 'FROM scratch\nCOPY uv /uv\n', ['uv']);
    standin(CONDA_BASE, `FROM ${PYTHON_BASE}\nCOPY conda /opt/conda/bin/conda\nCOPY conda.sh /opt/conda/etc/profile.d/conda.sh\nRUN chmod 755 /opt/conda/bin/conda && mkdir -p /opt/conda/envs\n`, ['conda', 'conda.sh']);
    const wheels = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-wheels-'));
    for (const p of PACKAGES) writeWheel(wheels, p);
    index = await servePackageIndex(wheels, stablePort());
  });

  after(async () => {
    await index?.close();
    if (!docker) return;
    // Each image stays under a fixed `:cache` tag so the next run reuses its layers; the run's own tag goes.
    for (const t of tags) {
      await docker
        .getImage(t)
        .tag({ repo: t.split(':')[0]!, tag: 'cache' })
        .catch(() => undefined);
      await docker
        .getImage(t)
        .remove({ noprune: true })
        .catch(() => undefined);
    }
  });

  /** Copies a build fixture (with the in-tree build backend), generates, points the build at the local index, builds and verifies. */
  async function buildProject(name: string, generateArgs: string[], args: Record<string, string>) {
    const dir = tempProject(name, path.join(BUILD, name));
    fs.mkdirSync(path.join(dir, '_build'));
    fs.copyFileSync(path.join(BUILD, 'backend.py'), path.join(dir, '_build', 'backend.py'));
    const gen = mlops(['devcontainer', 'generate', '--dir', dir, ...generateArgs], { env });
    assert.equal(gen.status, 0, gen.stderr);
    // A mirror is configured as a user would: build arguments in devcontainer.json.
    const file = path.join(dir, DEVCONTAINER_JSON);
    const json = parseJsonc(fs.readFileSync(file, 'utf8')) as { build: { args: Record<string, string> } };
    Object.assign(json.build.args, args);
    fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    const tag = `mlops-test/devcontainer-${name}:${process.pid}`;
    tags.push(tag);
    const started = Date.now();
    const build = await mlopsAsync(['devcontainer', 'build', '--dir', dir, '--tag', tag, '--network', 'host', '--verify', '--format', 'json'], env, 8 * 60_000);
    const ev = build.stdout ? buildEvents(build.stdout) : [];
    console.log(`      (${name}: build and check took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    assert.equal(
      build.status,
      0,
      `${ev
        .map((e) => e.text ?? e.output ?? '')
        .join('\n')
        .slice(-4000)}\n${build.stderr}`,
    );
    return { dir, tag, dockerfile: fs.readFileSync(path.join(dir, DOCKERFILE), 'utf8'), verify: ev.find((e) => e.type === 'verify')!, log: ev.map((e) => e.text ?? '').join('\n') };
  }

  /** Runs Python in the built image (no network) and returns its output. */
  function inImage(tag: string, code: string, python = 'python'): string {
    const r = spawnSync('docker', ['run', '--rm', '--network', 'none', tag, python, '-c', code], { env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  }

  it('pip: nested -r includes, a -c constraint and -e . — the includes are copied, -e . waits for postCreate, and everything imports', async () => {
    const b = await buildProject('pip-includes', ['--python', '3.11', '--base-image', PYTHON_BASE], { PIP_INDEX_URL: index.url });
    assert.match(b.dockerfile, /^COPY requirements\/train\/base\.txt \/tmp\/mlops-deps\/requirements\/train\/base\.txt$/m);
    assert.match(b.dockerfile, /^COPY requirements\/common\.txt \/tmp\/mlops-deps\/requirements\/common\.txt$/m);
    assert.doesNotMatch(b.dockerfile, /docs\.txt/, 'the docs tooling file is neither copied nor installed');
    assert.deepEqual({ exit: b.verify.exitCode, out: b.verify.output?.trim().split('\n').pop() }, { exit: 0, out: 'Dev container ready: Python 3.11 with torch, numpy, yaml, pandas' });
    // The constraint chose torch 2.5.1 over the newer 2.6.0 on the index; the project's own pandas came from pyproject.toml.
    assert.equal(inImage(b.tag, 'import torch, numpy, yaml, pandas; print(torch.__version__, numpy.__version__, yaml.__version__, pandas.__version__)'), '2.5.1 1.26.4 6.0.1 2.2.2');
    // The project itself is not in the image: it is installed from the workspace by postCreateCommand.
    assert.equal(inImage(b.tag, 'import importlib.util; print(importlib.util.find_spec("vision_lab"))'), 'None');
    assert.ok(!index.requested.includes('sphinx'), 'nothing asked the index for the docs tooling');
  });

  it('uv: uv sync --frozen from uv.lock (locked versions, the default dev group), the project installed by postCreate', async () => {
    const b = await buildProject('uv-lock', ['--python', '3.11', '--base-image', PYTHON_BASE], { UV_IMAGE, UV_INDEX_URL: index.url, PIP_INDEX_URL: index.url });
    assert.match(b.dockerfile, /^FROM \$\{UV_IMAGE\} AS uv$/m);
    assert.match(b.dockerfile, /^COPY pyproject\.toml uv\.lock \/tmp\/mlops-deps\/$/m);
    assert.match(b.dockerfile, /uv sync --frozen --inexact --no-install-project --group dev$/m);
    // The install layer may come from the cache of an earlier run; when it ran, the stand-in said what the lock pinned.
    if (!/uv sync --frozen[^\n]*\n ---> Using cache/.test(b.log)) assert.match(b.log, /uv stand-in: installing numpy==1\.26\.4, pytest==8\.3\.3, scipy==1\.13\.1, torch==2\.4\.1/);
    assert.deepEqual({ exit: b.verify.exitCode, out: b.verify.output?.trim().split('\n').pop() }, { exit: 0, out: 'Dev container ready: Python 3.11 with torch, scipy' });
    // The lock pins torch 2.4.1 although the index offers 2.5.1 and 2.6.0.
    assert.equal(inImage(b.tag, 'import torch, scipy, numpy, pytest; print(torch.__version__, scipy.__version__, pytest.__version__)'), '2.4.1 1.13.1 8.3.3');
  });

  it('conda: a named environment (not base) from environment.yml with a pip section, activated for the user', async () => {
    const b = await buildProject('conda-pip', ['--base-image', CONDA_BASE], { PIP_INDEX_URL: index.url });
    assert.match(b.dockerfile, /conda create --yes --name forecast-env "python=3\.11"/);
    assert.match(b.dockerfile, /^COPY environment\.yml requirements\.txt \/tmp\/mlops-deps\/$/m);
    assert.doesNotMatch(b.dockerfile, /--name base/);
    assert.deepEqual({ exit: b.verify.exitCode, out: b.verify.output?.trim().split('\n').pop() }, { exit: 0, out: 'Dev container ready: Python 3.11 with sklearn, numpy, pandas' });
    assert.equal(inImage(b.tag, 'import sys, numpy, pandas, sklearn; print(sys.prefix, numpy.__version__, pandas.__version__, sklearn.__version__)'), '/opt/conda/envs/forecast-env 1.26.4 2.2.2 1.5.1');
    // A login shell of the user activates the environment too.
    const r = spawnSync('docker', ['run', '--rm', '--network', 'none', b.tag, 'bash', '-ic', 'echo $CONDA_DEFAULT_ENV; command -v python'], { env, encoding: 'utf8' });
    assert.deepEqual(r.stdout.trim().split('\n').slice(-2), ['forecast-env', '/opt/conda/envs/forecast-env/bin/python']);
  });
});
