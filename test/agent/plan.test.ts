import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { plainCommand } from '../../agent/src/execute/launcher';
import { fingerprint, InputHasher, PROGRESS_MIN_BYTES, type HashCache, type HashProgress } from '../../agent/src/fingerprint';
import { loadPipelineFile, type LoadedPipeline } from '../../agent/src/load';
import { makePlan, resolveParams, resumeSelection, selectTasks, type PlannedTask } from '../../agent/src/plan';
import { detectCapacity } from '../../agent/src/schedule/capacity';
import { project, removeProjects } from './helpers';

const PIPELINE = `version: 1
name: plan
params:
  lr: {type: number, default: 0.5}
  epochs: 10
  mode: {type: string, default: fast, enum: [fast, slow]}
  quiet: {type: boolean, default: false}
defaults:
  env: {SHARED: "1"}
  resources: {cpu: 500m, memory: 1Gi}
tasks:
  ingest:
    run: python ingest.py --out data/raw.csv
    outputs: {raw: data/raw.csv}
  train:
    run: python train.py --data \${{ tasks.ingest.outputs.raw }} --lr \${{ params.lr }} --run \${{ run.id }} --out \${{ outputs.model }}
    inputs: {data: "\${{ tasks.ingest.outputs.raw }}"}
    outputs: {model: models/m.json}
    env: {EPOCHS: "\${{ params.epochs }}"}
    retries: {limit: 2, backoff: 10s, factor: 2}
    timeout: 1h30m
    resources: {gpu: 1}
  report:
    needs: [train]
    run: echo "$MLOPS_PARAM_MODE"
    workdir: reports
    cache: false
  other:
    run: echo other
`;

function load(): LoadedPipeline {
  const dir = project({ 'p.pipeline.yaml': PIPELINE, 'reports/.keep': '' });
  const r = loadPipelineFile('p.pipeline.yaml', dir);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  return r.value;
}

function plan(loaded: LoadedPipeline, selected = loaded.order): PlannedTask[] {
  const params = resolveParams(loaded.pipeline, {});
  assert.ok(params.ok);
  const r = makePlan(loaded, { runId: 'RUN', params: params.value, selected, external: () => null, force: false });
  assert.ok(r.ok);
  return r.value.tasks;
}

