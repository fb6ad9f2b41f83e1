import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FeaturesReport } from '../../core/src/catalog/index';
import { featureParent, findView, GO_TO_DEFINITION_COMMAND, REVEAL_MODEL_COMMAND } from '../../client/src/catalog/features-tree-model';
import type { FolderRef } from '../../client/src/catalog/tree-spec';
import { cleanUp, copyShop, mlops, mlopsJson, runShop } from '../registry/helpers';
import { allRows, checkParentsAndIds, child, featureTree, folderOf, outline } from './catalog-fixture';

// The Feature Catalog tree, computed from what the real agent prints for the registry
// fixture (a pipeline whose train task has a model: block), without VS Code.

describe('client: Feature Catalog tree contents from the agent', function () {
  this.timeout(120_000);
  let dir: string;
  let folder: FolderRef;
  let report: FeaturesReport;
  const read = () => featureTree([{ folder, report: (report = mlopsJson<FeaturesReport>(dir, 'features', 'list')), error: null }]);
  const goTo = (at: { file: string; line: number; column: number }, find?: string) => ({ command: GO_TO_DEFINITION_COMMAND, title: 'Go to Definition', arguments: [folder.uri, at, find] });

  before(() => {
    dir = copyShop();
    folder = folderOf(dir);
  });
  after(cleanUp);

  it('lists catalogs → entities, sources and feature views → features with type and description, owner, ttl, tags', () => {
    const tree = read();
    assert.deepEqual(outline(tree), [
      'shop.features.yaml — shop',
      '  entities — 1',
      '    customer — join keys customer_id',
      '  sources — 1',
      '    raw — data/raw.csv · ts ts',
      '  feature views — 1',
      '    shopper_stats — 2 features · owner growth',
      '      orders_30d — int64',
      '      spend_30d — float64',
      '      owner — growth',
      '      ttl — 30d',
      '      tags — tier=gold',
      '      transformation — src/features/stats.py:compute',
      '      used by — 1',
      '        shop-train › featurize — shop.pipeline.yaml',
    ]);
    checkParentsAndIds(tree, featureParent);
    const id = `catalog:file://${dir}:shop.features.yaml`;
    assert.deepEqual(tree[0]!.spec, { id, label: 'shop.features.yaml', description: 'shop', icon: 'book', command: goTo({ file: 'shop.features.yaml', line: 1, column: 1 }), collapsible: 'expanded' });
    assert.deepEqual(
      tree[0]!.children.map((r) => [r.spec.id, r.spec.icon, r.spec.collapsible]),
      [
        [`${id}:entities`, 'symbol-key', 'collapsed'],
        [`${id}:sources`, 'database', 'collapsed'],
        [`${id}:views`, 'symbol-structure', 'expanded'],
      ],
    );
    assert.deepEqual(child(tree[0]!.children, 'entities').children[0]!.spec, {
      id: `${id}:entities:customer`,
      label: 'customer',
      description: 'join keys customer_id',
      tooltip: 'A paying account',
      icon: 'symbol-key',
      command: goTo({ file: 'shop.features.yaml', line: 4, column: 3 }),
      collapsible: 'none',
    });
    assert.deepEqual(child(tree[0]!.children, 'sources').children[0]!.spec, {
      id: `${id}:sources:raw`,
      label: 'raw',
      description: 'data/raw.csv · ts ts',
      tooltip: 'Raw orders',
      icon: 'database',
      command: goTo({ file: 'shop.features.yaml', line: 6, column: 3 }),
      collapsible: 'none',
    });
    const view = child(tree[0]!.children, 'feature views').children[0]!;
    const fingerprint = report.catalogs[0]!.views[0]!.fingerprint;
    assert.deepEqual(view.spec, {
      id: `${id}:views:shopper_stats`,
      label: 'shopper_stats',
      description: '2 features · owner growth',
      icon: 'symbol-structure',
      tooltip: { markdown: `**shopper_stats** — Order counts per customer\n\nentities: customer · source: raw · ttl: 30d\n\nfingerprint \`${fingerprint.slice(0, 12)}\`` },
      command: goTo({ file: 'shop.features.yaml', line: 8, column: 3 }),
      contextValue: 'mlops.featureView',
      collapsible: 'collapsed',
    });
    const viewAt = { file: 'shop.features.yaml', line: 8, column: 3 };
    assert.deepEqual(
      view.children.map((r) => [r.spec.label, r.spec.description, r.spec.tooltip, r.spec.icon, r.spec.command, r.spec.collapsible]),
      [
        ['orders_30d', 'int64', 'Orders in the last 30 days', 'symbol-field', goTo({ file: 'shop.features.yaml', line: 17, column: 7 }), 'none'],
        ['spend_30d', 'float64', 'spend_30d: float64', 'symbol-field', goTo({ file: 'shop.features.yaml', line: 18, column: 7 }), 'none'],
        ['owner', 'growth', 'owner: growth', 'person', goTo(viewAt), 'none'],
        ['ttl', '30d', 'ttl: 30d', 'watch', goTo(viewAt), 'none'],
        ['tags', 'tier=gold', 'tags: tier=gold', 'tag', goTo(viewAt), 'none'],
        ['transformation', 'src/features/stats.py:compute', 'transformation: src/features/stats.py:compute', 'symbol-method', goTo({ file: 'src/features/stats.py', line: 0, column: 0 }, 'compute'), 'none'],
        ['used by', '1', undefined, 'references', undefined, 'expanded'],
      ],
    );
    assert.deepEqual(findView([{ folder, report, error: null }], 'shopper_stats')?.view.location, viewAt);
    assert.equal(findView([{ folder, report, error: null }], 'nope'), undefined);
  });

  it('says "not used yet" under a view nothing reads', () => {
    fs.writeFileSync(path.join(dir, 'extra.features.yaml'), 'version: 1\nfeature_views:\n  lonely:\n    features:\n      x: int64\n');
    try {
      const tree = read();
      assert.deepEqual(outline(tree.filter((r) => r.spec.label === 'extra.features.yaml')), [
        'extra.features.yaml',
        '  feature views — 1',
        '    lonely — 1 features',
        '      x — int64',
        '      used by — 0',
        '        not used yet',
      ]);
      const usedBy = allRows(tree).find((r) => r.spec.label === 'used by' && r.spec.description === '0')!;
      assert.equal(usedBy.spec.collapsible, 'collapsed');
      assert.deepEqual(usedBy.children[0]!.spec, { id: `${usedBy.spec.id}:none`, label: 'not used yet', tooltip: 'not used yet', icon: 'info', collapsible: 'none' });
    } finally {
      fs.rmSync(path.join(dir, 'extra.features.yaml'));
    }
  });

  it('lists the model versions trained on a view under "used by", each revealing its version', () => {
    runShop(dir);
    runShop(dir, '--force');
    assert.equal(mlops(dir, 'models', 'alias', 'shop-model', '1', 'champion').code, 0);
    const tree = read();
    const view = child(child(tree[0]!.children, 'feature views').children, 'shopper_stats');
    const usedBy = child(view.children, 'used by');
    assert.deepEqual([usedBy.spec.description, usedBy.spec.collapsible], ['3', 'expanded']);
    assert.deepEqual(
      usedBy.children.map((r) => [r.spec.label, r.spec.description, r.spec.icon, r.spec.iconColor, r.spec.command]),
      [
        ['shop-train › featurize', 'shop.pipeline.yaml', 'symbol-event', undefined, goTo({ file: 'shop.pipeline.yaml', line: 12, column: 16 })],
        ['shop-model v2', '', 'symbol-class', undefined, { command: REVEAL_MODEL_COMMAND, title: 'Reveal Model Version', arguments: ['shop-model', 2] }],
        ['shop-model v1', '@champion', 'symbol-class', undefined, { command: REVEAL_MODEL_COMMAND, title: 'Reveal Model Version', arguments: ['shop-model', 1] }],
      ],
    );
    assert.equal(view.spec.description, '2 features · owner growth');
  });

  it('flags the view and the versions trained on its older definition once it changes', () => {
    fs.appendFileSync(path.join(dir, 'src', 'features', 'stats.py'), '# new window\n');
    const tree = read();
    const view = child(child(tree[0]!.children, 'feature views').children, 'shopper_stats');
    assert.deepEqual([view.spec.description, view.spec.icon, view.spec.iconColor], ['2 features · owner growth · 2 stale model versions', 'warning', 'list.warningForeground']);
    assert.deepEqual(
      child(view.children, 'used by')
        .children.slice(1)
        .map((r) => [r.spec.label, r.spec.description, r.spec.icon, r.spec.iconColor, r.spec.tooltip]),
      [
        ['shop-model v2', 'stale: the view changed since training', 'warning', 'list.warningForeground', 'shop-model v2: stale: the view changed since training'],
        ['shop-model v1', '@champion · stale: the view changed since training', 'warning', 'list.warningForeground', 'shop-model v1: @champion · stale: the view changed since training'],
      ],
    );
  });
});
