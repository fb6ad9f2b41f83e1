import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FeatureViewReport, FeaturesReport } from '../../core/src/catalog/index';
import { cleanUp, copyShop, mlops, mlopsJson, runShop } from './helpers';

describe('feature catalog: mlops features list|show', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = copyShop();
  });
  after(cleanUp);

  it('lists catalogs with entities, sources and views, each with where it is defined', () => {
    const r = mlopsJson<FeaturesReport>(dir, 'features', 'list');
    assert.equal(r.catalogs.length, 1);
    const c = r.catalogs[0]!;
    assert.equal(c.file, 'shop.features.yaml');
    assert.equal(c.project, 'shop');
    assert.deepEqual(c.entities, [{ name: 'customer', joinKeys: ['customer_id'], description: 'A paying account', location: { file: 'shop.features.yaml', line: 4, column: 3 } }]);
    assert.deepEqual(
      c.sources.map((s) => [s.name, s.path, s.timestampField, s.location.line]),
      [['raw', 'data/raw.csv', 'ts', 6]],
    );
    const v = c.views[0]!;
    assert.deepEqual(
      { name: v.name, location: v.location, entities: v.entities, source: v.source, ttl: v.ttl, owner: v.owner, tags: v.tags },
      { name: 'shopper_stats', location: { file: 'shop.features.yaml', line: 8, column: 3 }, entities: ['customer'], source: 'raw', ttl: '30d', owner: 'growth', tags: { tier: 'gold' } },
    );
    assert.deepEqual(v.transformation, { ref: 'src/features/stats.py:compute', file: 'src/features/stats.py', exists: true });
    assert.deepEqual(v.features, [
      { name: 'orders_30d', type: 'int64', description: 'Orders in the last 30 days', location: { file: 'shop.features.yaml', line: 17, column: 7 } },
      { name: 'spend_30d', type: 'float64', description: null, location: { file: 'shop.features.yaml', line: 18, column: 7 } },
    ]);
  });

  it('says which tasks and model versions use a view, and which versions it has changed under', () => {
    let v = mlopsJson<FeatureViewReport>(dir, 'features', 'show', 'shopper_stats');
    assert.deepEqual(v.usedBy.tasks, [{ pipeline: 'shop-train', file: 'shop.pipeline.yaml', task: 'featurize', location: { file: 'shop.pipeline.yaml', line: 12, column: 16 } }]);
    assert.deepEqual(v.usedBy.models, []);
    runShop(dir);
    v = mlopsJson<FeatureViewReport>(dir, 'features', 'show', 'shopper_stats');
    assert.deepEqual(v.usedBy.models, [{ name: 'shop-model', version: 1, aliases: [], stale: false }]);
    const file = path.join(dir, 'shop.features.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('spend_30d: float64', 'spend_30d: float32'));
    v = mlopsJson<FeatureViewReport>(dir, 'features', 'show', 'shopper_stats');
    assert.deepEqual(v.usedBy.models, [{ name: 'shop-model', version: 1, aliases: [], stale: true }]);
    const text = mlops(dir, 'features', 'show', 'shopper_stats');
    assert.match(text.stdout, /model shop-model:1 \(stale: the view changed since\)/);
  });

  it('names the views that exist when asked for one that does not', () => {
    const r = mlops(dir, 'features', 'show', 'shopper_stat');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "mlops features show: there is no feature view 'shopper_stat'; the catalog has shopper_stats.\n");
  });
});
