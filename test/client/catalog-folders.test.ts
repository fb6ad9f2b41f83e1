import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FeaturesReport, ModelsReport } from '../../core/src/catalog/index';
import { modelParent, modelRoots, modelVersions, type FolderModels } from '../../client/src/catalog/models-tree-model';
import { cleanUp, copyShop, mlopsJson, runShop } from '../registry/helpers';
import { checkParentsAndIds, featureTree, folderOf, modelTree, outline } from './catalog-fixture';

// Both catalog trees for an empty folder, a folder that cannot be read and several folders,
// from what the real agent prints, without VS Code.

describe('client: catalog trees for empty, failing and several folders', function () {
  this.timeout(120_000);
  let empty: string;
  let shop: string;

  before(() => {
    empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-empty-'));
    shop = copyShop();
    runShop(shop);
  });
  after(() => {
    fs.rmSync(empty, { recursive: true, force: true });
    cleanUp();
  });

  it('gives no rows for empty reports, so the views’ welcome text shows', () => {
    const models = mlopsJson<ModelsReport>(empty, 'models', 'list');
    const features = mlopsJson<FeaturesReport>(empty, 'features', 'list');
    assert.deepEqual(models.models, []);
    assert.deepEqual(features.catalogs, []);
    assert.deepEqual(modelTree([{ folder: folderOf(empty), report: models, error: null }]), []);
    assert.deepEqual(featureTree([{ folder: folderOf(empty), report: features, error: null }]), []);
    assert.deepEqual(modelTree([]), []);
    assert.deepEqual(featureTree([]), []);
    // Several folders with nothing in them: still no rows.
    assert.deepEqual(
      modelTree([
        { folder: folderOf(empty, 'a'), report: models, error: null },
        { folder: folderOf(empty, 'b'), report: models, error: null },
      ]),
      [],
    );
  });

  it('shows a folder that cannot be read as an error row', () => {
    const broken = folderOf('/nowhere/broken');
    const message = 'Cannot read models of broken: no such folder';
    assert.deepEqual(
      modelTree([{ folder: broken, report: null, error: message }]).map((r) => r.spec),
      [{ id: 'error:file:///nowhere/broken', label: message, icon: 'error', iconColor: 'errorForeground', tooltip: message, collapsible: 'none' }],
    );
    assert.deepEqual(
      featureTree([{ folder: broken, report: null, error: message }]).map((r) => r.spec),
      [{ id: 'error:file:///nowhere/broken', label: message, icon: 'error', iconColor: 'errorForeground', collapsible: 'none' }],
    );
  });

  it('with several folders, groups models under folder rows, skipping folders with nothing to show', () => {
    const broken = folderOf('/nowhere/broken');
    const folders: FolderModels[] = [
      { folder: folderOf(empty, 'empty'), report: mlopsJson<ModelsReport>(empty, 'models', 'list'), error: null },
      { folder: folderOf(shop), report: mlopsJson<ModelsReport>(shop, 'models', 'list'), error: null },
      { folder: broken, report: null, error: 'Cannot read models of broken: boom' },
    ];
    const tree = modelTree(folders);
    assert.deepEqual(
      tree.map((r) => r.spec),
      [
        { id: `folder:file://${shop}`, label: 'shop', icon: 'root-folder', collapsible: 'expanded' },
        { id: 'folder:file:///nowhere/broken', label: 'broken', icon: 'root-folder', collapsible: 'expanded' },
      ],
    );
    assert.deepEqual(
      outline(tree).filter((l) => !/^ {6}/.test(l)),
      ['shop', '  shop-model — 1 version', '    v1 — auc 0.91', 'broken', '  Cannot read models of broken: boom'],
    );
    checkParentsAndIds(tree, modelParent);
    const version = modelVersions(modelRoots(folders))[0]!;
    assert.deepEqual([version.data.folder.name, version.model.name, version.entry.version.version], ['shop', 'shop-model', 1]);
    // Feature catalogs of several folders are listed one after another, errors first per folder.
    const features = featureTree([
      { folder: broken, report: null, error: 'Cannot read features of broken: boom' },
      { folder: folderOf(shop), report: mlopsJson<FeaturesReport>(shop, 'features', 'list'), error: null },
    ]);
    assert.deepEqual(
      features.map((r) => r.spec.label),
      ['Cannot read features of broken: boom', 'shop.features.yaml'],
    );
  });
});
