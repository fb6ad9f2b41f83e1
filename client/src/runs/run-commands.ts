import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRequest } from '../../../core/src/browser';
import { TASK_COMMANDS, type TaskCommandArgs } from '../../../core/src/browser';
import { documentKind, PROJECT_GLOBS } from '../../../core/src/browser';
import { Refusal, showRefusal } from '../trust';
import { Config } from '../config';
import type { Cmd } from '../commands/index';
import { finishMessage, progressMessage, telltaleTask } from './format';
import { logUri } from './log-documents';
import { progressOf, type RunView } from './run-model';
import type { Runs } from './runs';
import { OPEN_LOG_COMMAND, type LogTarget, type RunsNode } from './runs-tree';

export const RUN_COMMANDS = {
  runPipeline: 'mlops.runPipeline',
  runTask: TASK_COMMANDS.runTask,
  runFromHere: TASK_COMMANDS.runFromHere,
  cancelRun: 'mlops.cancelRun',
  rerun: 'mlops.rerunRun',
  resume: 'mlops.resumeRun',
  openTaskLog: OPEN_LOG_COMMAND,
  refresh: 'mlops.refreshRuns',
  restartAgent: 'mlops.restartAgent',
  reveal: 'mlops.runs.reveal',
  showMine: 'mlops.runs.showMine',
  showEveryone: 'mlops.runs.showEveryone',
} as const;

/** The run commands: start (pipeline, task, from a task, again, resume), cancel, logs, the view. */
export function runCommands(runs: Runs): Record<string, Cmd> {
  const c = new RunCommands(runs);
  return {
    [RUN_COMMANDS.runPipeline]: (arg?: unknown) => c.runPipeline(arg),
    [RUN_COMMANDS.runTask]: (arg?: unknown) => c.runTask(arg, 'only'),
    [RUN_COMMANDS.runFromHere]: (arg?: unknown) => c.runTask(arg, 'from'),
    [RUN_COMMANDS.cancelRun]: (arg?: unknown) => c.cancel(arg),
    [RUN_COMMANDS.rerun]: (arg?: unknown) => c.again(arg, false),
    [RUN_COMMANDS.resume]: (arg?: unknown) => c.again(arg, true),
    [RUN_COMMANDS.openTaskLog]: (arg?: unknown) => c.openLog(arg),
    [RUN_COMMANDS.refresh]: () => runs.reloadAll(),
    [RUN_COMMANDS.restartAgent]: () => c.restartAgent(),
    [RUN_COMMANDS.reveal]: (runId?: unknown) => (typeof runId === 'string' ? c.reveal(runId) : undefined),
    [RUN_COMMANDS.showMine]: () => runs.setFilter('mine'),
    [RUN_COMMANDS.showEveryone]: () => runs.setFilter('everyone'),
  };
}

class RunCommands {
  constructor(private readonly runs: Runs) {}

  async runPipeline(arg: unknown): Promise<void> {
    const uri = uriOf(arg) ?? activePipeline() ?? (await pickPipeline());
    if (!uri) return;
    await this.start(uri, {});
  }

  async runTask(arg: unknown, mode: 'only' | 'from'): Promise<void> {
    const a = taskArgs(arg);
    if (!a) {
      void vscode.window.showInformationMessage('Use the "Run task" and "Run from here" code lenses above a task in a *.pipeline.yaml file, or the DAG view\'s task menu.');
      return;
    }
    await this.start(vscode.Uri.parse(a.uri), mode === 'only' ? { only: [a.task] } : { from: a.task });
  }

  /** Runs a recorded run's pipeline again with its parameters, or resumes it (reusing what succeeded). */
  async again(arg: unknown, resume: boolean): Promise<void> {
    const run = this.runOf(arg);
    if (!run) return;
    const extra: Partial<RunRequest> = resume ? { resume: run.id } : { params: Object.fromEntries(Object.entries(run.params).map(([k, v]) => [k, String(v)])) };
    await this.start(vscode.Uri.file(run.file), extra);
  }

  async cancel(arg: unknown): Promise<void> {
    let run = this.runOf(arg, false);
    if (!run) {
      const active = this.runs.model.list().filter((r) => r.status === 'running' && r.live);
      if (!active.length) {
        void vscode.window.showInformationMessage("No run is going in this window's agent.");
        return;
      }
      run =
        active.length === 1
          ? active[0]
          : (
              await vscode.window.showQuickPick(
                active.map((r) => ({ label: r.pipeline, description: progressMessage(r), detail: r.id, run: r })),
                { title: 'Cancel which run?' },
              )
            )?.run;
      if (!run) return;
    }
    const r = await this.runs.agentFor(run.folder).cancelRun(run.id);
    if (!r.cancelled) void vscode.window.showInformationMessage(`Run ${run.id} of ${run.pipeline} is not going in this window's agent, so there is nothing to cancel.`);
  }

