import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEVCONTAINER_JSON, DOCKERFILE } from '../../core/src/devcontainer/index';
import { copyFixture, devcontainerErrors, fakeNvidiaSmi, listFiles, mlops, tempProject } from './helpers';

/** PATH without any real nvidia-smi, optionally with a fake one first. */
function envWith(extraPath?: string): NodeJS.ProcessEnv {
  const base = (process.env['PATH'] ?? '').split(path.delimiter).filter((d) => !fs.existsSync(path.join(d, 'nvidia-smi')));
  return { ...process.env, PATH: [...(extraPath ? [extraPath] : []), ...base].join(path.delimiter), NO_COLOR: '1' };
}

describe('mlops devcontainer generate (the real binary)', function () {
  this.timeout(60_000);

  it('--dry-run --format json prints {detected, files} and writes nothing', () => {
    const dir = copyFixture('sklearn-cpu');
    const before = listFiles(dir);
    const r = mlops(['devcontainer', 'generate', '--dir', dir, '--dry-run', '--format', 'json'], { env: envWith() });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { detected: { python: { version: string } }; files: Record<string, string> };
    assert.deepEqual(Object.keys(out), ['detected', 'files']);
    assert.deepEqual(Object.keys(out.files), [DEVCONTAINER_JSON, DOCKERFILE]);
    assert.equal(out.detected.python.version, '3.11');
    assert.deepEqual(devcontainerErrors(out.files[DEVCONTAINER_JSON]!), []);
    assert.deepEqual(listFiles(dir), before);
  });

  it('writes both files, then leaves identical ones alone', () => {
    const dir = copyFixture('poetry');
    const first = mlops(['devcontainer', 'generate', '--dir', dir, '--extra', 'dev'], { env: envWith() });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /✓ wrote \.devcontainer\/devcontainer\.json, \.devcontainer\/Dockerfile/);
    assert.match(fs.readFileSync(path.join(dir, DOCKERFILE), 'utf8'), /--with dev \\$/m);
    const again = mlops(['devcontainer', 'generate', '--dir', dir, '--extra', 'dev'], { env: envWith() });
    assert.equal(again.status, 0);
    assert.match(again.stdout, /unchanged: \.devcontainer\/devcontainer\.json, \.devcontainer\/Dockerfile/);
  });

  it('refuses to overwrite an edited file without --force, showing the diff; --force overwrites', () => {
    const dir = copyFixture('sklearn-cpu');
    assert.equal(mlops(['devcontainer', 'generate', '--dir', dir], { env: envWith() }).status, 0);
    const file = path.join(dir, DOCKERFILE);
    const edited = fs.readFileSync(file, 'utf8').replace('ARG USER_UID=1000', 'ARG USER_UID=1234');
    fs.writeFileSync(file, edited);
    const refused = mlops(['devcontainer', 'generate', '--dir', dir], { env: envWith() });
    assert.equal(refused.status, 1);
    assert.match(refused.stdout, /^--- a\/\.devcontainer\/Dockerfile$/m);
    assert.match(refused.stdout, /^-ARG USER_UID=1234$/m);
    assert.match(refused.stdout, /^\+ARG USER_UID=1000$/m);
    assert.equal(refused.stderr, 'mlops devcontainer: .devcontainer/Dockerfile already exists with other content (diff on stdout); rerun with --force to overwrite.\n');
    assert.equal(fs.readFileSync(file, 'utf8'), edited);
    const forced = mlops(['devcontainer', 'generate', '--dir', dir, '--force'], { env: envWith() });
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(fs.readFileSync(file, 'utf8'), /^ARG USER_UID=1000$/m);
  });

  it("the machine's GPU counts only with --gpu auto, and never changes the CUDA version", () => {
    const dir = tempProject('vision');
    fs.writeFileSync(path.join(dir, 'requirements.txt'), 'torch==2.5.1\n');
    const smi = fakeNvidiaSmi();
    type Out = { detected: { hostGpu?: unknown; gpu: { need: string } }; files: Record<string, string> };
    const run = (env: NodeJS.ProcessEnv, ...extra: string[]) => {
      const r = mlops(['devcontainer', 'generate', '--dir', dir, '--dry-run', '--format', 'json', ...extra], { env });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as Out;
    };
    // The default answer is the same on a GPU machine and without one: nvidia-smi is not even asked.
    const trace = path.join(smi, 'called');
    const tracing = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-trace-smi-'));
    fs.writeFileSync(path.join(tracing, 'nvidia-smi'), `#!/bin/sh\ntouch ${trace}\nexit 1\n`, { mode: 0o755 });
    const plain = run(envWith(tracing));
    assert.equal(fs.existsSync(trace), false);
    assert.deepEqual(plain.files, run(envWith()).files);
    assert.equal(plain.detected.gpu.need, 'none');

    const auto = run(envWith(smi), '--gpu', 'auto');
    assert.deepEqual(auto.detected.hostGpu, { gpus: ['NVIDIA A100-SXM4-40GB'], driver: '550.54.15', cuda: '12.4' });
    assert.match(auto.files[DEVCONTAINER_JSON]!, /"gpu": "optional"/);
    // torch 2.5 wheels are CUDA 12.4 builds, whatever the machine: --gpu on without a GPU picks the same runtime.
    const base = /^ARG BASE_IMAGE=(.*)$/m;
    assert.equal(base.exec(auto.files[DOCKERFILE]!)![1], 'nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04');
    assert.equal(base.exec(run(envWith(), '--gpu', 'on').files[DOCKERFILE]!)![1], 'nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04');

    assert.equal(run(envWith(tracing), '--gpu', 'off').detected.hostGpu, undefined);
    assert.equal(fs.existsSync(trace), false);
  });

  it('explains usage errors in one sentence with exit code 2', () => {
    const cases: [string[], RegExp][] = [
      [['--gpu', 'maybe'], /--gpu must be project, auto, on or off\./],
      [['--python', '3'], /--python takes a version like 3\.11, not '3'\./],
      [['--base-image', 'Not An Image'], /--base-image 'Not An Image' is not a valid image reference\./],
      [['--extra', 'gpu'], /--extra gpu: not an optional group of this project \(it has none\)\./],
      [['--jupyter', '--no-jupyter'], /--jupyter and --no-jupyter contradict each other\./],
    ];
    const dir = copyFixture('notebooks-only');
    for (const [args, message] of cases) {
      const r = mlops(['devcontainer', 'generate', '--dir', dir, ...args], { env: envWith() });
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
    const none = mlops(['devcontainer'], { env: envWith() });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /Name a sub-command: generate or build\./);
  });

  it('build says what to do when there is no devcontainer.json', () => {
    const dir = tempProject('bare');
    const r = mlops(['devcontainer', 'build', '--dir', dir], { env: envWith() });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /devcontainer\.json does not exist; run 'mlops devcontainer generate' first\./);
  });

  it('build says so, and exits, when the engine at DOCKER_HOST accepts connections but never answers', async () => {
    const dir = tempProject('silent');
    assert.equal(mlops(['devcontainer', 'generate', '--dir', dir], { env: envWith() }).status, 0);
    const sock = path.join(dir, 'silent.sock');
    // Connections queue in the socket's backlog while the test waits: nobody ever answers them.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(sock, resolve));
    try {
      const r = mlops(['devcontainer', 'build', '--dir', dir], { env: { ...envWith(), DOCKER_HOST: `unix://${sock}` }, timeout: 30_000 });
      assert.equal(r.signal, null, 'still running after 30 s: the unanswered ping kept it alive');
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `mlops devcontainer build: No Docker engine answers at unix://${sock} (no answer within 3000 ms); start Docker or set DOCKER_HOST to a running engine.\n`);
    } finally {
      silent.close();
    }
  });
});
