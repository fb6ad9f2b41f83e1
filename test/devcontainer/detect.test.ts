import assert from 'node:assert/strict';
import * as path from 'node:path';
import { detect, makePlan, type DetectedFacts, type DetectInput } from '../../core/src/devcontainer/index';
import { scanProject } from '../../agent/src/devcontainer/scan';
import { emptyProject, FIXTURES, REPO } from './helpers';

function facts(name: string): DetectedFacts {
  return detect(scanProject(path.join(FIXTURES, name)));
}

/** A copy without the evidence lines (`at`), which the layout tests check. */
function strip<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'at' ? undefined : v))) as T;
}

/** The facts of a project made of `entries` (relative path → text). */
function detectFiles(entries: Record<string, string>, hostGpu?: DetectInput['hostGpu']): DetectedFacts {
  return detect({ files: new Map(Object.entries(entries)), ...(hostGpu ? { hostGpu } : {}) });
}

/** Facts with nothing detected, for spreading the fields a case does not care about. */
const NOTHING: DetectedFacts = {
  manifests: [],
  installer: 'none',
  installFiles: [],
  installRoots: [],
  python: { version: '3.12', source: 'default' },
  packages: [],
  frameworks: [],
  hints: [],
  cpuOnly: [],
  notebooks: [],
  jupyter: false,
  mlflow: false,
  groups: [],
  extras: [],
  choices: [],
  defaultGroups: [],
  local: [],
  system: [
    { apt: 'git', why: 'Git inside the container (source control, `git+https` requirements, pre-commit)' },
    { apt: 'ca-certificates', why: 'TLS to package indexes and model hubs' },
  ],
  modules: [],
  resources: { from: {} },
  gpu: { need: 'none', reasons: [] },
  notFound: [],
  warnings: [],
};

/** The facts a fixture test compares: everything but evidence lines, which the layout tests check. */
function project(f: DetectedFacts) {
  return {
    manifests: f.manifests,
    installer: f.installer,
    installFiles: f.installFiles,
    installRoots: f.installRoots,
    python: [f.python.version, f.python.source, f.python.constraint ?? ''],
    packages: f.packages.map((p) => [p.name, p.spec, p.source, p.group ?? '']),
    frameworks: f.frameworks.map((x) => [x.id, x.version ?? x.spec ?? '', x.cuda ?? '', x.source, x.group ?? '']),
    cuda: f.cuda ? [f.cuda.version, f.cuda.source] : [],
    choices: f.choices.map((c) => [c.name, c.kind]),
    notebooks: f.notebooks,
    jupyter: f.jupyter,
    mlflow: f.mlflow,
    resources: f.resources,
    gpu: f.gpu,
    modules: f.modules.map((m) => m.module + (m.group ? `@${m.group}` : '')),
    system: f.system.map((s) => s.apt),
  };
}

const GIT = ['git', 'ca-certificates'];

