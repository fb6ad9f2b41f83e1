import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Compiled to out/test/registry/, so the repository root is three levels up.
export const REPO = path.resolve(__dirname, '../../..');
export const MLOPS = path.join(REPO, 'bin', 'mlops.js');
export const SHOP = path.join(REPO, 'test', 'fixtures', 'registry', 'shop');

const made: string[] = [];

/** A writable copy of the shop fixture in a fresh temp folder (removed by `cleanUp`). */
export function copyShop(): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-registry-'));
  made.push(base);
  const dir = path.join(base, 'shop');
  fs.cpSync(SHOP, dir, { recursive: true });
  return dir;
}

export function cleanUp(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

// Git isolated from the machine's configuration, with a fixed identity.
const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

export function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Turns a folder into a repository on branch main with one commit of everything, and a remote with credentials in its URL. */
export function commitAll(dir: string): string {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'remote', 'add', 'origin', 'https://user:secret@example.invalid/shop.git');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return git(dir, 'rev-parse', 'HEAD');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `mlops` CLI in `cwd`, as a user would. */
export function mlops(cwd: string, ...args: string[]): CliResult {
  const env: NodeJS.ProcessEnv = { ...GIT_ENV, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  delete env.MLFLOW_TRACKING_URI;
  const r = spawnSync(process.execPath, [MLOPS, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command that must succeed with JSON output, and parses it. */
export function mlopsJson<T>(cwd: string, ...args: string[]): T {
  const r = mlops(cwd, ...args, '--format', 'json');
  if (r.code !== 0) throw new Error(`mlops ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Runs the fixture pipeline; fails the test unless the run succeeds. */
export function runShop(dir: string, ...extra: string[]): CliResult {
  const r = mlops(dir, 'run', 'shop.pipeline.yaml', ...extra);
  if (r.code !== 0) throw new Error(`mlops run exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

export function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/**
 * A small MLflow file store in MLflow's on-disk layout: experiment 1 with two runs, each
 * logging a model with an MLmodel file; registered model `fraud-detector` with versions 1
 * and 2 (alias `champion` → 2, a version tag), and a deleted version 3 that must not show.
 */
export function writeMlflowStore(root: string): string {
  const mlruns = path.join(root, 'mlruns');
  const exp = path.join(mlruns, '1');
  write(path.join(exp, 'meta.yaml'), `artifact_location: file://${exp}\ncreation_time: 1700000000000\nexperiment_id: '1'\nlast_update_time: 1700000000000\nlifecycle_stage: active\nname: fraud\n`);
  const runs = [
    { id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', lr: '0.1', auc: ['1700000001000 0.80 0', '1700000002000 0.85 1'], commit: 'deadbeefcafe0000111122223333444455556666' },
    { id: '0f9e8d7c6b5a49382716051423324150', lr: '0.05', auc: ['1700000101000 0.88 0', '1700000102000 0.90 1'], commit: null },
  ];
  for (const r of runs) {
    const dir = path.join(exp, r.id);
    write(
      path.join(dir, 'meta.yaml'),
      `artifact_uri: file://${dir}/artifacts\nend_time: 1700000060000\nentry_point_name: ''\nexperiment_id: '1'\nlifecycle_stage: active\nrun_id: ${r.id}\nrun_name: run-${r.lr}\nsource_type: 4\nstart_time: 1700000000000\nstatus: 3\nuser_id: test\n`,
    );
    write(path.join(dir, 'params', 'lr'), r.lr);
    write(path.join(dir, 'params', 'model', 'depth'), '6');
    write(path.join(dir, 'metrics', 'auc'), `${r.auc.join('\n')}\n`);
    write(path.join(dir, 'tags', 'mlflow.runName'), `run-${r.lr}`);
    if (r.commit) write(path.join(dir, 'tags', 'mlflow.source.git.commit'), r.commit);
    const model = path.join(dir, 'artifacts', 'model');
    write(
      path.join(model, 'MLmodel'),
      [
        'artifact_path: model',
        'flavors:',
        '  python_function:',
        '    env:',
        '      conda: conda.yaml',
        '      virtualenv: python_env.yaml',
        '    loader_module: mlflow.sklearn',
        '    model_path: model.pkl',
        '    predict_fn: predict',
        '    python_version: 3.11.7',
        '  sklearn:',
        '    code: null',
        '    pickled_model: model.pkl',
        '    serialization_format: cloudpickle',
        '    sklearn_version: 1.5.2',
        'mlflow_version: 2.17.0',
        'model_size_bytes: 1234',
        'model_uuid: 5f2d0e6c3b1a4f0e9d8c7b6a5f4e3d2c',
        `run_id: ${r.id}`,
        "utc_time_created: '2023-11-14 22:13:20.123456'",
        '',
      ].join('\n'),
    );
    write(path.join(model, 'model.pkl'), 'not really a pickle');
    write(path.join(model, 'requirements.txt'), 'mlflow==2.17.0\nscikit-learn==1.5.2\n');
    write(path.join(model, 'conda.yaml'), 'name: mlflow-env\ndependencies:\n- python=3.11.7\n');
  }
  const reg = path.join(mlruns, 'models', 'fraud-detector');
  write(path.join(reg, 'meta.yaml'), 'creation_timestamp: 1700000200000\ndescription: Flags fraudulent card payments\nlast_updated_timestamp: 1700000300000\nname: fraud-detector\n');
  const version = (n: number, run: string, stage: string) =>
    [
      `creation_timestamp: ${1700000200000 + n * 1000}`,
      `current_stage: ${stage}`,
      "description: ''",
      `last_updated_timestamp: ${1700000200000 + n * 1000}`,
      'name: fraud-detector',
      `run_id: ${run}`,
      "run_link: ''",
      // The source points at another machine's folder, as in a store copied from elsewhere.
      `source: file:///home/someone/project/mlruns/1/${run}/artifacts/model`,
      'status: READY',
      'status_message: null',
      `storage_location: file:///home/someone/project/mlruns/1/${run}/artifacts/model`,
      "user_id: ''",
      `version: ${n}`,
      '',
    ].join('\n');
  write(path.join(reg, 'version-1', 'meta.yaml'), version(1, runs[0]!.id, 'None'));
  write(path.join(reg, 'version-2', 'meta.yaml'), version(2, runs[1]!.id, 'Production'));
  write(path.join(reg, 'version-2', 'tags', 'validated'), 'true');
  write(path.join(reg, 'version-3', 'meta.yaml'), version(3, runs[1]!.id, 'Deleted_Internal'));
  write(path.join(reg, 'aliases', 'champion'), '2');
  return mlruns;
}
