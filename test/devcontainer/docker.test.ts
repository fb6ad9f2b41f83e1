import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { DEVCONTAINER_JSON, parseJsonc } from '../../core/src/devcontainer/index';
import { waitFor } from '../wait';
import { buildEvents, engineOrSkip, devcontainerErrors, dockerHost, MLOPS, mlops, REPO, tempProject } from './helpers';

/** The base image the test builds FROM; made locally by scripts/devcontainer-base-image.sh. */
const BASE = 'mlops-test/python-base:2';
/** The Python of that base (Debian bookworm). */
const BASE_PYTHON = '3.11';
const CHURN = path.join(REPO, 'examples', 'churn');

const events = buildEvents;

describe('devcontainer: a real docker build', function () {
  this.timeout(10 * 60_000);
  const host = dockerHost();
  const env = { ...process.env, ...(host ? { DOCKER_HOST: host } : {}) };
  const tag = `mlops-test/devcontainer-churn:${process.pid}`;
  let docker: Docker;

  before(async function () {
    docker = await engineOrSkip(this, host, 'the docker build tests');
    const made = spawnSync('bash', [path.join(REPO, 'scripts', 'devcontainer-base-image.sh'), BASE], { env, encoding: 'utf8', timeout: 8 * 60_000 });
    assert.equal(made.status, 0, `building ${BASE} failed:\n${made.stdout}\n${made.stderr}`);
  });

  after(async () => {
    if (!docker) return;
    for (const t of [tag, `${tag}-cancel`])
      await docker
        .getImage(t)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('builds the generated Dockerfile of examples/churn FROM a local base, and the postCreate check passes in the container', () => {
    const dir = tempProject('churn', CHURN);
    const gen = mlops(['devcontainer', 'generate', '--dir', dir, '--python', BASE_PYTHON, '--base-image', BASE], { env });
    assert.equal(gen.status, 0, gen.stderr);
    const text = fs.readFileSync(path.join(dir, DEVCONTAINER_JSON), 'utf8');
    assert.deepEqual(devcontainerErrors(text), []);
    assert.equal((parseJsonc(text) as { build: { args: Record<string, string> } }).build.args['BASE_IMAGE'], BASE);

    const started = Date.now();
    const build = mlops(['devcontainer', 'build', '--dir', dir, '--tag', tag, '--verify', '--format', 'json'], { env, timeout: 5 * 60_000 });
    assert.equal(build.status, 0, `${build.stdout}\n${build.stderr}`);
    const ev = events(build.stdout);
    assert.ok(
      ev.some((e) => e.type === 'step' && /^Step 1\/\d+ : ARG BASE_IMAGE=mlops-test\/python-base:2$/.test(e.text!)),
      'progress is streamed step by step',
    );
    assert.deepEqual(ev.find((e) => e.type === 'done')?.image, tag);
    const verify = ev.find((e) => e.type === 'verify');
    assert.deepEqual({ exitCode: verify?.exitCode, output: verify?.output?.trim() }, { exitCode: 0, output: `Dev container ready: Python ${BASE_PYTHON}` });
    console.log(`      (build and check took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  });

  it('the image runs as the non-root user, with the virtual environment first on PATH', async () => {
    const info = await docker.getImage(tag).inspect();
    assert.equal(info.Config.User, 'vscode');
    assert.ok(info.Config.Env.includes('VIRTUAL_ENV=/opt/venv'));
    assert.ok(info.Config.Env.some((e) => e.startsWith('PATH=/opt/venv/bin:')));
  });

  it('a source edit reuses every layer; a manifest edit re-runs only the install layer', () => {
    const dir = tempProject('churn', CHURN);
    assert.equal(mlops(['devcontainer', 'generate', '--dir', dir, '--python', BASE_PYTHON, '--base-image', BASE], { env }).status, 0);
    const build = () => {
      const r = mlops(['devcontainer', 'build', '--dir', dir, '--tag', tag, '--format', 'json'], { env, timeout: 5 * 60_000 });
      assert.equal(r.status, 0, r.stderr);
      // Each step's log is followed by "Using cache" when the layer is reused.
      const out = events(r.stdout);
      const steps = new Map<string, boolean>();
      let current = '';
      for (const e of out) {
        if (e.type === 'step') steps.set((current = e.text!.replace(/^Step \d+\/\d+ : /, '')), false);
        else if (e.type === 'log' && /Using cache/.test(e.text!)) steps.set(current, true);
      }
      return steps;
    };
    build();
    fs.appendFileSync(path.join(dir, 'src', 'train.py'), '\n# an edit\n');
    const afterSource = build();
    assert.ok(
      [...afterSource].filter(([s]) => /^(RUN|COPY)/.test(s)).every(([, cached]) => cached),
      JSON.stringify([...afterSource]),
    );
    // Unique text: the engine keys COPY layers by content, and earlier runs may have cached any fixed edit.
    fs.appendFileSync(path.join(dir, 'requirements.txt'), `# edited ${process.pid} ${Date.now()}\n`);
    const afterManifest = build();
    const install = [...afterManifest].filter(([s]) => /^RUN pip install/.test(s));
    const venv = [...afterManifest].filter(([s]) => /^RUN python3 -m venv/.test(s));
    assert.deepEqual([install.map(([, c]) => c), venv.map(([, c]) => c)], [[false], [true]]);
  });

  it('a check that fails fails the command (the image has Python 3.11, the config wants 3.10)', () => {
    const dir = tempProject('churn', CHURN);
    assert.equal(mlops(['devcontainer', 'generate', '--dir', dir, '--python', '3.10', '--base-image', BASE], { env }).status, 0);
    const r = mlops(['devcontainer', 'build', '--dir', dir, '--tag', tag, '--verify', '--format', 'json'], { env, timeout: 5 * 60_000 });
    assert.equal(r.status, 1);
    const verify = events(r.stdout).find((e) => e.type === 'verify');
    assert.equal(verify?.exitCode, 1);
    assert.match(verify!.output!, /AssertionError: Python 3\.11 runs here but the image was made for 3\.10; rebuild the container/);
    assert.match(r.stderr, /the postCreate check failed in mlops-test\/devcontainer-churn:\d+ \(exit 1\)/);
  });

  it('SIGTERM cancels a running build and the engine stops it', async () => {
    const dir = tempProject('slow');
    fs.mkdirSync(path.join(dir, '.devcontainer'));
    fs.writeFileSync(path.join(dir, '.devcontainer', 'devcontainer.json'), '{ "build": { "dockerfile": "Dockerfile" } }\n');
    const marker = `mlops-cancel-${process.pid}-${Date.now()}`;
    fs.writeFileSync(path.join(dir, '.devcontainer', 'Dockerfile'), `FROM ${BASE}\nRUN echo ${marker} && sleep 120\n`);
    const child = spawn(process.execPath, [MLOPS, 'devcontainer', 'build', '--dir', dir, '--tag', `${tag}-cancel`, '--format', 'json'], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(
      () => `the RUN step to start:\n${stdout}\n${stderr}`,
      () => stdout.includes(`"text":"${marker}"`),
      60_000,
      50,
    );
    child.kill('SIGTERM');
    assert.equal(await exited, 130);
    assert.match(stderr, /The build was cancelled\./);
    // Stopped, not waited for: the 120 s RUN step never finished, so no image was tagged.
    assert.doesNotMatch(stdout, /"type":"done"/);
    await assert.rejects(docker.getImage(`${tag}-cancel`).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
    // The engine notices the closed connection and removes the build's container.
    let left: Docker.ContainerInfo[] = [];
    await waitFor(
      () => `the build container to be removed; still there: ${JSON.stringify(left.map((c) => c.State))}`,
      async () => {
        left = (await docker.listContainers({ all: true })).filter((c) => c.Command.includes(marker));
        return left.length === 0;
      },
      30_000,
      250,
    );
  });
});