describe('plan', () => {
  after(removeProjects);
  it('types --param values by the declared params and refuses unknown or invalid ones', () => {
    const p = load().pipeline;
    assert.deepEqual(resolveParams(p, { lr: '0.1', epochs: '3', quiet: 'true' }), { ok: true, value: { lr: 0.1, epochs: 3, mode: 'fast', quiet: true } });
    assert.deepEqual(resolveParams(p, { epochs: '2.5' }), { ok: false, error: "--param epochs=2.5: '2.5' is not a valid integer." });
    assert.deepEqual(resolveParams(p, { mode: 'medium' }), { ok: false, error: '--param mode=medium: allowed values are fast, slow.' });
    assert.deepEqual(resolveParams(p, { lrr: '1' }), { ok: false, error: "Unknown param 'lrr'; this pipeline declares lr, epochs, mode, quiet." });
    assert.deepEqual(resolveParams(p, {}, { lr: 0.2 }), { ok: true, value: { lr: 0.2, epochs: 10, mode: 'fast', quiet: false } }, 'a resumed run keeps its params');
  });

  it('refuses a NUL in a param value, which no task could receive (the editor and schedules pass params as data)', () => {
    const p = load().pipeline;
    assert.deepEqual(resolveParams(p, { mode: 'fa\0st' }), { ok: false, error: '--param mode: the value contains a NUL character, which no process can receive; remove it.' });
  });

  it('selects all tasks, --only, or --from and everything downstream', () => {
    const loaded = load();
    assert.deepEqual(selectTasks(loaded, {}), { ok: true, value: ['ingest', 'train', 'report', 'other'] });
    assert.deepEqual(selectTasks(loaded, { only: ['report', 'ingest'] }), { ok: true, value: ['ingest', 'report'] });
    assert.deepEqual(selectTasks(loaded, { from: 'train' }), { ok: true, value: ['train', 'report'] });
    assert.deepEqual(selectTasks(loaded, { only: ['nope'] }), { ok: false, error: "No task named 'nope' in plan; its tasks are ingest, train, report, other." });
  });

  it('resumes what did not succeed', () => {
    const loaded = load();
    const previous = {
      id: 'R0',
      pipeline: 'plan',
      status: 'failed' as const,
      startedAt: '',
      endedAt: '',
      params: {},
      tasks: [
        { id: 'ingest', status: 'succeeded' as const, attempts: 1, exitCode: 0, durationMs: 1, cached: false, fingerprint: 'f1' },
        { id: 'train', status: 'failed' as const, attempts: 1, exitCode: 1, durationMs: 1, cached: false, fingerprint: 'f2' },
        { id: 'report', status: 'skipped' as const, attempts: 0, exitCode: null, durationMs: null, cached: false, fingerprint: null },
        { id: 'other', status: 'cached' as const, attempts: 0, exitCode: null, durationMs: null, cached: true, fingerprint: 'f4' },
      ],
    };
    const { selected, done } = resumeSelection(loaded, previous);
    assert.deepEqual(selected, ['train', 'report']);
    assert.deepEqual(
      [...done],
      [
        ['ingest', 'f1'],
        ['other', 'f4'],
      ],
    );
  });

  it('interpolates commands and env, resolves settings and records the params each task uses', () => {
    const loaded = load();
    const [ingest, train, report] = plan(loaded);
    const dir = loaded.dir;
    assert.equal(train!.command, 'python train.py --data data/raw.csv --lr 0.5 --run RUN --out models/m.json');
    assert.deepEqual(train!.env, { SHARED: '1', EPOCHS: '10' });
    assert.deepEqual(train!.usedParams, { epochs: '10', lr: '0.5' });
    assert.deepEqual(report!.usedParams, { mode: 'fast' }, '$MLOPS_PARAM_MODE in the command counts as a use');
    assert.deepEqual(ingest!.usedParams, {});
    assert.deepEqual(train!.inputs, [path.join(dir, 'data/raw.csv')]);
    assert.deepEqual(train!.outputs, [path.join(dir, 'models/m.json')]);
    assert.deepEqual(train!.upstream, ['ingest']);
    assert.deepEqual(train!.resources, { cpu: 0.5, memory: 2 ** 30, gpu: 1 });
    assert.deepEqual(train!.retries, { limit: 2, backoffMs: 10_000, factor: 2 });
    assert.equal(train!.timeoutMs, 5_400_000);
    assert.equal(report!.workdir, path.join(dir, 'reports'));
    assert.equal(report!.cache, false);
  });

  it('fingerprints what decides a task’s result, and nothing else', () => {
    const loaded = load();
    const memory = new Map<string, string>();
    const cache: HashCache = {
      fileHash: (p, size, mtime) => memory.get(`${p}|${size}|${mtime}`),
      saveFileHash: (p, size, mtime, hash) => void memory.set(`${p}|${size}|${mtime}`, hash),
    };
    const hasher = new InputHasher(cache);
    // Small inputs are hashed at once, not in the background.
    const fp = (t: PlannedTask, up: Record<string, string>) => {
      const h = hasher.hashAll(t.inputs, { signal: new AbortController().signal });
      if (h instanceof Promise || !h.ok) throw new Error('the inputs were not hashed at once');
      return fingerprint(t, up, h.hashes);
    };
    const train = plan(loaded)[1]!;
    fs.mkdirSync(path.join(loaded.dir, 'data'));
    fs.writeFileSync(path.join(loaded.dir, 'data/raw.csv'), 'a,b\n');
    const base = fp(train, { ingest: 'up1' });
    assert.equal(fp(train, { ingest: 'up1' }), base, 'stable');
    assert.equal(memory.size, 1, 'the input hash is remembered by size and mtime');
    assert.notEqual(fp(train, { ingest: 'up2' }), base, 'upstream fingerprint');
    assert.notEqual(fp({ ...train, command: `${train.command} --x` }, { ingest: 'up1' }), base, 'command');
    assert.notEqual(fp({ ...train, env: { ...train.env, EPOCHS: '11' } }, { ingest: 'up1' }), base, 'env');
    assert.notEqual(fp({ ...train, usedParams: { ...train.usedParams, lr: '0.6' } }, { ingest: 'up1' }), base, 'used params');
    assert.equal(fp({ ...train, image: 'other:1' }, { ingest: 'up1' }), base, 'a local task does not depend on the image');
    assert.notEqual(fp({ ...train, executor: 'docker', image: 'a:1' }, { ingest: 'up1' }), fp({ ...train, executor: 'docker', image: 'a:2' }, { ingest: 'up1' }), 'a docker task does');
    // Another working copy of the same project, elsewhere: the same fingerprint.
    const elsewhere = project({ 'copy/x': '' });
    const moved = (p: string) => p.split(loaded.root).join(`${elsewhere}/copy`);
    fs.mkdirSync(path.join(elsewhere, 'copy', path.relative(loaded.root, loaded.dir), 'data'), { recursive: true });
    fs.writeFileSync(moved(path.join(loaded.dir, 'data/raw.csv')), 'a,b\n');
    const copy = { ...train, root: `${elsewhere}/copy`, workdir: moved(train.workdir), inputs: train.inputs.map(moved), outputs: train.outputs.map(moved), command: moved(train.command) };
    assert.equal(fp(copy, { ingest: 'up1' }), base, 'where the working copy is');
    fs.writeFileSync(path.join(loaded.dir, 'data/raw.csv'), 'a,b\n1,2\n');
    assert.notEqual(fp(train, { ingest: 'up1' }), base, 'input content');
  });

  it('hashes a large input in slices, reporting progress, with the same hash as at once; an abort stops it', async () => {
    const dir = project({ 'small.txt': 'x' });
    const big = path.join(dir, 'big.bin');
    fs.closeSync(fs.openSync(big, 'w'));
    // Large enough that no machine hashes it within one slice.
    const size = 4 * PROGRESS_MIN_BYTES + 5;
    fs.truncateSync(big, size);
    const noCache: HashCache = { fileHash: () => undefined, saveFileHash: () => undefined };
    const signal = new AbortController().signal;
    const small = new InputHasher(noCache).hashAll([path.join(dir, 'small.txt')], { signal });
    assert.ok(!(small instanceof Promise), 'a small input is hashed at once');
    const progress: HashProgress[] = [];
    const pending = new InputHasher(noCache).hashAll([big], { signal, progress: (p) => progress.push(p) });
    assert.ok(pending instanceof Promise, 'a large input is hashed in the background');
    const zeros = createHash('sha256');
    for (let left = size; left > 0; left -= 1 << 20) zeros.update(Buffer.alloc(Math.min(left, 1 << 20)));
    assert.deepEqual(await pending, { ok: true, hashes: [`file:${zeros.digest('hex')}`] });
    assert.deepEqual(progress[0], { path: big, doneBytes: 0, totalBytes: size });
    assert.deepEqual(progress[progress.length - 1], { path: big, doneBytes: size, totalBytes: size });
    const abort = new AbortController();
    const stopped = new InputHasher(noCache).hashAll([big], { signal: abort.signal });
    abort.abort();
    assert.deepEqual(await stopped, { ok: false, error: 'hashing was cancelled' });
  });

  it('checks each working directory once per plan, through symlinks: shared ones are accepted, one leading outside is refused', () => {
    const outside = project({ 'elsewhere/.keep': '' });
    const dir = project({
      'w.pipeline.yaml': `version: 1
name: w
tasks:
  a: {run: 'true', workdir: sub}
  b: {run: 'true', workdir: sub}
  c: {run: 'true', workdir: inner}
  d: {run: 'true'}
  e: {run: 'true', workdir: away}
`,
      'sub/.keep': '',
    });
    fs.symlinkSync(path.join(dir, 'sub'), path.join(dir, 'inner'));
    fs.symlinkSync(path.join(outside, 'elsewhere'), path.join(dir, 'away'));
    const r = loadPipelineFile('w.pipeline.yaml', dir);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    const loaded = r.value;
    const make = (selected: string[]) => makePlan(loaded, { runId: 'RUN', params: {}, selected, external: () => null, force: false });
    const inside = make(['a', 'b', 'c', 'd']);
    assert.ok(inside.ok);
    // A workdir keeps the path the file gives; only the check follows the link.
    assert.deepEqual(
      inside.value.tasks.map((t) => [t.id, t.workdir]),
      [
        ['a', path.join(loaded.dir, 'sub')],
        ['b', path.join(loaded.dir, 'sub')],
        ['c', path.join(loaded.dir, 'inner')],
        ['d', loaded.dir],
      ],
    );
    assert.deepEqual(make(['a', 'e', 'b']), { ok: false, error: `Task 'e' has workdir away, which is outside the workspace ${loaded.root}; set workdir to a folder inside it.` });
  });

  it('refuses a pipeline with errors with all its diagnostics, warnings included, and counts only the errors', () => {
    const dir = project({ 'bad.pipeline.yaml': 'version: 1\nname: bad\nparams:\n  unused: 1\ntasks:\n  a: {run: echo a, needs: [nope]}\n' });
    const r = loadPipelineFile('bad.pipeline.yaml', dir);
    assert.ok(!r.ok && r.error.kind === 'invalid');
    assert.equal(r.error.message, 'bad.pipeline.yaml has 1 error; fix it before running (see mlops validate).');
    assert.deepEqual(
      r.error.problems.map((p) => [p.severity, p.line, p.column, p.code]),
      [
        ['warning', 4, 3, 'unused-param'],
        ['error', 6, 28, 'unknown-need'],
      ],
    );
  });

  it('runs plain commands without a shell and leaves everything else to bash', () => {
    assert.deepEqual(plainCommand('true', {}), ['true']);
    assert.deepEqual(plainCommand('  python3 src/train.py --lr=0.5 --out models/m.json ', {}), ['python3', 'src/train.py', '--lr=0.5', '--out', 'models/m.json']);
    for (const cmd of ['echo hi', 'cd x', 'a && b', 'echo $HOME', 'ls *.py', "python -c 'x'", 'a > b', 'FOO=1 cmd', 'x # c', 'a\nb', '~/bin/x', 'export A=1']) {
      assert.equal(plainCommand(cmd, {}), undefined, cmd);
    }
    assert.equal(plainCommand('true', { BASH_ENV: '/etc/x' }), undefined, 'bash -c would source $BASH_ENV first');
  });

  it('counts the GPUs nvidia-smi lists, and none without it', () => {
    const bin = project({ 'nvidia-smi': '#!/bin/sh\n[ "$1" = --query-gpu=index ] && printf "0\\n1\\n3\\n"\n' });
    fs.chmodSync(path.join(bin, 'nvidia-smi'), 0o755);
    const saved = process.env.PATH;
    try {
      process.env.PATH = `${bin}:${saved}`;
      assert.deepEqual(detectCapacity().gpus, ['0', '1', '3']);
      process.env.PATH = '/nonexistent';
      assert.deepEqual(detectCapacity().gpus, []);
    } finally {
      process.env.PATH = saved;
    }
  });
});
