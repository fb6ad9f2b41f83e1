import * as vscode from 'vscode';
import { TASK_COMMANDS, type TaskCommandArgs } from '../../../core/src/protocol/lsp';
import type { Cmd } from './index';

function taskOf(arg: unknown): string | undefined {
  return typeof arg === 'object' && arg !== null && typeof (arg as TaskCommandArgs).task === 'string' ? (arg as TaskCommandArgs).task : undefined;
}

/**
 * The run commands of the code lenses. Running arrives with the local agent's run view;
 * until then they say so instead of doing nothing.
 */
export function taskCommands(): Record<string, Cmd> {
  return {
    [TASK_COMMANDS.runTask]: (arg?: unknown) => {
      const task = taskOf(arg);
      void vscode.window.showInformationMessage(`Running tasks from the editor${task ? ` ('${task}')` : ''} arrives with the local agent's run view; until then run \`mlops run\` in a terminal.`);
    },
    [TASK_COMMANDS.runFromHere]: (arg?: unknown) => {
      const task = taskOf(arg);
      void vscode.window.showInformationMessage(`Running a pipeline from a task${task ? ` ('${task}')` : ''} arrives with the local agent's run view; until then run \`mlops run\` in a terminal.`);
    },
  };
}