/** Each fixture project and what detection makes of it. */
const FIXTURE_FACTS: { title: string; fixture: string; facts: ReturnType<typeof project> }[] = [
  {
    title: 'sklearn CPU: requirements.txt installs, requirements-dev.txt is a tooling choice; .python-version, MLflow, pipeline resources',
    fixture: 'sklearn-cpu',
    facts: {
      manifests: [
        { path: 'requirements.txt', kind: 'requirements' },
        { path: 'requirements-dev.txt', kind: 'requirements' },
      ],
      installer: 'requirements',
      // requirements-dev.txt is copied only when --extra dev chooses it.
      installFiles: ['requirements.txt'],
      installRoots: ['requirements.txt'],
      python: ['3.11', '.python-version', ''],
      packages: [
        ['numpy', '==1.26.4', 'requirements.txt', ''],
        ['pandas', '>=2.1,<3', 'requirements.txt', ''],
        ['scikit-learn', '==1.4.2', 'requirements.txt', ''],
        ['mlflow', '==2.12.1', 'requirements.txt', ''],
        ['pytest', '>=8', 'requirements-dev.txt', 'dev'],
      ],
      frameworks: [['sklearn', '1.4.2', '', 'requirements.txt', '']],
      cuda: [],
      choices: [['dev', 'tooling']],
      notebooks: [],
      jupyter: false,
      mlflow: true,
      // train asks for 3500m and 6Gi, more than the defaults' 2 and 4Gi.
      resources: { cpu: 3.5, memory: 6 * 2 ** 30, from: { cpu: 'train.pipeline.yaml#train', memory: 'train.pipeline.yaml#train' } },
      gpu: { need: 'none', reasons: [] },
      modules: ['sklearn', 'numpy', 'pandas'],
      system: GIT,
    },
  },
  {
    title: 'torch with CUDA: +cu121 build, PyTorch index, requires-python, a GPU task',
    fixture: 'torch-cuda',
    facts: {
      manifests: [
        { path: 'requirements.txt', kind: 'requirements' },
        { path: 'pyproject.toml', kind: 'pep621' },
      ],
      installer: 'requirements',
      installFiles: ['requirements.txt'],
      installRoots: ['requirements.txt'],
      python: ['3.11', 'pyproject.toml', '>=3.10,<3.12'],
      packages: [
        ['torch', '==2.1.2+cu121', 'requirements.txt', ''],
        ['torchvision', '==0.16.2+cu121', 'requirements.txt', ''],
        ['transformers', '>=4.36', 'requirements.txt', ''],
      ],
      frameworks: [
        ['torch', '2.1.2', '12.1', 'requirements.txt', ''],
        ['transformers', '>=4.36', '', 'requirements.txt', ''],
      ],
      cuda: ['12.1', 'requirements.txt: torch==2.1.2+cu121'],
      choices: [],
      notebooks: [],
      jupyter: false,
      mlflow: false,
      resources: {
        cpu: 8,
        memory: 30 * 2 ** 30,
        gpu: 1,
        from: { cpu: 'finetune.pipeline.yaml#finetune', memory: 'finetune.pipeline.yaml#finetune', gpu: 'finetune.pipeline.yaml#finetune' },
      },
      gpu: { need: 'required', reasons: ['finetune.pipeline.yaml#finetune requests 1 GPU'] },
      modules: ['torch', 'transformers', 'torchvision'],
      system: GIT,
    },
  },
  {
    title: 'conda: environment.yml with pytorch-cuda, a pip section and a notebook',
    fixture: 'conda',
    facts: {
      manifests: [{ path: 'environment.yml', kind: 'conda' }],
      installer: 'conda',
      installFiles: ['environment.yml'],
      installRoots: ['environment.yml'],
      python: ['3.10', 'environment.yml', '==3.10.*'],
      packages: [
        ['pytorch', '==2.1.0', 'environment.yml', ''],
        ['pytorch-cuda', '==12.1.*', 'environment.yml', ''],
        ['scikit-learn', '>=1.3', 'environment.yml', ''],
        ['mlflow', '==2.9.2', 'environment.yml', ''],
      ],
      frameworks: [
        ['torch', '2.1.0', '12.1', 'environment.yml', ''],
        ['sklearn', '>=1.3', '', 'environment.yml', ''],
      ],
      cuda: ['12.1', 'environment.yml: pytorch-cuda==12.1.*'],
      choices: [],
      notebooks: ['forecast.ipynb'],
      jupyter: true,
      mlflow: true,
      resources: { from: {} },
      gpu: { need: 'optional', reasons: ['environment.yml: pytorch-cuda==12.1.* is a CUDA 12.1 build'] },
      modules: ['torch', 'sklearn'],
      system: GIT,
    },
  },
  {
    title: 'poetry: caret constraints, an optional extra, a dev group and the lock file',
    fixture: 'poetry',
    facts: {
      manifests: [{ path: 'pyproject.toml', kind: 'poetry' }],
      installer: 'poetry',
      installFiles: ['pyproject.toml', 'poetry.lock'],
      installRoots: ['pyproject.toml'],
      python: ['3.12', 'pyproject.toml', '^3.10'],
      packages: [
        ['xgboost', '^2.0.3', 'pyproject.toml', ''],
        ['lightgbm', '==4.3.0', 'pyproject.toml', ''],
        ['pandas', '^2.2', 'pyproject.toml', ''],
        ['catboost', '^1.2', 'pyproject.toml', 'catboost'],
        ['pytest', '^8.0', 'pyproject.toml', 'dev'],
      ],
      frameworks: [
        ['xgboost', '^2.0.3', '', 'pyproject.toml', ''],
        ['lightgbm', '4.3.0', '', 'pyproject.toml', ''],
        ['catboost', '^1.2', '', 'pyproject.toml', 'catboost'],
      ],
      cuda: [],
      choices: [
        ['catboost', 'extra'],
        ['dev', 'tooling'],
      ],
      notebooks: [],
      jupyter: false,
      mlflow: false,
      resources: { from: {} },
      gpu: { need: 'none', reasons: [] },
      modules: ['xgboost', 'lightgbm', 'catboost@catboost', 'pandas'],
      // lightgbm's wheel loads the system's OpenMP.
      system: [...GIT, 'libgomp1'],
    },
  },
];

