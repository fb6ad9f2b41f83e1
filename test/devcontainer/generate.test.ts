import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { checkCommand, detect, DEVCONTAINER_JSON, DOCKERFILE, generate, makePlan, parseJsonc, type GenerateOptions } from '../../core/src/devcontainer/index';
import { scanProject } from '../../agent/src/devcontainer/scan';
import { devcontainerErrors, emptyProject, FIXTURES, REPO } from './helpers';

const PROJECTS = ['sklearn-cpu', 'torch-cuda', 'conda', 'poetry', 'notebooks-only'] as const;

function dirOf(name: string): string {
  return name === 'empty' ? emptyProject() : name === 'churn' ? path.join(REPO, 'examples', 'churn') : path.join(FIXTURES, name);
}

function gen(name: string, options: GenerateOptions = {}) {
  const facts = detect(scanProject(dirOf(name)));
  const out = generate(facts, { name, ...options });
  const json = parseJsonc(out.files[DEVCONTAINER_JSON]!) as Record<string, any>;
  return { ...out, facts, json, dockerfile: out.files[DOCKERFILE]!, text: out.files[DEVCONTAINER_JSON]! };
}

/** Index of the first line matching `re`; fails when there is none. */
function lineOf(text: string, re: RegExp): number {
  const i = text.split('\n').findIndex((l) => re.test(l));
  assert.notEqual(i, -1, `no line matches ${re}`);
  return i;
}

describe('devcontainer generation: schema', () => {
  const variants: [string, GenerateOptions][] = [
    ['defaults', {}],
    ['gpu on', { gpu: 'on' }],
    ['gpu off', { gpu: 'off' }],
    ['python 3.9 and a custom base', { python: '3.9', baseImage: 'registry.example:5000/team/py:3.9' }],
    ['jupyter and mlflow on', { jupyter: true, mlflow: true }],
    ['everything off', { jupyter: false, mlflow: false, gpu: 'off' }],
  ];
  for (const project of [...PROJECTS, 'empty', 'churn']) {
    for (const [label, options] of variants) {
      it(`${project}, ${label}: devcontainer.json is valid against the official schema`, () => {
        assert.deepEqual(devcontainerErrors(gen(project, options).text), []);
      });
    }
  }

  it('the validator rejects what the schema forbids (so the checks above can fail)', () => {
    const errors = devcontainerErrors('{"build": {"dockerfile": "Dockerfile"}, "hostRequirements": {"gpu": "sometimes", "memory": "4Gi"}}');
    assert.ok(
      errors.some((e) => e.instancePath === '/hostRequirements/memory' && e.keyword === 'pattern'),
      JSON.stringify(errors),
    );
    assert.ok(
      errors.some((e) => e.instancePath === '/hostRequirements/gpu'),
      JSON.stringify(errors),
    );
  });
});

