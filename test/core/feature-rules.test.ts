import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileHost } from '../../agent/src/util/files';
import { FEATURE_CODES, Workspace } from '../../core/src/index';
import { assertDiagnostics, CHURN_DIR, CHURN_FEATURES, CHURN_PIPELINE, nodeHost, rangeOf, tempDir, within, writeTree, yaml } from './helpers';
import { assertRule, ruleSuite } from './rules';

const { run, seen, describeCoverage } = ruleSuite('features', FEATURE_CODES);

describe('core: feature catalog rules', () => {
  describe('clean catalogs', () => {
    it('the examples/churn catalog gives no diagnostics next to its pipeline, on the real file system', () => {
      const ws = new Workspace({ root: path.dirname(path.dirname(CHURN_DIR)), host: nodeHost });
      ws.set(path.join(CHURN_DIR, 'churn.features.yaml'), CHURN_FEATURES);
      ws.set(path.join(CHURN_DIR, 'churn.pipeline.yaml'), CHURN_PIPELINE);
      assert.deepEqual(ws.analyze(path.join(CHURN_DIR, 'churn.features.yaml'))!.diagnostics, []);
    });

    it('a hand-written catalog with every field gives no diagnostics', () => {
      const text = yaml(
        'version: 1',
        'project: shop',
        'entities:',
        '  customer: {join_keys: [customer_id], description: A paying account}',
        '  store_item: {join_keys: [store_id, item_id]}',
        'sources:',
        '  orders: {path: data/orders.parquet, timestamp_field: ts, description: Order events}',
        'feature_views:',
        '  item_stats:',
        '    description: Per item',
        '    entities: [store_item]',
        '    source: orders',
        '    ttl: 1d12h',
        '    transformation: src/items.py:compute',
        '    owner: team-a',
        '    tags: {tier: silver}',
        '    features:',
        '      sold_7d: int32',
        '      price: {type: float32, description: Last price}',
        '      tags: {type: "array<string>"}',
        '      seen_at: timestamp',
        '      ok: bool',
        '      raw: bytes',
        '      name: string',
        '      big: int64',
        '      score: float64',
      );
      assert.deepEqual(run(text), []);
    });
  });

  describe('yaml-syntax', () => {
    it('reports an unclosed flow mapping', () => {
      const text = yaml('version: 1', 'entities:', '  customer: {join_keys: [id]', 'sources: {}');
      // The parser notices at the next token that cannot belong to the flow mapping.
      assertRule(run(text), 'yaml-syntax', 'error', [[within(text, 'sources', 's'), 'Flow map in block collection must be sufficiently indented and end with a }.']]);
    });
  });

  describe('duplicate-key', () => {
    it('reports a repeated view key and a repeated feature, on the second key', () => {
      const text = yaml('version: 1', 'feature_views:', '  v:', '    ttl: 1d', '    ttl: 2d', '    features:', '      a: int64', '      a: int32');
      assertRule(run(text), 'duplicate-key', 'error', [
        [rangeOf(text, 'ttl', 1), "Key 'ttl' appears twice"],
        [within(text, '      a:', 'a', 1), "Key 'a' appears twice"],
      ]);
    });
  });

  describe('schema', () => {
    it('reports unknown keys with the closest one, and missing required keys', () => {
      const text = yaml('version: 1', 'entities:', '  customer: {description: no keys}', 'sources:', '  tx: {path: data/tx.csv}', 'feature_views:', '  v:', '    sourse: tx', '    features:', '      a: {descripton: x}');
      assertRule(run(text), 'schema', 'error', [
        [rangeOf(text, 'customer'), "'customer' is missing the required key 'join_keys'."],
        [rangeOf(text, 'sourse'), "Unknown key 'sourse' in 'v'.", "Did you mean 'source'?"],
        [within(text, '      a:', 'a'), "'a' is missing the required key 'type'."],
        [rangeOf(text, 'descripton'), "Unknown key 'descripton' in 'a'.", "Did you mean 'description'?"],
      ]);
    });

    it('reports a missing version and a wrong type', () => {
      const text = yaml('project: churn', 'entities: [customer]');
      assertRule(run(text), 'schema', 'error', [
        [rangeOf(text, 'project'), "The file is missing the required key 'version'."],
        [rangeOf(text, '[customer]'), "'entities' must be a mapping"],
      ]);
    });
  });

  describe('invalid-id', () => {
    it('reports entity, source, view and feature names that are not identifiers, once each', () => {
      const text = yaml('version: 1', 'entities:', '  2customer: {join_keys: [id]}', 'sources:', '  raw-tx: {path: x.csv}', 'feature_views:', '  customer-stats:', '    features:', '      30d_orders: int64');
      assertRule(run(text), 'invalid-id', 'error', [
        [rangeOf(text, '2customer'), "Entity name '2customer' is not valid", 'not starting with a digit'],
        [rangeOf(text, 'raw-tx'), "Source name 'raw-tx' is not valid"],
        [rangeOf(text, 'customer-stats'), "Feature view name 'customer-stats' is not valid"],
        [rangeOf(text, '30d_orders'), "Feature name '30d_orders' is not valid"],
      ]);
    });
  });

  describe('unknown-entity and unknown-source', () => {
    const shared = yaml('version: 1', 'entities:', '  customer: {join_keys: [customer_id]}', 'sources:', '  transactions: {path: data/tx.csv}');

    it('resolves entities and sources defined in another catalog of the workspace', () => {
      const text = yaml('version: 1', 'feature_views:', '  v:', '    entities: [customer]', '    source: transactions', '    features: {a: int64}');
      assert.deepEqual(run(text, { '/ws/shared/common.features.yaml': shared }), []);
    });

    it('reports names defined nowhere, suggesting the closest across files', () => {
      const text = yaml('version: 1', 'feature_views:', '  v:', '    entities: [custmer, store]', '    source: transaction', '    features: {a: int64}', '  w:', '    source: clickstream', '    features: {b: int64}');
      assertDiagnostics(run(text, { '/ws/shared/common.features.yaml': shared }), [
        { code: 'unknown-entity', severity: 'error', range: rangeOf(text, 'custmer'), message: ["Entity 'custmer' is not defined.", "Did you mean 'customer'?"] },
        { code: 'unknown-entity', severity: 'error', range: rangeOf(text, 'store'), message: ["Entity 'store' is not defined.", 'Add it under entities.'] },
        { code: 'unknown-source', severity: 'error', range: rangeOf(text, 'transaction'), message: ["Source 'transaction' is not defined.", "Did you mean 'transactions'?"] },
        { code: 'unknown-source', severity: 'error', range: rangeOf(text, 'clickstream'), message: ["Source 'clickstream' is not defined.", 'Add it under sources.'] },
      ]);
    });

    it('reports them again when the other catalog is deleted', () => {
      const text = yaml('version: 1', 'feature_views:', '  v:', '    entities: [customer]', '    source: transactions', '    features: {a: int64}');
      const ws = new Workspace({ root: '/ws' });
      ws.set('/ws/f.features.yaml', text);
      ws.set('/ws/shared/common.features.yaml', shared);
      assert.deepEqual(ws.analyze('/ws/f.features.yaml')!.diagnostics, []);
      ws.delete('/ws/shared/common.features.yaml');
      assert.deepEqual(
        seen(ws.analyze('/ws/f.features.yaml')!.diagnostics).map((d) => d.code),
        ['unknown-entity', 'unknown-source'],
      );
    });
  });

  describe('invalid-ttl', () => {
    it('reports a ttl without unit and one that is not a duration, once each', () => {
      const text = yaml('version: 1', 'feature_views:', '  v:', '    ttl: 30', '    features: {a: int64}', '  w:', '    ttl: a month', '    features: {b: int64}');
      assertRule(run(text), 'invalid-ttl', 'error', [
        [rangeOf(text, '30'), "ttl 30 has no unit; write e.g. '30d' or '30h'."],
        [rangeOf(text, 'a month'), "ttl 'a month' is not a duration", "'30d'"],
      ]);
    });
  });

  describe('invalid-feature-type', () => {
    it('reports unknown types in both forms and inside array<>, suggesting the closest', () => {
      const text = yaml('version: 1', 'feature_views:', '  v:', '    features:', '      a: float65', '      b: {type: "array<float128>"}', '      c: {type: int}', '      d: "array<int64>"');
      assertRule(run(text), 'invalid-feature-type', 'error', [
        [rangeOf(text, 'float65'), "'float65' is not a feature type", 'int32, int64, float32, float64, bool, string, bytes, timestamp or array<T>', "Did you mean 'float64'?"],
        [rangeOf(text, '"array<float128>"'), "'array<float128>' is not a feature type"],
        [within(text, 'type: int}', 'int'), "'int' is not a feature type"],
      ]);
    });
  });

  describe('duplicate-feature-view', () => {
    it('reports a view defined in two files on both, naming the other file', () => {
      const a = yaml('version: 1', 'feature_views:', '  stats:', '    features: {a: int64}', '  only_here:', '    features: {b: int64}');
      const b = yaml('version: 1', 'project: other', 'feature_views:', '  stats:', '    features: {a: int64}');
      const ws = new Workspace({ root: '/ws' });
      ws.set('/ws/a/one.features.yaml', a);
      ws.set('/ws/b/two.features.yaml', b);
      assertRule(seen(ws.analyze('/ws/a/one.features.yaml')!.diagnostics), 'duplicate-feature-view', 'error', [
        [rangeOf(a, 'stats'), "Feature view 'stats' is also defined in", 'two.features.yaml', 'Rename one of them.'],
      ]);
      assertRule(ws.analyze('/ws/b/two.features.yaml')!.diagnostics, 'duplicate-feature-view', 'error', [[rangeOf(b, 'stats'), "Feature view 'stats' is also defined in", 'one.features.yaml']]);
      // Renaming one clears both.
      ws.set('/ws/b/two.features.yaml', b.replace('stats', 'other_stats'));
      assert.deepEqual(ws.analyze('/ws/a/one.features.yaml')!.diagnostics, []);
      assert.deepEqual(ws.analyze('/ws/b/two.features.yaml')!.diagnostics, []);
    });

    it('tells two files with the same name apart by their folder', () => {
      const a = yaml('version: 1', 'feature_views:', '  stats:', '    features: {a: int64}');
      const ws = new Workspace({ root: '/ws' });
      ws.set('/ws/team-a/features.features.yaml', a);
      ws.set('/ws/team-b/features.features.yaml', a);
      const [d] = ws.analyze('/ws/team-a/features.features.yaml')!.diagnostics;
      assert.match(d!.message, /team-b\/features\.features\.yaml/);
    });
  });

  describe('missing-transformation and missing-source-path (real file system)', () => {
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(() => {
      tmp = tempDir();
    });
    afterEach(() => tmp.cleanup());

    it('warns about a missing transformation file or function, and a source path nothing provides', () => {
      writeTree(tmp.dir, {
        'src/stats.py': 'import math\n\ndef compute(df):\n    return df\n',
        'src/js/agg.ts': 'export function aggregate() {}\n',
        'data/present.csv': 'a\n',
      });
      const text = yaml(
        'version: 1',
        'sources:',
        '  present: {path: data/present.csv}',
        '  absent: {path: data/absent.csv}',
        '  produced: {path: data/made/out.csv}',
        'feature_views:',
        '  ok:',
        '    transformation: src/stats.py:compute',
        '    features: {a: int64}',
        '  ok_ts:',
        '    transformation: src/js/agg.ts:aggregate',
        '    features: {a: int64}',
        '  no_file:',
        '    transformation: src/nope.py:compute',
        '    features: {a: int64}',
        '  no_function:',
        '    transformation: src/stats.py:comput',
        '    features: {a: int64}',
      );
      const pipeline = yaml('version: 1', 'name: p', 'tasks:', '  make:', '    run: echo', '    outputs: [data/made]');
      const file = `${tmp.dir}/f.features.yaml`;
      const ws = new Workspace({ root: tmp.dir, host: nodeHost });
      ws.set(file, text);
      ws.set(`${tmp.dir}/p.pipeline.yaml`, pipeline);
      assertDiagnostics(seen(ws.analyze(file)!.diagnostics), [
        { code: 'missing-source-path', severity: 'warning', range: rangeOf(text, 'data/absent.csv'), message: ["Source path 'data/absent.csv' does not exist and no pipeline task writes it", 'fix the path'] },
        { code: 'missing-transformation', severity: 'warning', range: rangeOf(text, 'src/nope.py:compute'), message: ["Transformation file 'src/nope.py' does not exist", 'file:function'] },
        { code: 'missing-transformation', severity: 'warning', range: within(text, 'src/stats.py:comput\n', 'src/stats.py:comput'), message: ["'src/stats.py' defines no function 'comput'"] },
      ]);
      // The producing pipeline goes away: its output is now a missing source.
      ws.delete(`${tmp.dir}/p.pipeline.yaml`);
      assert.deepEqual(
        ws
          .analyze(file)!
          .diagnostics.filter((d) => d.code === 'missing-source-path')
          .map((d) => d.range),
        [rangeOf(text, 'data/absent.csv'), rangeOf(text, 'data/made/out.csv')],
      );
      // The files appear on disk: after filesChanged() the warnings go away.
      writeTree(tmp.dir, { 'data/absent.csv': '', 'data/made/out.csv': '', 'src/nope.py': 'def compute():\n  pass\n' });
      ws.filesChanged();
      assert.deepEqual(
        ws.analyze(file)!.diagnostics.map((d) => d.message),
        ["'src/stats.py' defines no function 'comput'; add it or fix the name after ':'."],
      );
    });
  });

  describe('unreadable-file (real file system)', () => {
    let tmp: ReturnType<typeof tempDir>;
    let outside: ReturnType<typeof tempDir>;
    beforeEach(() => {
      tmp = tempDir();
      outside = tempDir();
    });
    afterEach(() => {
      tmp.cleanup();
      outside.cleanup();
    });

    it('names a transformation that is a FIFO, a device, too large or a link out of the workspace, without reading it', () => {
      writeTree(tmp.dir, { 'src/ok.py': 'def compute(df):\n    return df\n' });
      writeTree(outside.dir, { 'secret.py': 'def compute(df):\n    return df\n' });
      execFileSync('mkfifo', [path.join(tmp.dir, 'src/fifo.py')]);
      fs.symlinkSync('/dev/zero', path.join(tmp.dir, 'src/zero.py'));
      fs.symlinkSync(path.join(outside.dir, 'secret.py'), path.join(tmp.dir, 'src/away.py'));
      // Sparse: 5 GB on paper, nothing on disk. Reading it would take the 5 GB.
      fs.closeSync(fs.openSync(path.join(tmp.dir, 'src/huge.py'), 'w'));
      fs.truncateSync(path.join(tmp.dir, 'src/huge.py'), 5e9);
      const views = ['ok', 'fifo', 'zero', 'away', 'huge'];
      const text = yaml('version: 1', 'feature_views:', ...views.flatMap((v) => [`  ${v}:`, `    transformation: src/${v}.py:compute`, '    features: {a: int64}']));
      const file = `${tmp.dir}/f.features.yaml`;
      const ws = new Workspace({ root: tmp.dir, host: fileHost([tmp.dir]) });
      ws.set(file, text);
      const fix = 'so it was not checked; point transformation at a regular source file inside the workspace.';
      assertRule(seen(ws.analyze(file)!.diagnostics), 'unreadable-file', 'warning', [
        [rangeOf(text, 'src/fifo.py:compute'), `Transformation file 'src/fifo.py' is a FIFO, not a regular file, ${fix}`],
        [rangeOf(text, 'src/zero.py:compute'), `Transformation file 'src/zero.py' resolves to /dev/zero, outside the workspace, and is not followed, ${fix}`],
        [rangeOf(text, 'src/away.py:compute'), `Transformation file 'src/away.py' resolves to ${outside.dir}/secret.py, outside the workspace, and is not followed, ${fix}`],
        [rangeOf(text, 'src/huge.py:compute'), `Transformation file 'src/huge.py' is 5.0 GB, over the 4.0 MB limit for this kind of file, ${fix}`],
      ]);
    });

    it('names a link to a device even where reads are not confined to a folder', () => {
      fs.mkdirSync(path.join(tmp.dir, 'src'));
      fs.symlinkSync('/dev/zero', path.join(tmp.dir, 'src/zero.py'));
      const text = yaml('version: 1', 'feature_views:', '  zero:', '    transformation: src/zero.py:compute', '    features: {a: int64}');
      const ws = new Workspace({ root: tmp.dir, host: fileHost([]) });
      ws.set(`${tmp.dir}/f.features.yaml`, text);
      assertRule(seen(ws.analyze(`${tmp.dir}/f.features.yaml`)!.diagnostics), 'unreadable-file', 'warning', [
        [rangeOf(text, 'src/zero.py:compute'), "Transformation file 'src/zero.py' is a character device, not a regular file"],
      ]);
    });
  });

  describeCoverage('covers every catalog code of docs/feature-catalog.md');
});