  /** A task's log, a whole run's, or (from the DAG or a code lens) the task's in the pipeline's latest run. */
  async openLog(arg: unknown): Promise<void> {
    // Logs come through the agent, which does not start in an untrusted workspace.
    const refused = this.runs.agents.refusal();
    if (refused) return showRefusal(refused);
    let target: LogTarget | undefined;
    let pipeline = 'run';
    if (isLogTarget(arg)) {
      target = arg;
      pipeline = this.runs.model.find(arg.runId, arg.folder)?.pipeline ?? pipeline;
    } else if (isNode(arg)) {
      const run = this.runs.model.get(arg.key);
      if (run) {
        target = { folder: run.folder, runId: run.id, ...(arg.kind === 'task' ? { task: arg.task } : {}) };
        pipeline = run.pipeline;
      }
    } else {
      const a = taskArgs(arg);
      if (a) target = await this.latestTaskTarget(vscode.Uri.parse(a.uri), a.task);
      if (a && !target) {
        void vscode.window.showInformationMessage(`Task '${a.task}' has not run yet, so it has no log. Run it with the "Run task" code lens first.`);
        return;
      }
    }
    if (!target) return;
    if (!target.task) {
      // A run's combined log needs its tasks.
      const run = this.runs.model.find(target.runId, target.folder);
      if (run && !run.tasks) await this.runs.tree.getChildren(this.runs.tree.runNode(run.key));
    }
    const doc = await vscode.workspace.openTextDocument(logUri(target, pipeline));
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: false });
  }

  async restartAgent(): Promise<void> {
    const refused = this.runs.agents.refusal();
    if (refused) return showRefusal(refused);
    const active = this.runs.model.list().filter((r) => r.status === 'running' && r.live);
    if (active.length) {
      const ok = await vscode.window.showWarningMessage(
        `Restarting the local agent cancels ${active.length === 1 ? `the run of ${active[0]!.pipeline}` : `${active.length} runs`} it is running.`,
        { modal: true },
        'Restart',
      );
      if (ok !== 'Restart') return;
    }
    await this.runs.agents.restartAll();
    await this.runs.agents.startForWorkspace();
  }

  async reveal(runId: string): Promise<void> {
    if (!(await this.runs.reveal(runId))) void vscode.window.showInformationMessage(`Run ${runId} is not in this workspace's history.`);
  }

  /** Validates, starts and follows a run with a cancellable progress notification. */
  private async start(uri: vscode.Uri, extra: Partial<RunRequest>): Promise<void> {
    const refused = this.runs.agents.refusal();
    if (refused) return showRefusal(refused);
    const folder = this.runs.agents.folderOf(uri);
    if (!folder || uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(`${path.basename(uri.path)} is not in a workspace folder; open the folder that contains it to run it.`);
      return;
    }
    // The agent runs the file on disk: what the editor shows must be what runs.
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty && !(await doc.save())) {
      void vscode.window.showErrorMessage(`${path.basename(uri.fsPath)} has unsaved changes that could not be saved; save it, then run again.`);
      return;
    }
    let client;
    try {
      // Asking to run is also a fresh try for an agent that gave up or is waiting out a backoff.
      client = this.runs.agents.for(folder);
    } catch (err) {
      if (err instanceof Refusal) return showRefusal(err);
      throw err;
    }
    const name = path.basename(uri.fsPath);
    const started = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Starting ${name}…` }, () => client.startRun({ file: uri.fsPath, ...new Config().runOptions, ...extra }));
    if (!started.ok) {
      const errors = started.problems.filter((p) => p.severity === 'error');
      const first = errors[0] ?? started.problems[0];
      if (!first) {
        void vscode.window.showErrorMessage(`${name} did not start: ${started.message}`);
        return;
      }
      const all = errors.length > 1 ? ` (${errors.length} errors in all, listed in Problems.)` : '';
      const pick = await vscode.window.showErrorMessage(`${path.basename(first.file)} did not run — line ${first.line}: ${first.message}${all}`, 'Show Problems');
      if (pick === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
      return;
    }
    // The command returns once the run is going; the notification follows it from there.
    void this.follow(folder.uri.fsPath, started.runId, name).then((run) => run && this.announce(run));
  }

  /** The progress notification of one run; resolves with the run once it has ended. */
  private follow(folder: string, runId: string, fallbackName: string): Thenable<RunView | undefined> {
    const model = this.runs.model;
    const title = `Running ${model.find(runId, folder)?.pipeline ?? fallbackName}`;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) =>
        new Promise<RunView | undefined>((resolve) => {
          let shown = 0;
          let done = false;
          const finish = (run: RunView | undefined) => {
            if (done) return;
            done = true;
            sub.dispose();
            resolve(run);
          };
          const update = () => {
            const run = model.find(runId, folder);
            if (!run) return;
            if (run.status !== 'running') return finish(run);
            const { done: n, total } = progressOf(run);
            const pct = total ? (100 * n) / total : 0;
            progress.report({ message: progressMessage(run), increment: pct - shown });
            shown = pct;
          };
          const sub = this.runs.onDidChangeRun((r) => r.id === runId && r.folder === folder && update());
          token.onCancellationRequested(() => {
            progress.report({ message: 'cancelling…' });
            this.runs
              .agentFor(folder)
              .cancelRun(runId)
              .then(
                (r) => !r.cancelled && finish(model.find(runId, folder)),
                () => finish(model.find(runId, folder)),
              );
          });
          update();
        }),
    );
  }

  /** How the run ended, with a way to its log and to the Runs view. */
  private async announce(run: RunView): Promise<void> {
    const message = finishMessage(run, Date.now());
    const actions = ['Show Log', 'Show Runs'] as const;
    const show = run.status === 'failed' ? vscode.window.showErrorMessage : run.status === 'interrupted' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const pick = await show(message, ...actions);
    if (pick === 'Show Runs') {
      await this.runs.reveal(run.id, run.folder);
    } else if (pick === 'Show Log') {
      // A failure's log is the failed task's; a success's is the whole run's.
      const task = run.status === 'succeeded' ? undefined : telltaleTask(run)?.id;
      await this.openLog({ folder: run.folder, runId: run.id, ...(task ? { task } : {}) } satisfies LogTarget);
    }
  }

  /** The task's log target in the newest run of a pipeline that ran it. */
  private async latestTaskTarget(uri: vscode.Uri, task: string): Promise<LogTarget | undefined> {
    const folder = this.runs.agents.folderOf(uri)?.uri.fsPath;
    if (!folder) return undefined;
    const known = this.runs.model.latestOf(uri.fsPath, task);
    if (known?.tasks?.some((t) => t.id === task && t.status !== 'pending')) return { folder, runId: known.id, task };
    const client = this.runs.agentFor(folder);
    const { runs } = await client.listRuns({ file: uri.fsPath, limit: 20 });
    for (const summary of runs) {
      const r = await client.showRun(summary.id);
      if (r.ok && r.run.tasks.some((t) => t.id === task && t.status !== 'pending')) {
        this.runs.model.setRecord(folder, r.run, r.summary);
        return { folder, runId: summary.id, task };
      }
    }
    return undefined;
  }

  /** The run a command was invoked on: a Runs view node, or a run id. */
  private runOf(arg: unknown, complain = true): RunView | undefined {
    const run = isNode(arg) ? this.runs.model.get(arg.key) : typeof arg === 'string' ? this.runs.model.find(arg) : undefined;
    if (!run && complain) void vscode.window.showInformationMessage('Choose a run in the Runs view first.');
    return run;
  }
}

function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return documentKind(arg.path) === 'pipeline' ? arg : undefined;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { uri?: unknown }).uri === 'string') return vscode.Uri.parse((arg as { uri: string }).uri);
  return undefined;
}

function activePipeline(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && documentKind(doc.uri.path) === 'pipeline') return doc.uri;
  // The DAG view (a webview) has focus: the pipeline beside it, when there is exactly one.
  const visible = vscode.window.visibleTextEditors.filter((e) => documentKind(e.document.uri.path) === 'pipeline');
  return visible.length === 1 ? visible[0]!.document.uri : undefined;
}

async function pickPipeline(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles(PROJECT_GLOBS.pipelines, PROJECT_GLOBS.skipped, 500);
  if (!files.length) {
    void vscode.window.showInformationMessage('There is no *.pipeline.yaml file in this workspace to run.');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const items = files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), uri })).sort((a, b) => a.label.localeCompare(b.label));
  return (await vscode.window.showQuickPick(items, { title: 'Run which pipeline?', matchOnDescription: true }))?.uri;
}

function taskArgs(arg: unknown): TaskCommandArgs | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as Partial<TaskCommandArgs>;
  return typeof a.uri === 'string' && typeof a.task === 'string' ? { uri: a.uri, task: a.task } : undefined;
}

function isLogTarget(arg: unknown): arg is LogTarget {
  if (typeof arg !== 'object' || arg === null) return false;
  const a = arg as Partial<LogTarget>;
  return typeof a.folder === 'string' && typeof a.runId === 'string';
}

function isNode(arg: unknown): arg is RunsNode {
  if (typeof arg !== 'object' || arg === null) return false;
  const a = arg as { kind?: unknown; key?: unknown };
  return (a.kind === 'run' || a.kind === 'task') && typeof a.key === 'string';
}
