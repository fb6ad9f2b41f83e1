import assert from 'node:assert/strict';
import * as path from 'node:path';
import { detect, type DetectedFacts, type DetectInput } from '../../core/src/devcontainer/index';
import { scanProject } from '../../agent/src/devcontainer/scan';
import { emptyProject, FIXTURES, REPO } from './helpers';

function facts(name: string): DetectedFacts {
  return detect(scanProject(path.join(FIXTURES, name)));
}

/** The facts of a project made of `entries` (relative path → text). */
function detectFiles(entries: Record<string, string>, hostGpu?: DetectInput['hostGpu']): DetectedFacts {
  return detect({ files: new Map(Object.entries(entries)), ...(hostGpu ? { hostGpu } : {}) });
}

/** Packages as read from one manifest: name and spec pairs. */
const read = (source: string, ...packages: [name: string, spec: string][]) => packages.map(([name, spec]) => ({ name, spec, source }));

/** Facts with nothing detected, for spreading the fields a case does not care about. */
const NOTHING: DetectedFacts = {
  manifests: [],
  installer: 'none',
  installFiles: [],
  python: { version: '3.12', source: 'default' },
  packages: [],
  frameworks: [],
  cpuOnly: [],
  notebooks: [],
  jupyter: false,
  mlflow: false,
  groups: [],
  extras: [],
  resources: { from: {} },
  gpu: { need: 'none', reasons: [] },
  warnings: [],
};

/** Each fixture project and the facts it yields beyond NOTHING. */
const FIXTURE_FACTS: { title: string; fixture: string; facts: Partial<DetectedFacts> }[] = [
  {
    title: 'sklearn CPU: requirements files, .python-version, MLflow, pipeline resources',
    fixture: 'sklearn-cpu',
    facts: {
      manifests: [
        { path: 'requirements.txt', kind: 'requirements' },
        { path: 'requirements-dev.txt', kind: 'requirements' },
      ],
      installer: 'requirements',
      installFiles: ['requirements.txt', 'requirements-dev.txt'],
      python: { version: '3.11', source: '.python-version' },
      packages: [
        ...read('requirements.txt', ['numpy', '==1.26.4'], ['pandas', '>=2.1,<3'], ['scikit-learn', '==1.4.2'], ['mlflow', '==2.12.1']),
        ...read('requirements-dev.txt', ['pytest', '>=8']),
      ],
      frameworks: [{ id: 'sklearn', package: 'scikit-learn', version: '1.4.2', source: 'requirements.txt' }],
      mlflow: true,
      // train asks for 3500m and 6Gi, more than the defaults' 2 and 4Gi.
      resources: { cpu: 3.5, memory: 6 * 2 ** 30, from: { cpu: 'train.pipeline.yaml#train', memory: 'train.pipeline.yaml#train' } },
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
      python: { version: '3.11', source: 'pyproject.toml', constraint: '>=3.10,<3.12' },
      packages: read('requirements.txt', ['torch', '==2.1.2+cu121'], ['torchvision', '==0.16.2+cu121'], ['transformers', '>=4.36']),
      frameworks: [
        { id: 'torch', package: 'torch', version: '2.1.2', cuda: '12.1', source: 'requirements.txt' },
        { id: 'transformers', package: 'transformers', spec: '>=4.36', source: 'requirements.txt' },
      ],
      cuda: { version: '12.1', source: 'requirements.txt: torch==2.1.2+cu121' },
      resources: {
        cpu: 8,
        memory: 30 * 2 ** 30,
        gpu: 1,
        from: { cpu: 'finetune.pipeline.yaml#finetune', memory: 'finetune.pipeline.yaml#finetune', gpu: 'finetune.pipeline.yaml#finetune' },
      },
      gpu: { need: 'required', reasons: ['finetune.pipeline.yaml#finetune requests 1 GPU'] },
    },
  },
  {
    title: 'conda: environment.yml with pytorch-cuda, a pip section and a notebook',
    fixture: 'conda',
    facts: {
      manifests: [{ path: 'environment.yml', kind: 'conda' }],
      installer: 'conda',
      installFiles: ['environment.yml'],
      python: { version: '3.10', source: 'environment.yml', constraint: '==3.10.*' },
      packages: read('environment.yml', ['pytorch', '==2.1.0'], ['pytorch-cuda', '==12.1.*'], ['scikit-learn', '>=1.3'], ['mlflow', '==2.9.2']),
      frameworks: [
        { id: 'torch', package: 'pytorch', version: '2.1.0', cuda: '12.1', source: 'environment.yml' },
        { id: 'sklearn', package: 'scikit-learn', spec: '>=1.3', source: 'environment.yml' },
      ],
      cuda: { version: '12.1', source: 'environment.yml: pytorch-cuda==12.1.*' },
      notebooks: ['forecast.ipynb'],
      jupyter: true,
      mlflow: true,
      gpu: { need: 'optional', reasons: ['environment.yml: pytorch-cuda==12.1.* is a CUDA 12.1 build'] },
    },
  },
  {
    title: 'poetry: caret constraints, an optional extra, a dev group and the lock file',
    fixture: 'poetry',
    facts: {
      manifests: [{ path: 'pyproject.toml', kind: 'poetry' }],
      installer: 'poetry',
      installFiles: ['pyproject.toml', 'poetry.lock'],
      python: { version: '3.12', source: 'pyproject.toml', constraint: '^3.10' },
      packages: read('pyproject.toml', ['xgboost', '^2.0.3'], ['lightgbm', '==4.3.0'], ['pandas', '^2.2'], ['catboost', '^1.2'], ['pytest', '^8.0']),
      frameworks: [
        { id: 'xgboost', package: 'xgboost', spec: '^2.0.3', source: 'pyproject.toml' },
        { id: 'lightgbm', package: 'lightgbm', version: '4.3.0', source: 'pyproject.toml' },
        { id: 'catboost', package: 'catboost', spec: '^1.2', source: 'pyproject.toml', group: 'catboost' },
      ],
      groups: ['catboost', 'dev'],
      extras: ['catboost'],
    },
  },
  { title: 'notebooks only: Jupyter, nothing to install, the default Python', fixture: 'notebooks-only', facts: { notebooks: ['analysis.ipynb', 'explore/eda.ipynb'], jupyter: true } },
];

