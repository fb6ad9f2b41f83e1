import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mlopsWithin, project, removeProjects } from '../agent/helpers';
import { tempDir } from '../files';
import { MiB, mkfifo, peakRssOf, rssEnv, sparseFile, symlink } from '../hostile';

/** What a process that never read any of the hostile files needs, with room to spare; reading one takes gigabytes. */
const RSS_BOUND = 300 * MiB;

const CATALOG = [
  'version: 1',
  'entities: {customer: {join_keys: [id]}}',
  'sources: {s: {path: data.csv}}',
  'feature_views:',
  ...['fifo', 'zero', 'away', 'huge'].flatMap((v) => [`  ${v}:`, '    entities: [customer]', '    source: s', `    transformation: src/${v}.py:compute`, '    features: {a: int64}']),
  '',
].join('\n');

const PIPELINE = 'version: 1\nname: p\ntasks:\n  a:\n    run: echo a\n';

/** A workspace whose feature views' transformations are a FIFO, a link to /dev/zero, a link out of it and a 1.5 GB file. */
export function hostileCatalogProject(): { dir: string; outside: string } {
  const dir = project({ 'f.features.yaml': CATALOG, 'data.csv': 'id\n', 'p.pipeline.yaml': PIPELINE });
  const outside = tempDir('mlops-outside-');
  after(() => outside.cleanup());
  fs.writeFileSync(path.join(outside.dir, 'secret.py'), 'def compute(df):\n    return df\n');
  mkfifo(path.join(dir, 'src/fifo.py'));
  symlink('/dev/zero', path.join(dir, 'src/zero.py'));
  symlink(path.join(outside.dir, 'secret.py'), path.join(dir, 'src/away.py'));
  // Under 2 GB, so a plain readFileSync would take it all in.
  sparseFile(path.join(dir, 'src/huge.py'), 1.5e9);
  return { dir, outside: outside.dir };
}

interface JsonDiagnostic {
  file: string;
  line: number;
  severity: string;
  code: string;
  message: string;
}

describe('mlops validate: files it must not read', () => {
  after(removeProjects);

  it('answers at once with a warning for a transformation that is a FIFO, /dev/zero, a link out or 1.5 GB, and stays small', async () => {
    const { dir, outside } = hostileCatalogProject();
    const rss = path.join(dir, '.rss');
    const r = await mlopsWithin(['validate', '.', '--format', 'json'], dir, rssEnv(rss), 30_000);
    assert.equal(r.code, 0, r.stderr);
    const diags = (JSON.parse(r.stdout) as JsonDiagnostic[]).map((d) => `${d.file}:${d.line} ${d.severity} ${d.code}: ${d.message}`);
    const tail = 'so it was not checked; point transformation at a regular source file inside the workspace.';
    assert.deepEqual(diags, [
      `f.features.yaml:8 warning unreadable-file: Transformation file 'src/fifo.py' is a FIFO, not a regular file, ${tail}`,
      `f.features.yaml:13 warning unreadable-file: Transformation file 'src/zero.py' resolves to /dev/zero, outside the workspace, and is not followed, ${tail}`,
      `f.features.yaml:18 warning unreadable-file: Transformation file 'src/away.py' resolves to ${outside}/secret.py, outside the workspace, and is not followed, ${tail}`,
      `f.features.yaml:23 warning unreadable-file: Transformation file 'src/huge.py' is 1.5 GB, over the 4.0 MB limit for this kind of file, ${tail}`,
    ]);
    const peak = peakRssOf(rss);
    assert.ok(peak < RSS_BOUND, `peak RSS ${(peak / MiB).toFixed(0)} MB`);
  });

  it('reports a named pipeline over the document limit as an error without reading it', async () => {
    const dir = project({});
    sparseFile(path.join(dir, 'big.pipeline.yaml'), 1.5e9);
    const rss = path.join(dir, '.rss');
    const r = await mlopsWithin(['validate', 'big.pipeline.yaml', '--format', 'json'], dir, rssEnv(rss));
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      {
        file: 'big.pipeline.yaml',
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        severity: 'error',
        code: 'yaml-syntax',
        message: 'big.pipeline.yaml is 1.5 GB, over the 8.0 MB limit for this kind of file, so it was not checked; split it or point to a regular file inside the workspace.',
      },
    ]);
    assert.ok(peakRssOf(rss) < RSS_BOUND, `peak RSS ${(peakRssOf(rss) / MiB).toFixed(0)} MB`);
  });

  it('refuses a FIFO named as a file to check, at once', async () => {
    const dir = project({});
    mkfifo(path.join(dir, 'f.pipeline.yaml'));
    const r = await mlopsWithin(['validate', 'f.pipeline.yaml'], dir);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'mlops validate: f.pipeline.yaml is a FIFO, not a regular file; name pipeline and catalog files or the folders holding them.\n');
  });

  it('skips a document in a folder that links out of the workspace, and reads it when named', async () => {
    const outside = tempDir('mlops-outside-');
    after(() => outside.cleanup());
    fs.writeFileSync(path.join(outside.dir, 'x.pipeline.yaml'), 'version: 1\nname: x\ntasks:\n  a: {run: echo, needs: [nope]}\n');
    const dir = project({ 'p.pipeline.yaml': PIPELINE });
    // A glob matches the link; the link leads out of the workspace.
    symlink(path.join(outside.dir, 'x.pipeline.yaml'), path.join(dir, 'sub/x.pipeline.yaml'));
    const globbed = await mlopsWithin(['validate', 'sub/*.pipeline.yaml', '--format', 'json'], dir);
    assert.equal(globbed.code, 1);
    assert.deepEqual(
      (JSON.parse(globbed.stdout) as JsonDiagnostic[]).map((d) => [d.code, d.message]),
      [['yaml-syntax', `sub/x.pipeline.yaml resolves to ${outside.dir}/x.pipeline.yaml, outside the workspace, and is not followed, so it was not checked; split it or point to a regular file inside the workspace.`]],
    );
    const named = await mlopsWithin(['validate', 'sub/x.pipeline.yaml', '--format', 'json'], dir);
    assert.deepEqual(
      (JSON.parse(named.stdout) as JsonDiagnostic[]).map((d) => d.code),
      ['unknown-need'],
    );
  });
});