describe('devcontainer detection: fixture projects', () => {
  for (const { title, fixture, facts: expected } of FIXTURE_FACTS) {
    it(title, () => assert.deepEqual(project(facts(fixture)), expected));
  }

  it('notebooks only: Jupyter, nothing to install, the default Python, and a sentence saying what was not found', () => {
    const f = facts('notebooks-only');
    assert.deepEqual([f.notebooks, f.jupyter, f.installer, f.python.version], [['analysis.ipynb', 'explore/eda.ipynb'], true, 'none', '3.12']);
    assert.deepEqual(f.notFound, [
      'No dependency manifest was found (looked for requirements*.txt, requirements/**/*.txt, pyproject.toml, setup.py, setup.cfg, environment.yml, Pipfile, MLproject); the image gets Python only; add a requirements.txt or pyproject.toml to install dependencies.',
    ]);
  });

  it('empty folder: nothing at all but the one sentence', () => {
    const f = detect(scanProject(emptyProject()));
    assert.deepEqual({ ...f, notFound: [] }, NOTHING);
    assert.equal(f.notFound.length, 1);
  });

  it('examples/churn: a comments-only requirements.txt and the pipeline resources', () => {
    const f = detect(scanProject(path.join(REPO, 'examples', 'churn')));
    assert.deepEqual(f.manifests, [{ path: 'requirements.txt', kind: 'requirements' }]);
    assert.deepEqual(f.packages, []);
    assert.deepEqual(f.resources, { cpu: 1, memory: 2 ** 30, gpu: 0, from: { cpu: 'churn.pipeline.yaml#ingest', memory: 'churn.pipeline.yaml#train', gpu: 'churn.pipeline.yaml#train' } });
    assert.equal(f.gpu.need, 'none');
  });
});

