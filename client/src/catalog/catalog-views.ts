import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Cmd } from '../commands/index';
import { PROJECT_GLOBS } from '../../../core/src/browser';
import type { Result } from '../../../core/src/browser';
import { KeyedDebouncer } from '../../../core/src/browser';
import { checkAlias, parseTag, diffVersions, modelUri, type FeaturesReport, type ModelsReport, type ModelVersion, type SourceLocation } from '../../../core/src/index';
import { agentJson, runAgent, type AgentLauncher } from './agent-json';
import { ModelDocuments, MODEL_DOC_SCHEME } from './documents';
import { FeaturesTree, type FolderFeatures } from './features-tree';
import { ModelsTree, pathContext, type FolderModels, type ModelNode } from './models-tree';
import { openAt } from './open';
import type { OpenTarget } from './artifact-items';

type VersionNode = ModelNode & { kind: 'version' };

/** Commands another part of the extension may offer for a run, if it exists (the runs view). */
const REVEAL_RUN_COMMANDS = ['mlops.runs.reveal', 'mlops.revealRun'];

/** What the catalog views need from the extension. */
export interface CatalogHost {
  launcher: AgentLauncher;
  /** Writes a line to the extension's output channel. */
  log(line: string): void;
}

/**
 * The Models and Feature Catalog tree views: their data (read from the agent CLI as JSON),
 * their refresh triggers and their commands. Everything it creates is disposed with it.
 */
