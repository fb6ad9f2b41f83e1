import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  NotificationType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { documentKind, EXPORT_TARGET_IDS, PROJECT_GLOBS, statusNotification, type StatusParams } from '../../../core/src/index';
import { findProjectFiles } from '../../../core/src/node';
import { MlopsSettings } from '../../../core/src/protocol/settings';
import type { EngineOptions } from '../engine/engine';
import { nativePath, pathToUri, uriToPath } from '../util/uri';
import { readText } from './disk';
import { registerHeapReport } from './memory';
import { registerRequests } from './requests';
import { Router, SLOW_BUDGET_MS } from './router';
import { Validator } from './validator';

const StatusNotification = new NotificationType<StatusParams>(statusNotification.method);

/** How far the start-up scan reads into each workspace folder, so a huge tree cannot stall it. */
const MAX_SCAN_ENTRIES = 200_000;

/** Runs the language server on the connection given by the command line (--stdio, --node-ipc, …); `laneScript` is the lane workers' bundle. */
export function startServer(laneScript: string): void {
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const log = (line: string) => connection.console.log(line);
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  const router = new Router({ script: laneScript, log, gaveUp: (uri) => publishGaveUp(uri) });
  const validator = new Validator(
    router,
    {
      version: (uri) => documents.get(uri)?.version,
      publish: (uri, version, diagnostics, status) => {
        void connection.sendDiagnostics({ uri, version, diagnostics });
        if (status) void connection.sendNotification(StatusNotification, status);
      },
      log,
    },
    ready,
  );
  let folders: string[] = [];
  let engineOptions: EngineOptions = { snippets: false };
  let canConfigure = false;
  let canWatch = false;
  const justOpened = new Set<string>();
  const openUris = () => documents.keys();

  function publishGaveUp(uri: string): void {
    const doc = documents.get(uri);
    if (!doc) return;
    const message = `Checking this file took longer than ${SLOW_BUDGET_MS / 1000} s and was stopped; split it into smaller files. It is checked again after the next edit.`;
    void connection.sendDiagnostics({
      uri,
      version: doc.version,
      diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Warning, source: 'mlops', message }],
    });
  }

  /** After a document changed: the open documents whose verdict depends on it. */
  function dependentsOf(uri: string): string[] {
    const kind = documentKind(uriToPath(uri));
    const open = openUris().filter((u) => u !== uri);
    const catalogs = open.filter((u) => documentKind(uriToPath(u)) === 'features');
    if (kind === 'features') return [...validator.featureUsers(open), ...catalogs];
    if (kind === 'pipeline') return catalogs;
    return [];
  }

  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    canConfigure = caps.workspace?.configuration === true;
    canWatch = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    if (folders.length === 0 && params.rootUri) folders = [uriToPath(params.rootUri)];
    const snippets = caps.textDocument?.completion?.completionItem?.snippetSupport === true;
    engineOptions = { ...(folders[0] ? { root: folders[0] } : {}), folders, snippets };
    router.configure(engineOptions);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        completionProvider: { triggerCharacters: ['.', '[', ',', '{'] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'mlops-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(async () => {
    if (canWatch) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: PROJECT_GLOBS.any }, { globPattern: '**/*' }],
      });
    }
    if (canConfigure) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'mlops' });
    await loadSettings();
    try {
      for (const folder of folders) {
        for (const file of await findProjectFiles(nativePath(folder), undefined, MAX_SCAN_ENTRIES)) {
          const uri = pathToUri(file.replace(/\\/g, '/'));
          if (documents.get(uri)) continue;
          const text = await readText(file, folders.map(nativePath), log);
          if (text !== undefined) router.set(uri, text);
        }
      }
    } catch (err) {
      log(`reading the workspace failed: ${(err as Error).message}`);
    }
    readyResolve();
  });

  async function loadSettings(given?: unknown): Promise<void> {
    let section: unknown;
    if (canConfigure) {
      try {
        section = await connection.workspace.getConfiguration('mlops');
      } catch {
        section = undefined;
      }
    } else section = (given as { mlops?: unknown } | undefined)?.mlops;
    const s = MlopsSettings.fromSection(section);
    validator.debounceMs = s.debounceMs;
    // `none` leaves the export checks off.
    const target = EXPORT_TARGET_IDS.find((id) => id === s.exportTarget);
    if (target !== engineOptions.exportTarget) {
      engineOptions = { ...engineOptions };
      if (target) engineOptions.exportTarget = target;
      else delete engineOptions.exportTarget;
      router.configure(engineOptions);
      for (const uri of openUris()) if (documentKind(uriToPath(uri)) === 'pipeline') validator.schedule(uri, 0);
    }
  }

  connection.onDidChangeConfiguration((p) => void loadSettings(p.settings));

  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    router.set(e.document.uri, e.document.getText());
    validator.now(e.document.uri);
    for (const u of dependentsOf(e.document.uri)) validator.schedule(u);
  });

  documents.onDidChangeContent((e) => {
    const uri = e.document.uri;
    if (justOpened.delete(uri)) return;
    router.set(uri, e.document.getText());
    validator.schedule(uri);
    for (const u of dependentsOf(uri)) validator.schedule(u);
  });

  documents.onDidSave((e) => {
    if (validator.pending(e.document.uri)) validator.now(e.document.uri);
  });

  documents.onDidClose(async (e) => {
    const uri = e.document.uri;
    justOpened.delete(uri);
    validator.forget(uri);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
    // The file on disk is what the workspace sees now.
    const text = uri.startsWith('file:') ? await readText(nativePath(uriToPath(uri)), folders.map(nativePath), log) : undefined;
    if (documents.get(uri)) return;
    if (text === undefined) router.delete(uri);
    else {
      router.set(uri, text);
      router.release(uri);
    }
    for (const u of dependentsOf(uri)) validator.schedule(u);
  });

  connection.onDidChangeWatchedFiles(async (p) => {
    await ready;
    const others: string[] = [];
    const touched = new Set<string>();
    for (const change of p.changes) {
      const path = uriToPath(change.uri);
      if (!documentKind(path)) {
        others.push(path);
        continue;
      }
      if (documents.get(change.uri)) continue;
      if (change.type === FileChangeType.Deleted) router.delete(change.uri);
      else {
        const text = await readText(nativePath(path), folders.map(nativePath), log);
        if (text === undefined || documents.get(change.uri)) continue;
        router.set(change.uri, text);
      }
      touched.add(change.uri);
    }
    const recheck = new Set<string>();
    for (const uri of touched) for (const u of dependentsOf(uri)) recheck.add(u);
    if (others.length > 0) {
      router.filesChanged();
      for (const u of validator.readersOf(openUris(), others)) recheck.add(u);
    }
    for (const u of recheck) validator.schedule(u);
  });

  registerRequests(connection, router, ready);
  if (process.env.MLOPS_LSP_MEMORY_REPORT === '1') registerHeapReport(connection, router);
  connection.onShutdown(() => router.dispose());
  documents.listen(connection);
  connection.listen();
}

export type { Connection };
