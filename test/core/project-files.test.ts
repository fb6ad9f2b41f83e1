import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { documentKind, pipelineBaseName, PROJECT_GLOBS, skippedFolder } from '../../core/src/index';
import { findFiles, findFilesSync, findProjectFiles, findProjectFilesSync } from '../../core/src/node';
import { tempDir, writeTree } from '../files';

describe('core: what a project file is and where to look for one', () => {
  it('tells pipelines and catalogs by their suffix, in either case and spelling', () => {
    assert.equal(documentKind('/a/train.pipeline.yaml'), 'pipeline');
    assert.equal(documentKind('C:\\a\\Train.PIPELINE.YML'), 'pipeline');
    assert.equal(documentKind('shop.features.yml'), 'features');
    assert.equal(documentKind('pipeline.yaml'), undefined);
    assert.equal(documentKind('a.pipeline.yaml.bak'), undefined);
  });

  it('names a pipeline after its file when it declares no name', () => {
    assert.equal(pipelineBaseName('/w/sub/churn.pipeline.yaml'), 'churn');
    assert.equal(pipelineBaseName('C:\\w\\Churn.Pipeline.YML'), 'Churn');
  });

  it('skips dependencies, environments, build output and every hidden folder', () => {
    for (const f of ['node_modules', 'venv', 'env', '.venv', '.git', '.mlops', '__pycache__', 'dist', 'build', 'out', 'site-packages', 'mlruns', '.tox']) assert.ok(skippedFolder(f), f);
    for (const f of ['src', 'pipelines', 'data', 'environment', 'outputs']) assert.ok(!skippedFolder(f), f);
  });

  it('gives the editor an exclude glob naming exactly the skipped folders', () => {
    const m = /^\*\*\/\{(.*)\}\/\*\*$/.exec(PROJECT_GLOBS.skipped);
    assert.ok(m, PROJECT_GLOBS.skipped);
    const names = m[1]!.split(',');
    assert.ok(names.includes('.*'));
    for (const n of names.filter((x) => x !== '.*')) assert.ok(skippedFolder(n), n);
    assert.equal(PROJECT_GLOBS.any, '**/*.{pipeline,features}.{yaml,yml}');
  });
});

describe('core: the file walker', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => {
    ({ dir, cleanup } = tempDir('mlops-walk-'));
    writeTree(dir, {
      'a.pipeline.yaml': '',
      'sub/b.features.yml': '',
      'sub/deep/c.pipeline.yml': '',
      'sub/notes.yaml': '',
      'node_modules/x/d.pipeline.yaml': '',
      'venv/e.pipeline.yaml': '',
      'dist/f.pipeline.yaml': '',
      '.hidden/g.pipeline.yaml': '',
      'outside/h.pipeline.yaml': '',
    });
    fs.symlinkSync(path.join(dir, 'outside'), path.join(dir, 'sub', 'link'));
    fs.symlinkSync(path.join(dir, 'a.pipeline.yaml'), path.join(dir, 'sub', 'alias.pipeline.yaml'));
  });
  after(() => cleanup());

  const rel = (files: string[]) => files.map((f) => path.relative(dir, f).split(path.sep).join('/'));

  it('finds project files, sorted, skipping skipped folders and not following links', async () => {
    const expected = ['a.pipeline.yaml', 'outside/h.pipeline.yaml', 'sub/b.features.yml', 'sub/deep/c.pipeline.yml'];
    assert.deepEqual(rel(findProjectFilesSync(dir)), expected);
    assert.deepEqual(rel(await findProjectFiles(dir)), expected);
    assert.deepEqual(rel(findProjectFilesSync(dir, 'pipeline')), ['a.pipeline.yaml', 'outside/h.pipeline.yaml', 'sub/deep/c.pipeline.yml']);
    assert.deepEqual(rel(await findProjectFiles(dir, 'features')), ['sub/b.features.yml']);
  });

  it('tells the filter each file’s folder relative to the root', () => {
    const asked: string[] = [];
    findFilesSync(path.join(dir, 'sub'), { want: (folder, name) => (asked.push(`${folder}|${name}`), false) });
    // The linked file is not a file to the walker, so it is never offered.
    assert.deepEqual(asked.sort(), ['deep|c.pipeline.yml', '|b.features.yml', '|notes.yaml']);
  });

  it('stops after maxEntries entries, the same way in both walkers', async () => {
    const want = () => true;
    assert.equal(findFilesSync(dir, { want }).length, 5);
    const sync = findFilesSync(dir, { want, maxEntries: 3 });
    assert.ok(sync.length <= 3, `${sync.length} files`);
    assert.deepEqual(await findFiles(dir, { want, maxEntries: 3 }), sync);
  });

  it('gives nothing for a folder that does not exist or cannot be read, instead of throwing', async () => {
    assert.deepEqual(findProjectFilesSync(path.join(dir, 'nope')), []);
    assert.deepEqual(await findProjectFiles(path.join(dir, 'nope')), []);
    assert.deepEqual(findProjectFilesSync(path.join(dir, 'a.pipeline.yaml')), []);
  });
});