export class CatalogViews implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly models = new ModelsTree();
  private readonly features = new FeaturesTree();
  private readonly docs = new ModelDocuments();
  private readonly modelsView: vscode.TreeView<ModelNode>;
  private readonly featuresView: vscode.TreeView<unknown>;
  private readonly soon = new KeyedDebouncer<'refresh'>();
  private running: Promise<void> | undefined;
  private again = false;
  private readonly sourceWatchers = new Map<string, vscode.FileSystemWatcher>();

  constructor(private readonly host: CatalogHost) {
    this.modelsView = vscode.window.createTreeView('mlops.models', { treeDataProvider: this.models, showCollapseAll: true });
    this.featuresView = vscode.window.createTreeView('mlops.features', { treeDataProvider: this.features, showCollapseAll: true }) as vscode.TreeView<unknown>;
    this.disposables.push(this.modelsView, this.featuresView, this.models, this.features, this.docs);
    this.disposables.push(vscode.workspace.registerTextDocumentContentProvider(MODEL_DOC_SCHEME, this.docs));
    // The agent touches registry.changed after every registration, alias or tag.
    for (const glob of ['**/.mlops/registry.changed', PROJECT_GLOBS.any, '**/mlruns/models/**']) {
      const w = vscode.workspace.createFileSystemWatcher(glob);
      w.onDidCreate(() => this.refreshSoon(), undefined, this.disposables);
      w.onDidChange(() => this.refreshSoon(), undefined, this.disposables);
      w.onDidDelete(() => this.refreshSoon(), undefined, this.disposables);
      this.disposables.push(w);
    }
    // Saving a featurize, predict or transformation source can make a version stale.
    vscode.workspace.onDidSaveTextDocument((d) => d.uri.scheme === 'file' && this.refreshSoon(), undefined, this.disposables);
    vscode.workspace.onDidChangeWorkspaceFolders(() => this.refreshSoon(), undefined, this.disposables);
    // Sources changed outside the editor (git checkout, a script) are noticed when the window regains focus.
    vscode.window.onDidChangeWindowState((w) => w.focused && this.refreshSoon(), undefined, this.disposables);
    this.modelsView.onDidChangeVisibility((e) => e.visible && this.refreshSoon(), undefined, this.disposables);
    this.featuresView.onDidChangeVisibility((e) => e.visible && this.refreshSoon(), undefined, this.disposables);
    void this.refresh();
  }

  dispose(): void {
    this.soon.dispose();
    for (const w of this.sourceWatchers.values()) w.dispose();
    this.sourceWatchers.clear();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }

  /** The catalog commands, by id, for the extension's command table. */
  commands(): Record<string, Cmd> {
    return {
      'mlops.models.refresh': () => this.refresh(),
      'mlops.features.refresh': () => this.refresh(),
      'mlops.models.setAlias': (node?: VersionNode) => this.setAlias(node),
      'mlops.models.addTag': (node?: VersionNode) => this.addTag(node),
      'mlops.models.compare': (node?: VersionNode) => this.compare(node),
      'mlops.models.copyUri': (node?: VersionNode) => this.copyUri(node),
      'mlops.models.revealRun': (node?: VersionNode) => this.revealRun(node),
      'mlops.models.openItem': (node: ModelNode & { kind: 'item' }) => this.openItem(node),
      'mlops.models.reveal': (name: string, version: number) => this.reveal(name, version),
      'mlops.features.goToDefinition': (folder: vscode.Uri, at: SourceLocation, find?: string) => this.goToDefinition(folder, at, find),
      'mlops.features.create': () => createCatalog(),
    };
  }

  /** Re-reads soon, once, however many changes arrive together. */
  /** Whether the Models view is on screen (a team store's versions are then listed again now and then). */
  get modelsVisible(): boolean {
    return this.modelsView.visible;
  }

  refreshSoon(): void {
    this.soon.schedule('refresh', 300, () => void this.refresh());
  }

  /** Re-reads both trees; a refresh asked for while one runs happens right after it. */
  async refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.load().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.running;
  }

  private async load(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const read = async <T>(folder: vscode.WorkspaceFolder, args: string[]): Promise<{ report: T | null; error: string | null }> => {
      try {
        return { report: await agentJson<T>(this.host.launcher, args, folder.uri.fsPath), error: null };
      } catch (e) {
        const message = `Cannot read ${args[0]} of ${folder.name}: ${(e as Error).message}`;
        this.host.log(message);
        return { report: null, error: message };
      }
    };
    const [models, features] = await Promise.all([
      Promise.all(folders.map(async (folder): Promise<FolderModels> => ({ folder, ...(await read<ModelsReport>(folder, ['models', 'list'])) }))),
      Promise.all(folders.map(async (folder): Promise<FolderFeatures> => ({ folder, ...(await read<FeaturesReport>(folder, ['features', 'list'])) }))),
    ]);
    this.models.update(models);
    this.features.update(features);
    this.watchSources(models, features);
    const stale = models
      .flatMap((f) => f.report?.models ?? [])
      .flatMap((m) => m.versions)
      .filter((v) => v.stale.length > 0).length;
    this.modelsView.badge = stale > 0 ? { value: stale, tooltip: `${stale} model version${stale === 1 ? '' : 's'} stale against their features or code` } : undefined;
  }

  /**
   * Watches the source files whose change makes a version stale (featurize, predict and
   * transformation sources), so an edit outside the editor (git checkout, a script) is seen.
   */
  private watchSources(models: FolderModels[], features: FolderFeatures[]): void {
    const wanted = new Set<string>();
    const want = (root: string, file: string) => wanted.add(vscode.Uri.joinPath(vscode.Uri.file(root), ...file.split('/')).fsPath);
    for (const f of models) {
      const root = pathContext(f).root;
      for (const m of f.report?.models ?? []) {
        if (m.source !== 'mlops') continue;
        for (const { version: v } of m.versions) {
          for (const fn of [v.functions.featurize, v.functions.predict]) if (fn) want(root, fn.file);
        }
      }
    }
    for (const f of features) {
      const root = f.report?.root ?? f.folder.uri.fsPath;
      for (const c of f.report?.catalogs ?? []) for (const v of c.views) if (v.transformation?.file) want(root, v.transformation.file);
    }
    for (const [file, w] of this.sourceWatchers) {
      if (!wanted.has(file)) {
        w.dispose();
        this.sourceWatchers.delete(file);
      }
    }
    for (const file of wanted) {
      if (this.sourceWatchers.has(file)) continue;
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      w.onDidChange(() => this.refreshSoon());
      w.onDidCreate(() => this.refreshSoon());
      w.onDidDelete(() => this.refreshSoon());
      this.sourceWatchers.set(file, w);
    }
  }

  /** The version a command acts on: the selected node, or one picked from a list. */
  private async pickVersion(node: VersionNode | undefined, title: string, filter: (v: VersionNode) => boolean = () => true): Promise<VersionNode | undefined> {
    if (node?.kind === 'version') return node;
    const selected = this.modelsView.selection.find((n): n is VersionNode => n.kind === 'version');
    if (selected && filter(selected)) return selected;
    const items = this.models
      .versions()
      .filter(filter)
      .map((v) => ({
        label: `${v.model.name} v${v.entry.version.version}`,
        description: [...v.entry.version.aliases.map((a) => `@${a}`), v.model.source === 'mlflow' ? 'MLflow' : ''].filter(Boolean).join(' '),
        node: v,
      }));
    if (items.length === 0) {
      void vscode.window.showInformationMessage('There is no model version yet: run a pipeline whose task has a model: block.');
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { title, placeHolder: 'Model version' }))?.node;
  }

  private async cli(node: VersionNode, args: string[]): Promise<boolean> {
    const r = await runAgent(this.host.launcher, args, node.data.folder.uri.fsPath);
    if (r.code !== 0) {
      void vscode.window.showErrorMessage(r.stderr.trim().replace(/^mlops models \w+: /, '') || `mlops ${args.join(' ')} failed.`);
      return false;
    }
    await this.refresh();
    return true;
  }

  private async setAlias(arg?: VersionNode): Promise<void> {
    const node = await this.pickVersion(arg, 'Set Alias', (v) => v.model.source === 'mlops');
    if (!node) return;
    if (node.model.source === 'mlflow') return void vscode.window.showInformationMessage(`${node.model.name} comes from MLflow and is read-only here; set aliases with MLflow.`);
    const v = node.entry.version;
    const alias = await vscode.window.showInputBox({
      title: `Alias for ${v.name} v${v.version}`,
      prompt: 'The alias moves to this version from any other version that has it.',
      placeHolder: 'champion',
      validateInput: (s) => messageOf(checkAlias(s)),
    });
    if (alias && (await this.cli(node, ['models', 'alias', v.name, String(v.version), alias]))) {
      void vscode.window.setStatusBarMessage(`${v.name}@${alias} → v${v.version}`, 4000);
    }
  }

  private async addTag(arg?: VersionNode): Promise<void> {
    const node = await this.pickVersion(arg, 'Add Tag', (v) => v.model.source === 'mlops');
    if (!node) return;
    if (node.model.source === 'mlflow') return void vscode.window.showInformationMessage(`${node.model.name} comes from MLflow and is read-only here; tag it with MLflow.`);
    const v = node.entry.version;
    const tag = await vscode.window.showInputBox({
      title: `Tag ${v.name} v${v.version}`,
      prompt: 'KEY=VALUE; a tag with the same key is replaced.',
      placeHolder: 'reviewed=yes',
      validateInput: (s) => messageOf(parseTag(s)),
    });
    if (tag) await this.cli(node, ['models', 'tag', `${v.name}:${v.version}`, tag]);
  }

  /** Opens a side-by-side comparison of two versions of one model: params, metrics, data, code and the model. */
  private async compare(arg?: VersionNode): Promise<void> {
    const a = await this.pickVersion(arg, 'Compare Model Versions: first version');
    if (!a) return;
    const others = this.models.versions().filter((v) => v.model === a.model && v !== a);
    if (others.length === 0) return void vscode.window.showInformationMessage(`${a.model.name} has only one version; run its pipeline again to compare.`);
    const pick =
      others.length === 1
        ? others[0]
        : (
            await vscode.window.showQuickPick(
              others.map((o) => ({ label: `v${o.entry.version.version}`, description: o.entry.version.aliases.map((x) => `@${x}`).join(' '), node: o })),
              { title: `Compare ${a.model.name} v${a.entry.version.version} with…` },
            )
          )?.node;
    if (!pick) return;
    const [older, newer] = a.entry.version.version < pick.entry.version.version ? [a, pick] : [pick, a];
    await this.openComparison(older.entry.version, newer.entry.version);
  }

  private async openComparison(a: ModelVersion, b: ModelVersion): Promise<void> {
    const d = diffVersions(a, b);
    const side = (which: 'a' | 'b') => {
      const head = which === 'a' ? d.a : d.b;
      const lines = [`${head}`, ''];
      for (const s of d.sections) {
        lines.push(`## ${s.title}`);
        const w = Math.max(0, ...s.rows.map((r) => r.key.length));
        for (const r of s.rows) lines.push(`${r.key.padEnd(w)}  ${(which === 'a' ? r.a : r.b) ?? '—'}`);
        if (s.rows.length === 0) lines.push('(none)');
        lines.push('');
      }
      return lines.join('\n');
    };
    const base = `/${a.name}/compare-v${a.version}-v${b.version}`;
    const left = this.docs.put(`${base}/v${a.version}.md`, side('a'));
    const right = this.docs.put(`${base}/v${b.version}.md`, side('b'));
    const summary = d.changed === 0 ? 'no differences' : `${d.changed} difference${d.changed === 1 ? '' : 's'}`;
    await vscode.commands.executeCommand('vscode.diff', left, right, `${a.name} v${a.version} ↔ v${b.version} (${summary})`);
  }

  private async copyUri(arg?: VersionNode): Promise<void> {
    const node = await this.pickVersion(arg, 'Copy Model URI');
    if (!node) return;
    const uri = modelUri(node.entry.version.name, node.entry.version.version);
    await vscode.env.clipboard.writeText(uri);
    void vscode.window.setStatusBarMessage(`Copied ${uri}`, 4000);
  }

  private async revealRun(arg?: VersionNode): Promise<void> {
    const node = await this.pickVersion(arg, 'Reveal Run');
    if (!node) return;
    const e = node.entry.version.experiment;
    if (!e.runId) return void vscode.window.showInformationMessage(`${node.model.name} v${node.entry.version.version} records no run.`);
    await this.showRun(e.runId, e.log ? vscode.Uri.joinPath(vscode.Uri.file(pathContext(node.data).root), ...e.log.split('/')) : null);
  }

  private async showRun(runId: string, log: vscode.Uri | null): Promise<void> {
    const all = await vscode.commands.getCommands(true);
    const reveal = REVEAL_RUN_COMMANDS.find((c) => all.includes(c));
    if (reveal) {
      await vscode.commands.executeCommand(reveal, runId);
      return;
    }
    if (log) await openAt(log, { line: 1 });
    else void vscode.window.showInformationMessage(`Run ${runId}: see mlops runs show ${runId}.`);
  }

  private async openItem(node: ModelNode & { kind: 'item' }): Promise<void> {
    const target: OpenTarget | undefined = node.spec.open;
    if (!target) return;
    switch (target.type) {
      case 'file':
        return openAt(vscode.Uri.file(target.path), target.find ? { find: target.find } : {});
      case 'log':
        return openAt(vscode.Uri.file(target.path), { line: 1 });
      case 'run':
        return this.showRun(target.runId, target.log ? vscode.Uri.file(target.log) : null);
      case 'diff': {
        const v = node.version.entry.version;
        const untracked = v.code.untracked.length ? `\n# untracked files (not in the diff):\n${v.code.untracked.map((u) => `#   ${u}`).join('\n')}\n` : '';
        const uri = this.docs.put(`/${v.name}/v${v.version}/uncommitted.diff`, `${v.code.diff ?? ''}${untracked}`);
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.languages.setTextDocumentLanguage(doc, 'diff');
        await vscode.window.showTextDocument(doc, { preview: true });
        return;
      }
      case 'feature-view': {
        const found = this.features.findView(target.view);
        if (found) return this.goToDefinition(found.data.folder.uri, found.view.location);
        const root = pathContext(node.version.data).root;
        if (target.catalog) return openAt(vscode.Uri.joinPath(vscode.Uri.file(root), ...target.catalog.split('/')), { find: target.view });
        void vscode.window.showWarningMessage(`No *.features.yaml defines the feature view ${target.view} any more.`);
        return;
      }
    }
  }

  private async reveal(name: string, version: number): Promise<void> {
    const node = this.models.versions().find((v) => v.model.name === name && v.entry.version.version === version && v.model.source === 'mlops');
    if (!node) return void vscode.window.showInformationMessage(`${name} v${version} is not in the Models view.`);
    await this.modelsView.reveal(node, { select: true, focus: true, expand: true });
  }

  /** Opens a definition at its line, or (line 0) at the function `find` names. */
  private goToDefinition(folder: vscode.Uri, at: SourceLocation, find?: string): Promise<void> {
    const uri = vscode.Uri.joinPath(folder, ...at.file.split('/'));
    return openAt(uri, at.line > 0 ? { line: at.line, column: at.column } : find ? { find } : {});
  }
}