describe('devcontainer generation: choices', () => {
  it('sklearn CPU: Python slim base, manifests before the install layer, non-root, pipeline resources', () => {
    const g = gen('sklearn-cpu');
    assert.equal(g.json['build'].args.BASE_IMAGE, 'python:3.11-slim-bookworm');
    assert.deepEqual(g.json['hostRequirements'], { cpus: 4, memory: '6gb' });
    assert.equal(g.json['runArgs'], undefined);
    assert.deepEqual(g.json['forwardPorts'], [5000]);
    assert.deepEqual(g.json['customizations'].vscode.extensions, ['ms-python.python', 'mlops-workbench.mlops-workbench']);
    assert.deepEqual(g.json['mounts'], [{ type: 'volume', source: 'mlops-cache', target: '/home/vscode/.cache' }]);
    assert.equal(g.json['remoteUser'], 'vscode');
    const d = g.dockerfile;
    assert.ok(lineOf(d, /^ARG BASE_IMAGE=python:3\.11-slim-bookworm$/) < lineOf(d, /^FROM \$\{BASE_IMAGE\}$/));
    const user = lineOf(d, /^USER \$USERNAME$/);
    const copy = lineOf(d, /^COPY requirements\.txt \/tmp\/mlops-deps\/$/);
    // requirements-dev.txt is tooling: copied (it is a choice) but installed only with --extra dev.
    const install = lineOf(d, /^RUN pip install --no-cache-dir -r \/tmp\/mlops-deps\/requirements\.txt$/);
    assert.ok(user < copy && copy < install, 'the user is switched before, and the manifests copied right before, the install');
    assert.equal(d.split('\n').filter((l) => l.startsWith('COPY')).length, 1, 'no COPY of the whole project (it would defeat the cache)');
    assert.match(g.json['postCreateCommand'], /assert v == "3\.11"/);
    assert.match(g.json['postCreateCommand'], /for m in \["sklearn", "numpy", "pandas", "mlflow"\]/);
  });

  it('torch with CUDA: the matching CUDA runtime, GPU required, --gpus all, the Python the project allows', () => {
    const g = gen('torch-cuda');
    assert.equal(g.json['build'].args.BASE_IMAGE, 'nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04');
    assert.deepEqual(g.json['hostRequirements'], { cpus: 8, memory: '30gb', gpu: true });
    assert.deepEqual(g.json['runArgs'], ['--gpus', 'all']);
    assert.match(g.dockerfile, /add-apt-repository -y ppa:deadsnakes\/ppa/);
    assert.match(g.dockerfile, /^RUN python3\.11 -m venv \/opt\/venv \\$/m);
    assert.match(g.json['postCreateCommand'], /assert torch\.cuda\.is_available\(\)/);
    assert.match(g.text, /\/\/ Give the container every GPU of the host/);
  });

  it("GPU off turns the CUDA project into a CPU one; Python 3.10 on a CUDA base uses Ubuntu's own", () => {
    const off = gen('torch-cuda', { gpu: 'off' });
    assert.equal(off.json['build'].args.BASE_IMAGE, 'python:3.11-slim-bookworm');
    assert.equal(off.json['runArgs'], undefined);
    assert.deepEqual(off.json['hostRequirements'], { cpus: 8, memory: '30gb' });
    const py310 = gen('torch-cuda', { python: '3.10' });
    assert.match(py310.dockerfile, /apt-get install -y --no-install-recommends python3 python3-venv python3-pip/);
    assert.match(py310.dockerfile, /^RUN python3 -m venv \/opt\/venv \\$/m);
  });

  it('conda: optional GPU (no runArgs), CUDA base with Miniforge, Jupyter and MLflow ports', () => {
    const g = gen('conda');
    assert.equal(g.json['build'].args.BASE_IMAGE, 'nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04');
    assert.deepEqual(g.json['hostRequirements'], { gpu: 'optional' });
    assert.equal(g.json['runArgs'], undefined);
    assert.deepEqual(g.json['forwardPorts'], [8888, 5000]);
    assert.deepEqual(g.json['customizations'].vscode.extensions, ['ms-python.python', 'ms-toolsai.jupyter', 'mlops-workbench.mlops-workbench']);
    assert.deepEqual(g.json['customizations'].vscode.settings, { 'python.defaultInterpreterPath': '/opt/conda/envs/forecasting/bin/python' });
    assert.match(g.dockerfile, /bash \/tmp\/miniforge\.sh -b -p \/opt\/conda/);
    assert.match(g.dockerfile, /^COPY environment\.yml \/tmp\/mlops-deps\/$/m);
    assert.match(g.dockerfile, /conda create --yes --name forecasting "python=3\.10"/);
    assert.match(g.dockerfile, /conda env update --name forecasting --file \/tmp\/mlops-deps\/environment\.yml/);
    assert.doesNotMatch(g.dockerfile, /--name base/);
    assert.match(g.dockerfile, /^# Jupyter for the notebooks, which the manifests do not list\.\nRUN pip install --no-cache-dir jupyterlab ipykernel$/m);
    assert.doesNotMatch(g.dockerfile, /apt-get install -y --no-install-recommends python3 /, 'conda brings its own Python');
    assert.match(g.text, /A GPU is optional/);
    const cpu = gen('conda', { gpu: 'off' });
    assert.equal(cpu.json['build'].args.BASE_IMAGE, 'condaforge/miniforge3:latest');
    assert.doesNotMatch(cpu.dockerfile, /miniforge\.sh/);
  });

  it('poetry: lock file copied, groups and extras passed to poetry install', () => {
    const g = gen('poetry', { groups: ['dev', 'catboost'] });
    assert.match(g.dockerfile, /^COPY pyproject\.toml poetry\.lock \/tmp\/mlops-deps\/$/m);
    assert.match(g.dockerfile, /poetry install --no-root --no-interaction --no-ansi --with dev --extras catboost \\$/m);
    assert.match(g.json['postCreateCommand'], /for m in \["xgboost", "lightgbm", "catboost", "pandas"\]/);
    const plain = gen('poetry');
    assert.match(plain.dockerfile, /poetry install --no-root --no-interaction --no-ansi \\$/m);
    // catboost comes only with its extra, so the check does not import it then.
    assert.match(plain.json['postCreateCommand'], /for m in \["xgboost", "lightgbm", "pandas"\]/);
  });

  it('notebooks only: Jupyter installed and forwarded, nothing else to install', () => {
    const g = gen('notebooks-only');
    assert.deepEqual(g.json['forwardPorts'], [8888]);
    assert.deepEqual(g.json['portsAttributes'], { '8888': { label: 'Jupyter', onAutoForward: 'notify' } });
    assert.match(g.dockerfile, /^RUN pip install --no-cache-dir jupyterlab ipykernel$/m);
    assert.doesNotMatch(g.dockerfile, /^COPY/m);
  });

  it('empty folder: a plain Python dev container without ports or host requirements', () => {
    const g = gen('empty');
    assert.equal(g.json['build'].args.BASE_IMAGE, 'python:3.12-slim-bookworm');
    assert.equal(g.json['hostRequirements'], undefined);
    assert.equal(g.json['forwardPorts'], undefined);
    assert.doesNotMatch(g.dockerfile, /^(COPY|RUN pip)/m);
  });

  it('a custom base image replaces the default in both files', () => {
    const g = gen('sklearn-cpu', { baseImage: 'mlops-test/python-base:1' });
    assert.equal(g.json['build'].args.BASE_IMAGE, 'mlops-test/python-base:1');
    assert.match(g.dockerfile, /^ARG BASE_IMAGE=mlops-test\/python-base:1$/m);
  });

  it('every choice in devcontainer.json carries a comment', () => {
    const g = gen('torch-cuda');
    const lines = g.text.split('\n');
    for (const key of ['build', 'hostRequirements', 'runArgs', 'mounts', 'remoteUser', 'postCreateCommand', 'extensions']) {
      const i = lines.findIndex((l) => l.trimStart().startsWith(`"${key}"`));
      assert.ok(i > 0 && lines[i - 1]!.trimStart().startsWith('//'), `${key} has a comment above it`);
    }
  });

  it('the postCreate check runs in a real Python and fails on the wrong version', function () {
    const probe = spawnSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log('      (no python3 on this machine; the docker test runs the check instead)');
      this.skip();
    }
    const here = probe.stdout.trim();
    const facts = detect({ files: new Map() });
    const good = spawnSync('/bin/sh', ['-c', checkCommand(makePlan(facts, { python: here }))], { encoding: 'utf8' });
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stdout.trim(), `Dev container ready: Python ${here}`);
    const other = here === '3.9' ? '3.10' : '3.9';
    const bad = spawnSync('/bin/sh', ['-c', checkCommand(makePlan(facts, { python: other }))], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, new RegExp(`AssertionError: Python ${here.replace('.', '\\.')} runs here but the image was made for ${other.replace('.', '\\.')}`));
  });
});
