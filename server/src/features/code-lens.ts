import type { CodeLens } from 'vscode-languageserver';
import { TASK_COMMANDS, type Analysis, type TaskCommandArgs } from '../../../core/src/index';

/** "Run task", "Run from here" and "Show in DAG" above every task id. */
export function codeLenses(a: Analysis, uri: string): CodeLens[] {
  const p = a.pipeline;
  if (!p) return [];
  const out: CodeLens[] = [];
  for (const t of p.tasks.values()) {
    const range = a.parsed.lines.range(t.keySpan);
    const args: TaskCommandArgs = { uri, task: t.id };
    out.push(
      { range, command: { title: 'Run task', command: TASK_COMMANDS.runTask, arguments: [args] } },
      { range, command: { title: 'Run from here', command: TASK_COMMANDS.runFromHere, arguments: [args] } },
      { range, command: { title: 'Show in DAG', command: TASK_COMMANDS.showDag, arguments: [args] } },
    );
  }
  return out;
}