const CATALOG_SNIPPET = [
  '# Feature catalog: entities, raw sources and the feature views computed from them.',
  '# Pipelines read views with `features: [view]`; models record their fingerprints.',
  'version: 1',
  'project: ${1:my-project}',
  '',
  'entities:',
  '  ${2:customer}: {join_keys: [${3:customer_id}], description: ${4:A paying account}}',
  '',
  'sources:',
  '  ${5:transactions}: {path: ${6:data/transactions.csv}, timestamp_field: ${7:event_ts}, description: ${8:Raw card events}}',
  '',
  'feature_views:',
  '  ${9:customer_stats}:',
  '    description: ${10:Spend and order counts over a sliding window}',
  '    entities: [${2}]',
  '    source: ${5}',
  '    ttl: ${11:30d}',
  '    transformation: ${12:src/features/customer_stats.py:compute}',
  '    owner: ${13:team}',
  '    features:',
  '      ${14:avg_spend_30d}: {type: ${15:float64}, description: ${16:Mean spend in the last 30 days}}',
  '      ${17:orders_30d}: ${18:int64}',
  '$0',
].join('\n');

/** Creates `NAME.features.yaml` in the workspace and fills it with a snippet to tab through. */
async function createCatalog(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return void vscode.window.showInformationMessage('Open a folder first: a feature catalog lives in a workspace.');
  const name = await vscode.window.showInputBox({
    title: 'New Feature Catalog',
    prompt: 'File name; .features.yaml is added.',
    value: 'features',
    validateInput: (s) => (/^[A-Za-z0-9][\w.-]*$/.test(s) ? undefined : 'Use letters, digits, _, - and .'),
  });
  if (!name) return;
  const uri = vscode.Uri.joinPath(folder.uri, `${name.replace(/\.features\.ya?ml$/, '')}.features.yaml`);
  try {
    await vscode.workspace.fs.stat(uri);
    return openAt(uri);
  } catch {
    // Does not exist yet: create it below.
  }
  await vscode.workspace.fs.writeFile(uri, new Uint8Array());
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  await editor.insertSnippet(new vscode.SnippetString(CATALOG_SNIPPET));
}

/** An input box's complaint: the rule's own sentence, or nothing when the value is valid. */
function messageOf(r: Result<unknown>): string | undefined {
  return r.ok ? undefined : r.error;
}