describe('devcontainer detection: manifests and GPU evidence', () => {
  it('reads Pipfile packages, dev-packages, sources and python_version', () => {
    const f = detectFiles({
      Pipfile: [
        '[[source]]',
        'url = "https://download.pytorch.org/whl/cu118"',
        'name = "pytorch"',
        '[packages]',
        'torch = {version = "==2.0.1", index = "pytorch"}',
        'numpy = "*"',
        '[dev-packages]',
        'black = "*"',
        '[requires]',
        'python_version = "3.10"',
      ].join('\n'),
      'Pipfile.lock': '{}',
    });
    assert.equal(f.installer, 'pipenv');
    assert.deepEqual(f.installFiles, ['Pipfile', 'Pipfile.lock']);
    assert.deepEqual(strip(f.python), { version: '3.10', source: 'Pipfile', constraint: '3.10' });
    assert.deepEqual(strip(f.frameworks), [{ id: 'torch', package: 'torch', version: '2.0.1', cuda: '11.8', source: 'Pipfile' }]);
    assert.deepEqual(strip(f.cuda), { version: '11.8', source: 'Pipfile: https://download.pytorch.org/whl/cu118' });
    assert.deepEqual(f.groups, ['dev']);
    assert.equal(f.gpu.need, 'optional');
  });

  it('reads setup.cfg install_requires, python_requires and extras_require', () => {
    const f = detectFiles({
      'setup.cfg': ['[metadata]', 'name = demo', '[options]', 'python_requires = >=3.8, <3.11', 'install_requires =', '    lightgbm>=4', '    pandas', '[options.extras_require]', 'gpu = cupy-cuda12x'].join('\n'),
    });
    assert.equal(f.installer, 'setup.cfg');
    assert.deepEqual(strip(f.python), { version: '3.10', source: 'setup.cfg', constraint: '>=3.8, <3.11' });
    assert.deepEqual(strip(f.frameworks), [{ id: 'lightgbm', package: 'lightgbm', spec: '>=4', source: 'setup.cfg' }]);
    assert.deepEqual(f.groups, ['gpu']);
    assert.deepEqual(f.extras, ['gpu']);
    // The optional cupy extra names CUDA 12, for that extra only: the default install stays CPU.
    assert.equal(f.cuda, undefined);
    assert.deepEqual(strip(f.hints), [{ kind: 'cuda', version: '12.9', source: 'setup.cfg: cupy-cuda12x', group: 'gpu' }]);
  });

  it('reads PEP 621 dependencies, optional-dependencies and dependency-groups', () => {
    const f = detectFiles({
      'pyproject.toml': [
        '[project]',
        'name = "x"',
        'requires-python = ">=3.9"',
        'dependencies = ["tensorflow[and-cuda]==2.15.0", "keras"]',
        '[project.optional-dependencies]',
        'viz = ["matplotlib"]',
        '[dependency-groups]',
        'test = ["pytest"]',
      ].join('\n'),
    });
    assert.equal(f.installer, 'pep621');
    assert.deepEqual(strip(f.python), { version: '3.12', source: 'pyproject.toml', constraint: '>=3.9' });
    assert.deepEqual(
      f.frameworks.map((x) => [x.id, x.version ?? x.spec ?? '', x.cuda ?? '']),
      [
        ['tensorflow', '2.15.0', '12.2'],
        ['keras', '', ''],
      ],
    );
    assert.deepEqual(f.groups, ['test', 'viz']);
    assert.deepEqual(f.extras, ['viz']);
  });

  it('maps jax[cuda12] and nvidia-*-cu12 runtime packages to CUDA 12.x', () => {
    const jax = detectFiles({ 'requirements.txt': 'jax[cuda12]==0.4.30\n' });
    assert.deepEqual(strip(jax.frameworks), [{ id: 'jax', package: 'jax', version: '0.4.30', cuda: '12.9', source: 'requirements.txt' }]);
    const nv = detectFiles({ 'requirements.txt': 'torch>=2.2\nnvidia-cuda-runtime-cu12==12.1.105\n' });
    assert.deepEqual(strip(nv.cuda), { version: '12.1', source: 'requirements.txt: nvidia-cuda-runtime-cu12==12.1.105' });
    assert.equal(nv.gpu.need, 'optional');
  });

  it('a host GPU counts only with --gpu auto, and a CPU wheel index keeps it from turning the project into a CUDA one', () => {
    const hostGpu = { gpus: ['NVIDIA A100'], driver: '550.54.15', cuda: '12.4' };
    const cpu = detectFiles({ 'requirements.txt': '--index-url https://download.pytorch.org/whl/cpu\ntorch==2.3.0\n' }, hostGpu);
    assert.deepEqual(cpu.cpuOnly, ['requirements.txt: https://download.pytorch.org/whl/cpu']);
    assert.equal(makePlan(cpu, { gpu: 'auto' }).gpu, 'none');
    const plain = detectFiles({ 'requirements.txt': 'torch==2.3.0\n' }, hostGpu);
    assert.deepEqual(plain.gpu, { need: 'none', reasons: [] }, 'detection itself never looks at the machine');
    assert.equal(makePlan(plain).gpu, 'none', 'the default mode (project) ignores the host GPU');
    const auto = makePlan(plain, { gpu: 'auto' });
    assert.deepEqual([auto.gpu, auto.gpuReason], ['optional', 'nvidia-smi on this machine answers (NVIDIA A100, driver 550.54.15) and torch can use it (--gpu auto)']);
    const sklearn = detectFiles({ 'requirements.txt': 'scikit-learn\n' }, hostGpu);
    assert.equal(makePlan(sklearn, { gpu: 'auto' }).gpu, 'none');
  });

  it('warns when the host driver is older than the CUDA the image targets', () => {
    const f = detectFiles({ 'requirements.txt': 'torch==2.4.0+cu124\n' }, { gpus: ['T4'], driver: '525.1', cuda: '12.0' });
    assert.deepEqual(makePlan(f, { gpu: 'auto' }).warnings, ['The host driver supports CUDA up to 12.0 but the image targets 12.4; update the NVIDIA driver or pin a build for CUDA 12.0.']);
  });

  it('reports an unreadable manifest in one sentence and goes on', () => {
    const f = detectFiles({ 'pyproject.toml': '[project\nname = 1', 'requirements.txt': 'xgboost\n' });
    assert.equal(f.installer, 'requirements');
    assert.equal(f.warnings.length, 1);
    assert.match(f.warnings[0]!, /^pyproject\.toml is not valid TOML \(.+\); fix it so its dependencies can be read\.$/);
  });

  it('follows -r includes into the files the install layer copies', () => {
    const f = detectFiles({ 'requirements.txt': '-r requirements/base.txt\nmlflow\n', 'requirements/base.txt': 'numpy\n' });
    assert.deepEqual(f.installFiles, ['requirements.txt', 'requirements/base.txt']);
  });
});
