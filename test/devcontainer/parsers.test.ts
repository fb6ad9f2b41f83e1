import assert from 'node:assert/strict';
import { admits, choosePython, diffLines, parseCondaSpec, parseJsonc, parseNvidiaSmi, parseRequirement, parseRequirementsFile, readPythonVersionFile, unifiedDiff } from '../../core/src/devcontainer/index';

describe('devcontainer parsers', () => {
  it('parses PEP 508 requirements with extras, specifiers, markers and URLs', () => {
    assert.deepEqual(parseRequirement('Scikit_Learn [ Extra1,extra2 ] >= 1.2 , <2 ; python_version >= "3.9"'), {
      name: 'Scikit_Learn',
      key: 'scikit-learn',
      extras: ['extra1', 'extra2'],
      spec: '>=1.2,<2',
      marker: 'python_version >= "3.9"',
    });
    assert.deepEqual(parseRequirement('torch @ https://download.pytorch.org/whl/cu121/torch-2.1.2%2Bcu121-cp311-cp311-linux_x86_64.whl'), {
      name: 'torch',
      key: 'torch',
      extras: [],
      spec: '',
      url: 'https://download.pytorch.org/whl/cu121/torch-2.1.2%2Bcu121-cp311-cp311-linux_x86_64.whl',
    });
    assert.equal(parseRequirement('./local/pkg'), undefined);
    assert.equal(parseRequirement('name garbage'), undefined);
  });

  it('reads requirements files: comments, continuations, options, local installs', () => {
    const f = parseRequirementsFile(
      [
        '# pinned',
        '-i https://pypi.example/simple',
        '--extra-index-url=https://download.pytorch.org/whl/cu121',
        'numpy==1.26.4 \\',
        '    --hash=sha256:abc',
        'pandas>=2  # inline comment',
        '-r base.txt',
        '-e .',
        '-e git+https://example.invalid/repo.git#egg=tool',
        './vendor/pkg',
      ].join('\n'),
    );
    assert.deepEqual(
      f.requirements.map((r) => `${r.key}${r.spec}`),
      ['numpy==1.26.4', 'pandas>=2', 'tool'],
    );
    assert.deepEqual(f.indexUrls, ['https://pypi.example/simple']);
    assert.deepEqual(f.extraIndexUrls, ['https://download.pytorch.org/whl/cu121']);
    assert.deepEqual(f.includes, [{ path: 'base.txt', constraint: false, line: 7 }]);
    assert.deepEqual(f.local, ['-e .', './vendor/pkg']);
  });

  it('reads conda match specs', () => {
    assert.deepEqual(parseCondaSpec('pytorch=2.1.0=py3.10_cuda12.1_cudnn8_0'), {
      name: 'pytorch',
      key: 'torch',
      extras: [],
      spec: '==2.1.0',
      build: 'py3.10_cuda12.1_cudnn8_0',
    });
    assert.equal(parseCondaSpec('conda-forge::numpy>=1.26')!.spec, '>=1.26');
    assert.equal(parseCondaSpec('python=3.11')!.spec, '==3.11.*');
    assert.equal(parseCondaSpec('jaxlib=*=*cuda*')!.build, '*cuda*');
  });

  it('chooses a Python for PEP 440, Poetry and conda constraints', () => {
    const cases: [string | undefined, string][] = [
      [undefined, '3.12'],
      ['>=3.9', '3.12'],
      ['>=3.9,<3.12', '3.11'],
      ['>=3.8, <3.11', '3.10'],
      ['^3.10', '3.12'],
      ['~3.10', '3.10'],
      ['~=3.9', '3.12'],
      ['~=3.9.2', '3.9'],
      ['==3.10.*', '3.10'],
      ['3.9', '3.9'],
      ['>=3.8,<3.12,!=3.11.*', '3.10'],
      ['>3.12', '3.13'],
      ['<3.12.4', '3.12'],
      ['>=3.7 <3.10 || >=3.14', '3.9'],
    ];
    for (const [constraint, want] of cases) assert.equal(choosePython(constraint), want, String(constraint));
    assert.equal(admits('3.11', '>=3.11.4'), true);
    assert.equal(admits('3.12', '<3.12'), false);
  });

  it('reads .python-version files', () => {
    assert.equal(readPythonVersionFile('3.11.9\n'), '3.11');
    assert.equal(readPythonVersionFile('# pyenv\ncpython-3.10\n'), '3.10');
    assert.equal(readPythonVersionFile('system\n'), undefined);
  });

  it('parses nvidia-smi output', () => {
    const banner = '| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |';
    const list = 'GPU 0: Tesla T4 (UUID: GPU-1)\nGPU 1: Tesla T4 (UUID: GPU-2)\n';
    assert.deepEqual(parseNvidiaSmi(banner, list), { gpus: ['Tesla T4', 'Tesla T4'], driver: '535.104.05', cuda: '12.2' });
    assert.equal(parseNvidiaSmi('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'), undefined);
  });

  it('reads JSONC: comments and trailing commas, but not inside strings', () => {
    assert.deepEqual(parseJsonc('// head\n{ "a": "x // not a comment", /* c */ "b": [1, 2,], }\n'), { a: 'x // not a comment', b: [1, 2] });
  });

  it('diffs lines and renders unified hunks', () => {
    assert.deepEqual(
      diffLines('a\nb\nc\n', 'a\nc\nd\n').map((l) => `${l.op}${l.text}`),
      [' a', '-b', ' c', '+d'],
    );
    assert.equal(unifiedDiff('f', 'same\n', 'same\n'), '');
    assert.equal(unifiedDiff('f', 'a\nb\n', 'a\nB\n'), '--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n');
  });
});
