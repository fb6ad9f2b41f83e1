import * as vscode from 'vscode';
import { PROJECT_GLOBS } from '../../../core/src/browser';
import type { RunEvent } from '../../../core/src/browser';
import { AgentClient, type AgentLog, type AgentState } from './agent-client';
import { Refusal, trusted, trustRefusal } from '../trust';
import { agentLaunch, runtimeRefusal } from './launch';

export interface AgentsHost {
  /** The bundled agent, `<extensionPath>/dist/agent.js`. */
  script: string;
  output: vscode.LogOutputChannel;
  trace(): 'off' | 'messages' | 'verbose';
  /** What agents get besides the editor's environment: the team store settings (MLOPS_STORE…). */
  env(): NodeJS.ProcessEnv;
}

/** A run event and the workspace folder whose agent sent it. */
export interface FolderRunEvent {
  folder: string;
  event: RunEvent;
}

/**
 * One `mlops agent --stdio` per workspace folder, started on demand. Nothing starts in an
 * untrusted workspace (an agent runs pipelines, including scheduled ones) or on a runtime
 * without node:sqlite.
 */
export class Agents implements vscode.Disposable {
  private readonly clients = new Map<string, AgentClient>();
  private readonly eventEmitter = new vscode.EventEmitter<FolderRunEvent>();
  private readonly startEmitter = new vscode.EventEmitter<string>();
  private readonly stateEmitter = new vscode.EventEmitter<{ folder: string; state: AgentState }>();
  /** A run event from any folder's agent. */
  readonly onRunEvent = this.eventEmitter.event;
  /** A folder's agent (re)started and answered: its history may have changed meanwhile. */
  readonly onDidStart = this.startEmitter.event;
  readonly onDidChangeState = this.stateEmitter.event;
  private runtimeReported = false;

  constructor(private readonly host: AgentsHost) {}

  /** Null when agents can run here, else the reason (untrusted workspace, old runtime). */
  refusal(): Refusal | null {
    const untrusted = trustRefusal('run');
    if (untrusted) return untrusted;
    const runtime = runtimeRefusal(process.versions.node);
    return runtime ? new Refusal(runtime) : null;
  }

  /** The agent of a workspace folder (started when needed), or a refusal. */
  for(folder: vscode.WorkspaceFolder | string): AgentClient {
    const refused = this.refusal();
    if (refused) throw refused;
    const fsPath = typeof folder === 'string' ? folder : folder.uri.fsPath;
    let client = this.clients.get(fsPath);
    if (!client) {
      client = this.create(fsPath);
      this.clients.set(fsPath, client);
    }
    client.start();
    return client;
  }

  /** True when any folder has an agent (a setting read at start then waits for a restart). */
  running(): boolean {
    return this.clients.size > 0;
  }

  /** The agent already created for a folder, without starting anything. */
  existing(folder: string): AgentClient | undefined {
    return this.clients.get(folder);
  }

  /** Folders with an agent, and their agents. */
  entries(): [string, AgentClient][] {
    return [...this.clients.entries()];
  }

  /** The folder a file belongs to, as the agent of that folder is keyed. */
  folderOf(uri: vscode.Uri): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.getWorkspaceFolder(uri);
  }

  /**
   * Starts the agents of the folders that have pipelines or a history, so scheduled
   * pipelines fire and the Runs view fills. Does nothing (and says so once, in the output)
   * when agents cannot run here.
   */
  async startForWorkspace(): Promise<void> {
    // Nothing is looked at in an untrusted workspace; the Runs view says why.
    if (!trusted()) return;
    const folders: vscode.WorkspaceFolder[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (!this.clients.has(folder.uri.fsPath) && (await hasPipelinesOrHistory(folder))) folders.push(folder);
    }
    if (!folders.length) return;
    const refused = this.refusal();
    if (refused) {
      // A runtime without node:sqlite: say so once, where it shows, instead of failing each run.
      if (!this.runtimeReported) {
        this.runtimeReported = true;
        this.host.output.error(refused.message);
        void vscode.window.showErrorMessage(refused.message);
      }
      return;
    }
    for (const folder of folders) this.for(folder);
  }

  /** Stops and forgets the agent of a folder that left the workspace. */
  async drop(folder: string): Promise<void> {
    const client = this.clients.get(folder);
    this.clients.delete(folder);
    await client?.dispose();
  }

  async restartAll(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.restart()));
  }

  async dispose(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.dispose()));
    this.eventEmitter.dispose();
    this.startEmitter.dispose();
    this.stateEmitter.dispose();
  }

  private create(folder: string): AgentClient {
    const out = this.host.output;
    const multi = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const tag = multi ? `[${vscode.workspace.workspaceFolders?.find((f) => f.uri.fsPath === folder)?.name ?? folder}] ` : '';
    const log: AgentLog = { info: (l) => out.info(tag + l), warn: (l) => out.warn(tag + l), error: (l) => out.error(tag + l) };
    const client = new AgentClient({ launch: () => agentLaunch({ script: this.host.script, folder, env: { ...process.env, ...this.host.env() } }), log, trace: this.host.trace() });
    client.onRunEvent((event) => this.eventEmitter.fire({ folder, event }));
    client.onDidStart(() => this.startEmitter.fire(folder));
    client.onDidChangeState((state) => {
      this.stateEmitter.fire({ folder, state });
      if (state === 'failed') {
        void vscode.window.showErrorMessage(`${client.failure ?? 'The MLOps agent stopped.'} See the "MLOps Workbench" output, then run "MLOps: Restart Local Agent".`, 'Show Output', 'Restart Agent').then((pick) => {
          if (pick === 'Show Output') out.show(true);
          if (pick === 'Restart Agent') void vscode.commands.executeCommand('mlops.restartAgent');
        });
      }
    });
    return client;
  }
}

async function hasPipelinesOrHistory(folder: vscode.WorkspaceFolder): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, '.mlops', 'state.db'));
    return true;
  } catch {
    // No history yet: look for a pipeline.
  }
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, PROJECT_GLOBS.pipelines), PROJECT_GLOBS.skipped, 1);
  return found.length > 0;
}
