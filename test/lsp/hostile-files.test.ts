import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../files';
import { MiB, mkfifo, peakRssOfPid, sparseFile, symlink } from '../hostile';
import { LspClient, makeWorkspace, uriOf } from './client';

/** The server with its two lanes, having read none of the hostile files, with room to spare; reading one takes gigabytes. */
const RSS_BOUND = 400 * MiB;

const CATALOG = [
  'version: 1',
  'entities: {customer: {join_keys: [id]}}',
  'sources: {s: {path: data.csv}}',
  'feature_views:',
  ...['fifo', 'zero', 'away', 'huge', 'fine'].flatMap((v) => [`  ${v}:`, '    entities: [customer]', '    source: s', `    transformation: src/${v}.py:compute`, '    features: {a: int64}']),
  '',
].join('\n');

describe('language server: files it must not read', function () {
  let root: string;
  let outside: ReturnType<typeof tempDir>;
  let client: LspClient;

  before(async () => {
    root = makeWorkspace({ 'f.features.yaml': CATALOG, 'data.csv': 'id\n', 'src/fine.py': 'def compute(df):\n    return df\n' });
    outside = tempDir('mlops-outside-');
    fs.writeFileSync(path.join(outside.dir, 'secret.py'), 'def compute(df):\n    return df\n');
    mkfifo(path.join(root, 'src/fifo.py'));
    symlink('/dev/zero', path.join(root, 'src/zero.py'));
    symlink(path.join(outside.dir, 'secret.py'), path.join(root, 'src/away.py'));
    sparseFile(path.join(root, 'src/huge.py'), 1.5e9);
    // Documents the server reads from disk at start-up and on file events.
    sparseFile(path.join(root, 'big.features.yaml'), 1.5e9);
    mkfifo(path.join(root, 'pipe.pipeline.yaml'));
    client = await LspClient.start({ root });
  });

  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
    outside.cleanup();
  });

  it('warns about a transformation that is a FIFO, /dev/zero, a link out or 1.5 GB, promptly and without growing', async () => {
    const diags = await client.open(path.join(root, 'f.features.yaml'));
    const tail = 'so it was not checked; point transformation at a regular source file inside the workspace.';
    assert.deepEqual(
      diags.map((d) => `${d.range.start.line + 1} ${d.code}: ${d.message}`),
      [
        `8 unreadable-file: Transformation file 'src/fifo.py' is a FIFO, not a regular file, ${tail}`,
        `13 unreadable-file: Transformation file 'src/zero.py' resolves to /dev/zero, outside the workspace, and is not followed, ${tail}`,
        `18 unreadable-file: Transformation file 'src/away.py' resolves to ${outside.dir}/secret.py, outside the workspace, and is not followed, ${tail}`,
        `23 unreadable-file: Transformation file 'src/huge.py' is 1.5 GB, over the 4.0 MB limit for this kind of file, ${tail}`,
      ],
    );
    const peak = peakRssOfPid(client.proc.pid!);
    assert.ok(peak < RSS_BOUND, `peak RSS ${(peak / MiB).toFixed(0)} MB`);
  });

  it('ignores file events for a FIFO and a huge document, and keeps answering', async () => {
    await client.notify('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: uriOf(path.join(root, 'pipe.pipeline.yaml')), type: 2 },
        { uri: uriOf(path.join(root, 'big.features.yaml')), type: 2 },
      ],
    });
    // Every file operation of the server shares four threads: a FIFO being read would hold one for good.
    for (let i = 0; i < 5; i++) await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(path.join(root, 'pipe.pipeline.yaml')), type: 2 }] });
    const diags = await client.replace(path.join(root, 'f.features.yaml'), CATALOG.replace('src/fine.py:compute', 'src/fine.py:nope'));
    assert.equal(diags.filter((d) => d.code === 'missing-transformation').length, 1);
    assert.ok(
      client.logs.some((l) => l.includes('big.features.yaml is 1.5 GB, over the 8.0 MB limit')),
      client.logs.join('\n'),
    );
    assert.ok(
      client.logs.some((l) => l.includes('pipe.pipeline.yaml is a FIFO, not a regular file')),
      client.logs.join('\n'),
    );
    const peak = peakRssOfPid(client.proc.pid!);
    assert.ok(peak < RSS_BOUND, `peak RSS ${(peak / MiB).toFixed(0)} MB`);
  });

  it('warns about a workdir outside the workspace, as mlops validate does', async () => {
    const file = path.join(root, 'wd.pipeline.yaml');
    const text = "version: 1\nname: wd\ntasks:\n  a: {run: 'true', workdir: /}\n  b: {run: 'true', workdir: ../..}\n  c: {run: 'true', workdir: sub}\n";
    const diags = await client.open(file, text);
    assert.deepEqual(
      diags.map((d) => [d.code, d.severity, d.range.start.line + 1]),
      [
        ['workdir-outside', 2, 4],
        ['workdir-outside', 2, 5],
      ],
    );
  });
});
