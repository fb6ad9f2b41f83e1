import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import Docker from 'dockerode';
import { startEngineProxy } from './engine-proxy';
import { finished, mlops, parseRun, project, removeProjects, spawnMlops, stopSpawned, task, waitFor } from './helpers';

/** The engine scripts/docker-up.sh starts, unless DOCKER_HOST names another. */
const DOCKER_HOST = process.env.DOCKER_HOST ?? 'unix:///tmp/mlops-docker/docker.sock';
const IMAGE = 'mlops-test/busybox:1';

/**
 * Against a real engine. CI sets MLOPS_REQUIRE_DOCKER=1, and then a missing engine or image
 * fails the suite; elsewhere these tests are skipped, saying why.
 */
describe('docker executor (real engine)', function () {
  after(removeProjects);
  this.timeout(60_000);
  const env = { DOCKER_HOST };
  let docker: Docker;

  before(async function () {
    const previous = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = DOCKER_HOST;
    docker = new Docker();
    if (previous === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = previous;
    const problem = await docker.ping().then(
      () =>
        docker
          .getImage(IMAGE)
          .inspect()
          .then(
            () => undefined,
            () => `the image ${IMAGE} is missing`,
          ),
      (e: Error) => `no Docker engine answers at ${DOCKER_HOST} (${e.message})`,
    );
    if (!problem) return;
    const message = `${problem}; run scripts/docker-up.sh`;
    if (process.env.MLOPS_REQUIRE_DOCKER === '1') throw new Error(`MLOPS_REQUIRE_DOCKER=1 but ${message}`);
    console.log(`      (skipping the docker executor tests: ${message})`);
    this.skip();
  });
  afterEach(stopSpawned);

  const containersOf = (runId: string) => docker.listContainers({ all: true, filters: { label: [`mlops.run=${runId}`] } });

  it('runs a task in its image with the workspace at the same path, its env, params and limits; the container is removed', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: dock
params: {greeting: hello}
defaults: {executor: docker, image: "${IMAGE}"}
tasks:
  make:
    run: 'mkdir -p out && echo "\${{ params.greeting }} $MLOPS_PARAM_GREETING $MLOPS_TASK $COLOR $(pwd)" > out/made.txt && echo to-stdout && echo to-stderr >&2'
    env: {COLOR: blue}
    outputs: [out/made.txt]
  fail: {needs: [make], run: 'exit 5'}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir, env);
    assert.equal(r.code, 1, r.stderr);
    const run = parseRun(r.stdout);
    assert.deepEqual([task(run, 'make').status, task(run, 'make').exitCode], ['succeeded', 0]);
    assert.deepEqual([task(run, 'fail').status, task(run, 'fail').exitCode], ['failed', 5]);
    assert.equal(fs.readFileSync(path.join(dir, 'out/made.txt'), 'utf8'), `hello hello make blue ${dir}\n`);
    const log = fs.readFileSync(path.join(dir, '.mlops', 'runs', run.id, 'make.log'), 'utf8');
    assert.deepEqual(log.trim().split('\n').sort(), ['to-stderr', 'to-stdout']);
    assert.deepEqual(await containersOf(run.id), []);
  });

  it('applies cpu and memory limits, and stops and removes the container on cancel', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: slow
tasks:
  wait: {executor: docker, image: "${IMAGE}", run: 'sleep 1000', resources: {cpu: 500m, memory: 64Mi}, workdir: sub}
`,
      'sub/.keep': '',
    });
    const agent = spawnMlops(['run', 'p.pipeline.yaml'], dir, { ...env, MLOPS_KILL_GRACE_MS: '1000' });
    const done = finished(agent);
    const runId = await waitFor('the run to start', () => fs.readdirSync(path.join(dir, '.mlops', 'runs'))[0]);
    const info = await waitFor(
      'the container to start',
      async () => {
        const [c] = await containersOf(runId);
        const i = c && (await docker.getContainer(c.Id).inspect());
        return i?.State.Running && i;
      },
      15_000,
      50,
    );
    assert.equal(info.HostConfig.NanoCpus, 500_000_000);
    assert.equal(info.HostConfig.Memory, 64 * 2 ** 20);
    assert.deepEqual(info.HostConfig.Binds, [`${dir}:${dir}`]);
    assert.equal(info.Config.WorkingDir, path.join(dir, 'sub'));
    assert.equal(info.Config.Labels['mlops.task'], 'wait');

    agent.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    assert.deepEqual(await containersOf(runId), []);
    assert.equal(parseRun((await mlops(['runs', 'show', runId, '--format', 'json'], dir)).stdout).status, 'cancelled');
  });

  it('passes GPUs as device requests: the container the engine made has them', async function () {
    if (!DOCKER_HOST.startsWith('unix://')) {
      console.log(`      (skipped: the engine proxy needs a unix socket, DOCKER_HOST is ${DOCKER_HOST})`);
      this.skip();
    }
    const dir = project({
      'p.pipeline.yaml': `version: 1\nname: gpu\ntasks:\n  train: {executor: docker, image: "${IMAGE}", run: 'true', resources: {gpu: 1}}\n`,
      'bin/nvidia-smi': '#!/bin/sh\necho 0\n',
    });
    fs.chmodSync(path.join(dir, 'bin/nvidia-smi'), 0o755);
    // The agent talks to the engine through a proxy that holds the container's start back
    // until the container has been inspected.
    const proxy = await startEngineProxy(DOCKER_HOST.slice('unix://'.length), path.join(dir, 'engine.sock'));
    try {
      const running = mlops(['run', 'p.pipeline.yaml'], dir, { DOCKER_HOST: proxy.host, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` });
      const id = await Promise.race([proxy.nextStart(), running.then((r) => Promise.reject(new Error(`mlops run ended without starting a container (exit ${r.code}): ${r.stdout}${r.stderr}`)))]);
      const info = await docker.getContainer(id).inspect();
      proxy.release();
      assert.equal(info.Config.Labels['mlops.task'], 'train');
      assert.deepEqual(
        info.HostConfig.DeviceRequests?.map((d) => ({ Driver: d.Driver, DeviceIDs: d.DeviceIDs, Capabilities: d.Capabilities })),
        [{ Driver: 'nvidia', DeviceIDs: ['0'], Capabilities: [['gpu']] }],
      );
      assert.ok(info.Config.Env.includes('CUDA_VISIBLE_DEVICES=0'), info.Config.Env.join(' '));
      const r = await running;
      // This engine has no NVIDIA runtime: it refuses to start what the agent asked for, and the container is removed.
      assert.equal(r.code, 1);
      assert.match(r.stdout, /✗ train Docker: .*nvidia/);
      await assert.rejects(docker.getContainer(id).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
    } finally {
      proxy.release();
      await proxy.close();
    }
  });

  it('says at once when the image is missing, and never pulls without --pull', async () => {
    const dir = project({ 'p.pipeline.yaml': `version: 1\nname: miss\ntasks:\n  a: {executor: docker, image: "mlops-test/absent:1", run: 'true'}\n` });
    const r = await mlops(['run', 'p.pipeline.yaml'], dir, env);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'mlops run: Image mlops-test/absent:1 is not present locally; build or pull it (docker pull mlops-test/absent:1) or pass --pull.\n');
    // Refused before anything ran or was asked of a registry: no run on record, the image still absent.
    assert.equal(r.stdout, '');
    await assert.rejects(docker.getImage('mlops-test/absent:1').inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  it("quotes a string param for the container's sh -c as it does for bash: hostile values arrive byte for byte, nothing else runs", async () => {
    const values = ['"; touch pwned; "', "'; touch pwned; '", '$(touch pwned)', '`touch pwned`', "it's \\ $HOME", ''];
    const params = values.map((_, i) => `  m${i}: {type: string, default: x}`).join('\n');
    const tasks = values.map((_, i) => `  t${i}: {run: 'printf "%s|" \${{ params.m${i} }} > ${i}-plain; printf "%s" "<\${{ params.m${i} }}>" > ${i}-double'}`).join('\n');
    const dir = project({ 'p.pipeline.yaml': `version: 1\nname: quoting\nparams:\n${params}\ndefaults: {executor: docker, image: "${IMAGE}"}\ntasks:\n${tasks}\n` });
    const r = await mlops(['run', 'p.pipeline.yaml', ...values.flatMap((v, i) => ['--param', `m${i}=${v}`]), '--format', 'json'], dir, env);
    assert.equal(r.code, 0, `${r.stderr}${r.stdout}`);
    values.forEach((v, i) => {
      const read = (f: string) => fs.readFileSync(path.join(dir, `${i}-${f}`), 'utf8');
      assert.equal(read('plain'), `${v}|`, JSON.stringify(v));
      assert.equal(read('double'), `<${v}>`, JSON.stringify(v));
    });
    assert.equal(fs.existsSync(path.join(dir, 'pwned')), false);
    // $'…' means one thing to dash and another to busybox ash (this image's sh): a value with shell characters there is refused.
    fs.writeFileSync(path.join(dir, 'd.pipeline.yaml'), `version: 1\nname: dollar\nparams: {m: {type: string, default: x}}\ntasks:\n  a: {executor: docker, image: "${IMAGE}", run: "printf %s $'<\${{ params.m }}>'"}\n`);
    const refused = await mlops(['run', 'd.pipeline.yaml', '--param', "m=\\'; touch pwned; '"], dir, env);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /the value of \$\{\{ params\.m \}\} has characters the shell treats specially, and it stands after \$'…', which sh reads differently in dash and busybox, where it cannot be quoted safely/,
    );
    assert.equal(fs.existsSync(path.join(dir, 'pwned')), false);
  });
});

