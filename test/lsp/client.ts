/**
 * A small LSP client for tests: spawns the real bundled server (`node dist/server.js --stdio`)
 * and speaks JSON-RPC to it over stdio. Waiting is always for a condition with a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { ClientCapabilities, Diagnostic, InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver';
import type { StatusParams } from '../../core/src/index';
import { tempDir, writeTree } from '../files';
import { waitFor } from '../wait';

// Compiled to out/test/lsp/, so the repository root is three levels up.
export const repoRoot = path.resolve(__dirname, '../../..');
export const serverScript = path.join(repoRoot, 'dist', 'server.js');

export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

/** A temporary workspace folder with the given files (relative path → text). */
export function makeWorkspace(files: Record<string, string>): string {
  const { dir } = tempDir('mlops-lsp-');
  writeTree(dir, files);
  return dir;
}

interface Waiter<T> {
  pred: (v: T) => boolean;
  resolve: (v: T) => void;
}

export interface StartOptions {
  root: string;
  settings?: Record<string, unknown>;
  capabilities?: ClientCapabilities;
}

export const DEFAULT_CAPABILITIES: ClientCapabilities = {
  workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true },
  textDocument: {
    synchronization: { didSave: true },
    completion: { completionItem: { snippetSupport: true } },
    hover: { contentFormat: ['markdown'] },
    publishDiagnostics: { versionSupport: true },
    rename: { prepareSupport: true },
  },
};

export class LspClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly statuses: StatusParams[] = [];
  readonly logs: string[] = [];
  readonly registrations: unknown[] = [];
  private readonly waiters: Waiter<PublishDiagnosticsParams>[] = [];
  private readonly statusWaiters: Waiter<StatusParams>[] = [];
  private readonly versions = new Map<string, number>();
  initializeResult!: InitializeResult;

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: MessageConnection,
    private readonly settings: Record<string, unknown>,
  ) {}

  static async start(opts: StartOptions): Promise<LspClient> {
    const proc = spawn(process.execPath, [serverScript, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stderr!.on('data', () => undefined);
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new LspClient(proc, conn, opts.settings ?? {});
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => client.onPublish(p));
    conn.onNotification('mlops/status', (p: StatusParams) => {
      client.statuses.push(p);
      client.settle(client.statusWaiters, p);
    });
    conn.onNotification('window/logMessage', (p: { message: string }) => {
      client.logs.push(p.message);
    });
    conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => client.section(i.section)));
    conn.onRequest('client/registerCapability', (p: { registrations: unknown[] }) => {
      client.registrations.push(...p.registrations);
      return null;
    });
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.listen();
    const folder = uriOf(opts.root);
    client.initializeResult = await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folder,
      workspaceFolders: [{ uri: folder, name: path.basename(opts.root) }],
      capabilities: opts.capabilities ?? DEFAULT_CAPABILITIES,
    });
    await conn.sendNotification('initialized', {});
    return client;
  }

  private section(section: string | undefined): unknown {
    let cur: unknown = this.settings;
    for (const part of (section ?? '').split('.').filter(Boolean)) cur = (cur as Record<string, unknown> | undefined)?.[part];
    return cur ?? null;
  }

  private onPublish(p: PublishDiagnosticsParams): void {
    this.published.push(p);
    this.settle(this.waiters, p);
  }

  private settle<T>(list: Waiter<T>[], v: T): void {
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.pred(v)) {
        list.splice(i, 1)[0]!.resolve(v);
        i--;
      }
    }
  }

  /** The next publishDiagnostics for `uri` (from now on) that satisfies `pred`. */
  nextDiagnostics(uri: string, pred: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 15000): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        pred: (p) => p.uri === uri && pred(p.diagnostics),
        resolve: (p) => {
          clearTimeout(t);
          resolve(p.diagnostics);
        },
      });
    });
  }

  nextStatus(uri: string, pred: (s: StatusParams) => boolean = () => true, timeoutMs = 15000): Promise<StatusParams> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no status for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      this.statusWaiters.push({
        pred: (p) => p.uri === uri && pred(p),
        resolve: (p) => {
          clearTimeout(t);
          resolve(p);
        },
      });
    });
  }

  /** Opens a document and returns its first diagnostics. */
  async open(file: string, text = fs.readFileSync(file, 'utf8')): Promise<Diagnostic[]> {
    const uri = uriOf(file);
    const next = this.nextDiagnostics(uri);
    this.versions.set(uri, 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return next;
  }

  /** Sends an incremental change (a range replaced) and returns the diagnostics for it. */
  async edit(file: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<Diagnostic[]> {
    const uri = uriOf(file);
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const next = this.nextDiagnostics(uri);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return next;
  }

  /** Replaces the whole text and returns the diagnostics for it. */
  async replace(file: string, text: string): Promise<Diagnostic[]> {
    const uri = uriOf(file);
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const next = this.nextDiagnostics(uri);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return next;
  }

  async close(file: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(file) } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.conn.sendNotification(method, params);
  }

  /** shutdown, then exit, each given 2 s; a server still running then is killed. */
  async stop(): Promise<void> {
    const exited = () => this.proc.exitCode !== null || this.proc.signalCode !== null;
    const settled = (what: string, done: () => boolean) => waitFor(what, done, 2000).catch(() => undefined);
    try {
      let answered = false;
      const done = () => (answered = true);
      this.conn.sendRequest('shutdown').then(done, done);
      await settled('the answer to shutdown', () => answered || exited());
      await this.conn.sendNotification('exit');
    } catch {
      // already gone
    }
    await settled('the server to exit', exited);
    if (!exited()) this.proc.kill('SIGKILL');
    this.conn.dispose();
  }
}

/** Text positions for tests: the position of the n-th occurrence of `needle` (plus an offset). */
export function posOf(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i === -1) throw new Error(`'${needle}' not found`);
  }
  const o = i + delta;
  const before = text.slice(0, o);
  const line = before.split('\n').length - 1;
  return { line, character: o - (before.lastIndexOf('\n') + 1) };
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const offset = (p: { line: number; character: number }) => {
    const lines = text.split('\n');
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i]!.length + 1;
    return o + p.character;
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
