/**
 * Dev containers for the way real ML repositories are laid out: one block per kind of failure
 * seen on public projects (issue 15). Each runs the real `mlops devcontainer generate` on a
 * fixture under test/fixtures/devcontainer/layouts/ (written here, modelled on common layouts)
 * and checks the files it would write, so the same checks run against any build of the CLI.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CUDA_IMAGES, DEVCONTAINER_JSON, DOCKERFILE, cudaImageFor, detect, generate, parseCondaSpec, parseJsonc, cudaOfRequirement } from '../../core/src/devcontainer/index';
import { FIXTURES, mlops, tempProject } from './helpers';

const LAYOUTS = path.join(FIXTURES, 'layouts');

interface Generated {
  detected: Record<string, any>;
  files: Record<string, string>;
  dockerfile: string;
  json: Record<string, any>;
}

/** `mlops devcontainer generate --dry-run --format json` on a layout fixture (or a folder). */
function gen(fixture: string, ...args: string[]): Generated {
  const dir = fs.existsSync(fixture) ? fixture : path.join(LAYOUTS, fixture);
  const r = mlops(['devcontainer', 'generate', '--dir', dir, '--dry-run', '--format', 'json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { detected: Record<string, any>; files: Record<string, string> };
  return { ...out, dockerfile: out.files[DOCKERFILE]!, json: parseJsonc(out.files[DEVCONTAINER_JSON]!) as Record<string, any> };
}

/** A project made of `entries` (relative path → text) in a temporary folder. */
function projectOf(entries: Record<string, string>): string {
  const dir = tempProject('layout');
  for (const [p, text] of Object.entries(entries)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  }
  return dir;
}

const baseImage = (g: Generated) => /^ARG BASE_IMAGE=(.*)$/m.exec(g.dockerfile)![1];
const installLines = (g: Generated) => g.dockerfile.split('\n').filter((l) => !l.startsWith('#') && /pip install|uv sync|conda (create|env)/.test(l));

describe('devcontainer layouts 1: includes are copied where the install step looks for them', () => {
  it('-r into nested folders, ../ between them and a -c constraint at the root', () => {
    const g = gen('nested-includes');
    for (const f of ['requirements/pytorch/base.txt', 'requirements/common.txt']) assert.match(g.dockerfile, new RegExp(`^COPY ${f} /tmp/mlops-deps/${f}$`, 'm'));
    assert.match(g.dockerfile, /^COPY requirements\.txt constraints\.txt \/tmp\/mlops-deps\/$/m);
    assert.deepEqual(installLines(g), ['RUN pip install --no-cache-dir -r /tmp/mlops-deps/requirements.txt']);
    // The constraint pins the framework the include asks for loosely.
    assert.deepEqual(
      g.detected['frameworks'].map((f: any) => [f.id, f.version ?? f.spec]),
      [['torch', '2.4.1']],
    );
  });

  it('a conda pip: section with -r requirements.txt copies that file next to environment.yml', () => {
    const g = gen('conda-pip');
    assert.match(g.dockerfile, /^COPY environment\.yml requirements\.txt \/tmp\/mlops-deps\/$/m);
  });

  it('an include that is not in the project is named with its line', () => {
    const g = gen(projectOf({ 'requirements.txt': 'numpy\n-r requirements/missing.txt\n' }));
    assert.deepEqual(g.detected['warnings'], ['requirements.txt:2 includes requirements/missing.txt, which is not in the project; the install step would fail, so add the file or fix the line.']);
  });
});

describe('devcontainer layouts 2: the project itself (-e .) is installed by postCreateCommand, not the image', () => {
  it('-e . in requirements.txt: dropped before pip runs, the pyproject dependencies installed, the editable install after creation', () => {
    const g = gen('editable');
    assert.match(g.dockerfile, /sed -i -E .* \/tmp\/mlops-work\/requirements\.txt \\$/m);
    assert.match(g.dockerfile, /pip install --no-cache-dir -r \/tmp\/mlops-work\/requirements\.txt/);
    assert.match(g.dockerfile, /python -c .*\/tmp\/mlops-deps\/pyproject\.toml.* > \/tmp\/mlops-project-requirements\.txt/);
    assert.doesNotMatch(g.dockerfile, /^COPY \. /m, 'the source is never copied');
    assert.match(g.json['postCreateCommand'], /^pip install --no-cache-dir --quiet -e \. && python3 -c /);
    assert.match(g.json['postCreateCommand'], /for m in \["lightgbm", "sklearn", "pandas"\]/);
  });

  it('-e . in a conda pip: section is dropped from the copy conda reads', () => {
    const g = gen('conda-pip');
    assert.match(g.dockerfile, /sed -i -E .* \/tmp\/mlops-work\/environment\.yml \/tmp\/mlops-work\/requirements\.txt/);
    assert.match(g.dockerfile, /conda env update --name seg-env --file \/tmp\/mlops-work\/environment\.yml/);
    assert.match(g.json['postCreateCommand'], /^pip install --no-cache-dir --quiet -e \. && /);
  });

  it('the sed expression drops exactly the local lines (run by a real sed)', function () {
    const sed = '/bin/sed';
    if (!fs.existsSync(sed)) this.skip();
    const dir = projectOf({
      'r.txt': ['numpy', '-e .', '.', '-e ./libs/core', './pkg[extra]', '--editable=.', 'file:./wheels/x.whl', '-e git+https://x.invalid/r.git#egg=r', '-r base.txt', '  - -e .', '  - pandas'].join('\n') + '\n',
    });
    const expr = /sed -i -E '(.*)' \/tmp/.exec(gen('editable').dockerfile)![1]!.replace(/'\\''/g, "'");
    const r = require('node:child_process').spawnSync(sed, ['-E', expr, path.join(dir, 'r.txt')], { encoding: 'utf8' });
    assert.deepEqual(
      r.stdout.split('\n').filter((l: string) => l),
      ['numpy', '-e git+https://x.invalid/r.git#egg=r', '-r base.txt', '  - pandas'],
    );
  });
});

describe('devcontainer layouts 3: uv projects are installed with uv sync from uv.lock', () => {
  it('uv sync --frozen without the project; uv from UV_IMAGE; the project by postCreate', () => {
    const g = gen('uv-extras');
    assert.equal(g.detected['installer'], 'uv');
    assert.match(g.dockerfile, /^ARG UV_IMAGE=ghcr\.io\/astral-sh\/uv:latest\nFROM \$\{UV_IMAGE\} AS uv$/m);
    assert.match(g.dockerfile, /^COPY --from=uv \/uv \/usr\/local\/bin\/uv$/m);
    assert.match(g.dockerfile, /^COPY pyproject\.toml uv\.lock \/tmp\/mlops-deps\/$/m);
    assert.match(g.dockerfile, /UV_PROJECT_ENVIRONMENT=\/opt\/venv/);
    assert.deepEqual(installLines(g), ['    && uv sync --frozen --inexact --no-install-project --group dev']);
    assert.match(g.json['postCreateCommand'], /^uv sync --frozen --inexact --group dev && python3 -c /);
  });

  it('per-extra CUDA indexes ([tool.uv.sources]): the cu124 extra means CUDA 12.4, the cpu extra a CPU image', () => {
    const cuda = gen('uv-extras', '--extra', 'cu124');
    assert.match(cuda.dockerfile, /uv sync --frozen --inexact --no-install-project --extra cu124 --group dev/);
    assert.equal(baseImage(cuda), 'nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04');
    const cpu = gen('uv-extras', '--extra', 'cpu');
    assert.equal(baseImage(cpu), 'python:3.11-slim-bookworm');
  });

  it('include-group and extras that name the project itself are expanded, never fetched as the published package', () => {
    const g = gen('uv-extras');
    const choice = (n: string) => g.detected['choices'].find((c: any) => c.name === n);
    assert.deepEqual(choice('dev').packages, ['ruff', 'pytest', 'matplotlib']);
    assert.deepEqual(choice('all').packages, ['matplotlib']);
    assert.ok(!g.detected['packages'].some((p: any) => p.name === 'speechbox'));
  });
});

describe('devcontainer layouts 4: variants and tooling are choices, not installed together', () => {
  it('only requirements.txt is installed; -cuda/-cpu/-tpu are alternatives, docs/typing/ci/doctests tooling', () => {
    const g = gen('variants');
    assert.deepEqual(installLines(g), ['RUN pip install --no-cache-dir -r /tmp/mlops-deps/requirements.txt']);
    assert.deepEqual(
      g.detected['choices'].map((c: any) => [c.name, c.kind]),
      [
        ['ci', 'tooling'],
        ['cpu', 'variant'],
        ['cuda', 'variant'],
        ['docs', 'tooling'],
        ['doctests', 'tooling'],
        ['tpu', 'variant'],
        ['typing', 'tooling'],
      ],
    );
    // The torch==1.13.1 pin in the mypy file decides nothing: no GPU, no CUDA.
    assert.equal(baseImage(g), 'python:3.12-slim-bookworm');
    assert.doesNotMatch(g.dockerfile, /requirements-typing/);
  });

  it('--extra cuda installs that file and its CUDA build decides the image', () => {
    const g = gen('variants', '--extra', 'cuda');
    assert.deepEqual(installLines(g), ['RUN pip install --no-cache-dir -r /tmp/mlops-deps/requirements.txt -r /tmp/mlops-deps/requirements-cuda.txt']);
    assert.equal(baseImage(g), 'nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04');
  });

  it('two alternatives at once are refused with the reason', () => {
    const r = mlops(['devcontainer', 'generate', '--dir', path.join(LAYOUTS, 'variants'), '--dry-run', '--extra', 'cuda', '--extra', 'cpu']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--extra cpu and cuda: these are alternative builds of the same dependencies; choose one\./);
  });
});

describe('devcontainer layouts 5: CUDA follows what pip installs, never this machine', () => {
  const cudaOf = (reqs: string, ...args: string[]) => baseImage(gen(projectOf({ 'requirements.txt': reqs }), '--gpu', 'on', ...args));

  it('unpinned torch and a lower bound mean the newest release (CUDA 13.0 wheels since 2.11), not 11.7', () => {
    assert.equal(cudaOf('torch\n'), CUDA_IMAGES['13.0']);
    assert.equal(cudaOf('torch>=1.8\n'), CUDA_IMAGES['13.0']);
    // Upper bounds and pins reach back: 2.4 → 12.1, 2.7 → 12.6, <2.9 → 2.8's 12.8.
    assert.equal(cudaOf('torch==2.4.1\n'), CUDA_IMAGES['12.1']);
    assert.equal(cudaOf('torch~=2.7.0\n'), CUDA_IMAGES['12.6']);
    assert.equal(cudaOf('torch>=2,<2.9\n'), CUDA_IMAGES['12.8']);
  });

  it('CUDA 13 is known: cu130 indexes and builds, jax[cuda13], nvidia-*-cu13', () => {
    assert.equal(cudaOf('--extra-index-url https://download.pytorch.org/whl/cu130\ntorch\n'), CUDA_IMAGES['13.0']);
    assert.equal(cudaOf('torch==2.9.0+cu130\n'), CUDA_IMAGES['13.0']);
    assert.equal(cudaOf('jax[cuda13]\n'), CUDA_IMAGES['13.0']);
    assert.equal(cudaOf('nvidia-cublas-cu13\n'), CUDA_IMAGES['13.0']);
    assert.equal(cudaOf('jax[cuda12]\n'), CUDA_IMAGES['12.9']);
  });

  it('every conda cudatoolkit release has its own runtime row', () => {
    for (const v of ['9.2', '10.0', '10.1', '10.2', '11.0', '11.1', '11.2', '11.3', '11.4', '11.5', '11.6', '11.7', '11.8']) {
      const hint = cudaOfRequirement(parseCondaSpec(`cudatoolkit=${v}`)!, 'environment.yml');
      assert.equal(hint.cuda?.version, v);
      assert.equal(cudaImageFor(v).version, v, `cudatoolkit ${v} is not rounded to another release`);
    }
    assert.equal(baseImage(gen('conda-pip')), 'nvidia/cuda:11.3.1-cudnn8-runtime-ubuntu20.04');
  });

  it('--gpu auto may add the GPU requirement; the CUDA version is the same as --gpu on', () => {
    const smi = projectOf({ 'nvidia-smi': '#!/bin/sh\nif [ "$1" = "-L" ]; then echo "GPU 0: NVIDIA L4 (UUID: GPU-1)"; exit 0; fi\necho "Driver Version: 535.1   CUDA Version: 12.2"\n' });
    fs.chmodSync(path.join(smi, 'nvidia-smi'), 0o755);
    const dir = projectOf({ 'requirements.txt': 'torch>=2.1\n' });
    const env = { ...process.env, PATH: `${smi}:${process.env['PATH']}` };
    const r = mlops(['devcontainer', 'generate', '--dir', dir, '--dry-run', '--format', 'json', '--gpu', 'auto'], { env });
    const auto = JSON.parse(r.stdout) as { files: Record<string, string> };
    assert.equal(/^ARG BASE_IMAGE=(.*)$/m.exec(auto.files[DOCKERFILE]!)![1], cudaOf('torch>=2.1\n'));
    assert.match(auto.files[DEVCONTAINER_JSON]!, /"gpu": "optional"/);
    // Without --gpu auto the same machine gives the CPU answer every machine gives.
    const plain = JSON.parse(mlops(['devcontainer', 'generate', '--dir', dir, '--dry-run', '--format', 'json'], { env }).stdout) as { files: Record<string, string> };
    assert.equal(/^ARG BASE_IMAGE=(.*)$/m.exec(plain.files[DOCKERFILE]!)![1], 'python:3.12-slim-bookworm');
  });
});

describe('devcontainer layouts 6: the Python the project can actually install', () => {
  it('uv.lock whose torch wheels stop at cp311 keeps Python at 3.11 though requires-python allows 3.12', () => {
    const g = gen('uv-extras');
    assert.deepEqual([g.detected['python'].version, g.detected['python'].source], ['3.11', 'uv.lock']);
    assert.match(g.json['postCreateCommand'], /assert v == "3\.11"/);
  });

  it('a marker (; python_version <= "3.10") keeps the Python where the requirement installs; a win32-only one is ignored', () => {
    const g = gen('markers');
    assert.equal(g.detected['python'].version, '3.10');
    assert.ok(!g.detected['packages'].some((p: any) => p.name === 'pywin32'));
  });

  it("MLflow's MLproject → python_env.yaml pins Python and its -r requirements.txt is the base set", () => {
    const g = gen('mlflow-project');
    assert.deepEqual([g.detected['python'].version, g.detected['python'].source], ['3.9', 'python_env.yaml']);
    assert.deepEqual(installLines(g), ['RUN pip install --no-cache-dir -r /tmp/mlops-deps/requirements.txt']);
    assert.equal(baseImage(g), 'python:3.9-slim-bookworm');
  });

  it('setup.py is read (never run); a setup.cfg with only tool sections is not an installer', () => {
    const g = gen('setup-py');
    assert.equal(g.detected['installer'], 'setup.py');
    assert.deepEqual(g.detected['manifests'], [{ path: 'setup.py', kind: 'setup.py' }]);
    assert.equal(g.detected['python'].version, '3.10');
    assert.deepEqual(installLines(g), ["RUN pip install --no-cache-dir 'xgboost>=1.7' pandas"]);
    assert.deepEqual(
      g.detected['choices'].map((c: any) => c.name),
      ['plots'],
    );
    assert.match(g.json['postCreateCommand'], /^pip install --no-cache-dir --quiet -e \. && /);
  });
});

describe('devcontainer layouts 7: conda environments are named and activated, not Miniforge base', () => {
  it('conda create --name <name> with the Python, the environment first on PATH, activated in bash, owned by the user', () => {
    const g = gen('conda-pip', '--gpu', 'off');
    assert.equal(baseImage(g), 'condaforge/miniforge3:latest');
    assert.match(g.dockerfile, /conda create --yes --name seg-env "python=3\.9"/);
    assert.doesNotMatch(g.dockerfile, /--name base|env update --name base/);
    assert.match(g.dockerfile, /CONDA_DEFAULT_ENV=seg-env/);
    assert.match(g.dockerfile, /PATH=\/opt\/conda\/envs\/seg-env\/bin:\/opt\/conda\/bin:\$PATH/);
    assert.match(g.dockerfile, /chown -R "\$USER_UID:\$USER_GID" \/opt\/conda\/envs\/seg-env/);
    assert.match(g.dockerfile, /conda activate seg-env' >> "\/home\/\$USERNAME\/\.bashrc"/);
    assert.deepEqual(g.json['customizations'].vscode.settings, { 'python.defaultInterpreterPath': '/opt/conda/envs/seg-env/bin/python' });
  });
});

describe('devcontainer layouts 8: system packages and a check that imports what the project needs', () => {
  it('git always; libgl1/libglib2.0-0 for opencv-python, ffmpeg and libsndfile1 for librosa; cv2 and librosa imported', () => {
    const g = gen('system-libs');
    assert.match(g.dockerfile, /for p in git ca-certificates libgl1 libglib2\.0-0 ffmpeg libsndfile1; do dpkg -s/);
    assert.match(g.json['postCreateCommand'], /for m in \["cv2", "librosa"\]/);
  });

  it('headless OpenCV needs only GLib', () => {
    const g = gen(projectOf({ 'requirements.txt': 'opencv-python-headless\n' }));
    assert.match(g.dockerfile, /for p in git ca-certificates libglib2\.0-0; do/);
  });

  it('the system step runs as root before the user switch', () => {
    const d = gen('system-libs').dockerfile;
    const system = d.indexOf('for p in git');
    assert.ok(system > 0 && system < d.indexOf('USER $USERNAME'), 'an apt step exists and runs before USER');
  });
});

describe('devcontainer layouts 9: when nothing installable is found, it says so and offers the choices', () => {
  it('notebooks that import torch and cv2 but no manifest: a sentence, and the imports offered as a choice', () => {
    const g = gen('notebooks-imports');
    assert.deepEqual(g.detected['notFound'], [
      'No dependency manifest was found (looked for requirements*.txt, requirements/**/*.txt, pyproject.toml, setup.py, setup.cfg, environment.yml, Pipfile, MLproject); the image gets Python only. The code imports opencv-python, scikit-learn, torch: add them with --extra imports (or tick "imports" in the wizard), or write a requirements.txt.',
    ]);
    assert.deepEqual(
      g.detected['choices'].map((c: any) => [c.name, c.kind, c.packages]),
      [['imports', 'imports', ['opencv-python', 'scikit-learn', 'torch']]],
    );
    const chosen = gen('notebooks-imports', '--extra', 'imports');
    assert.match(chosen.dockerfile, /^RUN pip install --no-cache-dir opencv-python scikit-learn torch$/m);
    assert.match(chosen.dockerfile, /libgl1/);
  });

  it('a setup.py with empty install_requires says the image installs none', () => {
    const g = gen('setup-empty');
    assert.deepEqual(g.detected['notFound'], ['setup.py lists no dependencies, so the image installs none.']);
  });

  it('the CLI prints those sentences', () => {
    const r = mlops(['devcontainer', 'generate', '--dir', path.join(LAYOUTS, 'setup-empty'), '--dry-run']);
    assert.match(r.stdout, /! setup\.py lists no dependencies, so the image installs none\./);
  });
});

describe('devcontainer layouts: --explain names the manifest line behind every choice', () => {
  it('prints file:line and the line for the Python, the CUDA, the packages and the postCreate install', () => {
    const r = mlops(['devcontainer', 'generate', '--dir', path.join(LAYOUTS, 'uv-extras'), '--dry-run', '--explain', '--extra', 'cu124']);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /^ {2}python: 3\.11 — the newest Python that >=3\.10 allows and uv\.lock locks torch 2\.5\.1\+cu124 with Linux wheels for Python 3\.10, 3\.11 only$/m);
    assert.match(out, /^ {6}uv\.lock:\d+ {2}name = "torch"$/m);
    assert.match(out, /^ {6}pyproject\.toml:4 {2}requires-python = ">=3\.10"$/m);
    assert.match(out, /^ {2}cuda: 12\.4 — pyproject\.toml: https:\/\/download\.pytorch\.org\/whl\/cu124 targets CUDA 12\.4$/m);
    assert.match(out, /^ {6}pyproject\.toml:26 {2}\{ index = "pytorch-cu124", extra = "cu124" \},$/m);
    assert.match(out, /^ {2}choice cpu: left out — an alternative build, offered with --extra cpu\n {6}pyproject\.toml:11 {2}cpu = \["torch>=2\.5"\]$/m);
    assert.match(out, /^ {2}apt libsndfile1: installed — soundfile: libsndfile$/m);
    assert.match(out, /^ {6}pyproject\.toml:7 {2}"soundfile>=0\.12",$/m);
    assert.match(out, /^ {2}postCreate: uv sync \(the project, editable, from the workspace\) — .*\n {6}pyproject\.toml:\d+ {2}\[build-system\]$/m);
  });

  it('every decision has a reason, and every manifest-driven one a line (JSON)', () => {
    const r = mlops(['devcontainer', 'generate', '--dir', path.join(LAYOUTS, 'nested-includes'), '--dry-run', '--explain', '--format', 'json']);
    const decisions = (JSON.parse(r.stdout) as { decisions: { choice: string; because: string; at: { file: string; line: number }[] }[] }).decisions;
    assert.ok(decisions.every((d) => d.because.length > 0));
    for (const d of decisions.filter((x) => x.choice.startsWith('check imports') || x.choice.startsWith('choice'))) assert.ok(d.at.length > 0, `${d.choice} names its line`);
    assert.deepEqual(decisions.find((d) => d.choice === 'check imports torch')!.at, [{ file: 'requirements/pytorch/base.txt', line: 3, text: 'torch>=2.1' }]);
  });
});

describe('devcontainer layouts: --explain for pipelines and Poetry locks', () => {
  it('a pipeline task that asks for a GPU is named by its line', () => {
    const r = mlops(['devcontainer', 'generate', '--dir', path.join(FIXTURES, 'torch-cuda'), '--dry-run', '--explain']);
    const line = 'finetune\\.pipeline\\.yaml:12 {2}resources: \\{cpu: "8", memory: 30Gi, gpu: 1\\}';
    assert.match(r.stdout, new RegExp(`^ {2}gpu: required — finetune\\.pipeline\\.yaml#finetune requests 1 GPU\\n {6}${line}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^ {2}hostRequirements: \\{"cpus":8,"memory":"30gb","gpu":true\\} — .*\\n {6}${line}\\n {2}\\S`, 'm'));
  });

  it('poetry.lock: a wheel-only package with cp38–cp310 wheels keeps Python at 3.10', () => {
    const lock = [
      '[[package]]',
      'name = "tensorflow-io-gcs-filesystem"',
      'version = "0.31.0"',
      'files = [',
      '    {file = "tensorflow_io_gcs_filesystem-0.31.0-cp38-cp38-manylinux_2_12_x86_64.manylinux2010_x86_64.whl", hash = "sha256:1"},',
      '    {file = "tensorflow_io_gcs_filesystem-0.31.0-cp310-cp310-manylinux_2_12_x86_64.manylinux2010_x86_64.whl", hash = "sha256:2"},',
      '    {file = "tensorflow_io_gcs_filesystem-0.31.0-cp311-cp311-macosx_11_0_arm64.whl", hash = "sha256:3"},',
      ']',
      '',
      '[[package]]',
      'name = "pandas"',
      'version = "2.0.3"',
      'files = [',
      '    {file = "pandas-2.0.3.tar.gz", hash = "sha256:4"},',
      ']',
    ].join('\n');
    const dir = projectOf({
      'pyproject.toml': '[tool.poetry]\nname = "x"\nversion = "0.1.0"\n\n[tool.poetry.dependencies]\npython = "^3.8"\npandas = "^2.0"\ntensorflow-io-gcs-filesystem = "0.31.0"\n',
      'poetry.lock': lock,
    });
    const g = gen(dir);
    assert.deepEqual([g.detected['python'].version, g.detected['python'].source], ['3.10', 'poetry.lock']);
    assert.deepEqual(
      g.detected['python'].narrowed.map((n: any) => n.at.line),
      [2],
    );
  });
});

describe('devcontainer layouts: core functions agree with the CLI', () => {
  it('detect + generate on the variants fixture yields the same Dockerfile as the CLI', () => {
    const dir = path.join(LAYOUTS, 'variants');
    const files = new Map<string, string>();
    for (const f of fs.readdirSync(dir)) files.set(f, fs.readFileSync(path.join(dir, f), 'utf8'));
    const g = generate(detect({ files }), { name: 'variants' });
    assert.equal(g.files[DOCKERFILE], gen('variants').dockerfile);
  });
});