/** Needs no engine: what a run says when none answers, before any task starts. */
describe('docker executor without an engine', function () {
  after(removeProjects);
  this.timeout(60_000);

  it('says at once when no engine is there, and after the ping deadline when one is there but silent', async () => {
    const dir = project({ 'p.pipeline.yaml': `version: 1\nname: none\ntasks:\n  a: {run: 'true'}\n` });
    const r = await mlops(['run', 'p.pipeline.yaml', '--executor', 'docker'], dir, { DOCKER_HOST: `unix://${dir}/no.sock` });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `mlops run: Task 'a' runs in docker but has no image; set image: on the task or under defaults.\n`);
    // With an image, the run gets as far as the engine check: nothing listens on the socket.
    fs.writeFileSync(path.join(dir, 'p.pipeline.yaml'), `version: 1\nname: none\ndefaults: {image: "${IMAGE}"}\ntasks:\n  a: {run: 'true'}\n`);
    const r2 = await mlops(['run', 'p.pipeline.yaml', '--executor', 'docker'], dir, { DOCKER_HOST: `unix://${dir}/no.sock` });
    assert.equal(r2.code, 2);
    assert.equal(r2.stderr, `mlops run: Cannot reach the Docker engine at unix://${dir}/no.sock (ENOENT); start Docker or use --executor local.\n`);
    // Something listens but never answers: the ping gives up at its deadline instead of hanging.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(path.join(dir, 'silent.sock'), resolve));
    try {
      const r3 = await mlops(['run', 'p.pipeline.yaml', '--executor', 'docker'], dir, { DOCKER_HOST: `unix://${dir}/silent.sock` });
      assert.equal(r3.code, 2);
      assert.equal(r3.stderr, `mlops run: Cannot reach the Docker engine at unix://${dir}/silent.sock (no answer within 5s); start Docker or use --executor local.\n`);
    } finally {
      silent.close();
    }
    // None of the three runs started a task or left a run on record.
    assert.ok(!fs.existsSync(path.join(dir, '.mlops', 'runs')) || fs.readdirSync(path.join(dir, '.mlops', 'runs')).length === 0);
  });
});