describe('devcontainer detection: fixture projects', () => {
  for (const { title, fixture, facts: expected } of FIXTURE_FACTS) {
    it(title, () => assert.deepEqual(facts(fixture), { ...NOTHING, ...expected }));
  }

  it('empty folder: nothing at all', () => {
    assert.deepEqual(detect(scanProject(emptyProject())), NOTHING);
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
    assert.deepEqual(f.python, { version: '3.10', source: 'Pipfile', constraint: '3.10' });
    assert.deepEqual(f.frameworks, [{ id: 'torch', package: 'torch', version: '2.0.1', cuda: '11.8', source: 'Pipfile' }]);
    assert.deepEqual(f.cuda, { version: '11.8', source: 'Pipfile: https://download.pytorch.org/whl/cu118' });
    assert.deepEqual(f.groups, ['dev']);
    assert.equal(f.gpu.need, 'optional');
  });

  it('reads setup.cfg install_requires, python_requires and extras_require', () => {
    const f = detectFiles({
      'setup.cfg': [
        '[metadata]',
        'name = demo',
        '[options]',
        'python_requires = >=3.8, <3.11',
        'install_requires =',
        '    lightgbm>=4',
        '    pandas',
        '[options.extras_require]',
        'gpu = cupy-cuda12x',
      ].join('\n'),
    });
    assert.equal(f.installer, 'setup.cfg');
    assert.deepEqual(f.python, { version: '3.10', source: 'setup.cfg', constraint: '>=3.8, <3.11' });
    assert.deepEqual(f.frameworks, [{ id: 'lightgbm', package: 'lightgbm', spec: '>=4', source: 'setup.cfg' }]);
    assert.deepEqual(f.groups, ['gpu']);
    assert.deepEqual(f.extras, ['gpu']);
    // The optional cupy extra still names CUDA 12.
    assert.deepEqual(f.cuda, { version: '12.4', source: 'setup.cfg: cupy-cuda12x' });
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
    assert.deepEqual(f.python, { version: '3.12', source: 'pyproject.toml', constraint: '>=3.9' });
    assert.deepEqual(f.frameworks.map((x) => [x.id, x.version ?? x.spec ?? '', x.cuda ?? '']), [
      ['tensorflow', '2.15.0', '12.2'],
      ['keras', '', ''],
    ]);
    assert.deepEqual(f.groups, ['test', 'viz']);
    assert.deepEqual(f.extras, ['viz']);
  });

  it('maps jax[cuda12] and nvidia-*-cu12 runtime packages to CUDA 12.x', () => {
    const jax = detectFiles({ 'requirements.txt': 'jax[cuda12]==0.4.30\n' });
    assert.deepEqual(jax.frameworks, [{ id: 'jax', package: 'jax', version: '0.4.30', cuda: '12.4', source: 'requirements.txt' }]);
    const nv = detectFiles({ 'requirements.txt': 'torch>=2.2\nnvidia-cuda-runtime-cu12==12.1.105\n' });
    assert.deepEqual(nv.cuda, { version: '12.1', source: 'requirements.txt: nvidia-cuda-runtime-cu12==12.1.105' });
    assert.equal(nv.gpu.need, 'optional');
  });

  it('a CPU wheel index keeps a host GPU from turning the project into a CUDA one', () => {
    const hostGpu = { gpus: ['NVIDIA A100'], driver: '550.54.15', cuda: '12.4' };
    const cpu = detectFiles({ 'requirements.txt': '--index-url https://download.pytorch.org/whl/cpu\ntorch==2.3.0\n' }, hostGpu);
    assert.deepEqual(cpu.cpuOnly, ['requirements.txt: https://download.pytorch.org/whl/cpu']);
    assert.equal(cpu.gpu.need, 'none');
    const plain = detectFiles({ 'requirements.txt': 'torch==2.3.0\n' }, hostGpu);
    assert.deepEqual(plain.gpu, { need: 'optional', reasons: ['nvidia-smi on this machine answers (NVIDIA A100, driver 550.54.15) and torch can use it'] });
    const sklearn = detectFiles({ 'requirements.txt': 'scikit-learn\n' }, hostGpu);
    assert.equal(sklearn.gpu.need, 'none');
  });

  it('warns when the host driver is older than the CUDA the project targets', () => {
    const f = detectFiles({ 'requirements.txt': 'torch==2.4.0+cu124\n' }, { gpus: ['T4'], driver: '525.1', cuda: '12.0' });
    assert.deepEqual(f.warnings, [
      'The host driver supports CUDA up to 12.0 but the project targets 12.4; update the NVIDIA driver or pin a build for CUDA 12.0.',
    ]);
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
