import * as vscode from 'vscode';

/**
 * The one Workspace Trust guard. Running a pipeline or building an image executes the
 * project's own commands, and exporting one runs git in its repository (whose configuration
 * can run commands), so all three are refused in an untrusted workspace; this module is
 * the only place that asks VS Code about trust and words the refusal.
 */

/** Why something cannot happen in this window, as a value the command layer turns into a message. */
export class Refusal extends Error {
  constructor(
    message: string,
    /** An action the message offers: [button label, command id]. */
    readonly action?: [string, string],
  ) {
    super(message);
  }
}

const MANAGE_TRUST: [string, string] = ['Manage Workspace Trust', 'workbench.trust.manage'];

const UNTRUSTED = {
  run: 'Pipelines do not run in an untrusted workspace: running one executes its commands on this machine. Trust the folder to run them.',
  build: 'Dev container images are not built in an untrusted workspace: a build runs the project’s Dockerfile on this machine. Trust the folder to build its image.',
  export: 'Pipelines are not exported in an untrusted workspace: the export runs git in the repository, whose settings can run commands. Trust the folder to export.',
  installCli: "The 'mlops' command is not installed from an untrusted workspace: choosing its runtime runs the node found on PATH. Trust the folder, then run the command again.",
} as const;

/** True when the workspace is trusted: the project's commands may run. */
export function trusted(): boolean {
  return vscode.workspace.isTrusted;
}

/** Null in a trusted workspace, else the refusal for running, building or exporting. */
export function trustRefusal(what: keyof typeof UNTRUSTED): Refusal | null {
  return trusted() ? null : new Refusal(UNTRUSTED[what], MANAGE_TRUST);
}

/** Shows a refusal as a warning with its action button, and runs the action when chosen. */
export async function showRefusal(r: Refusal): Promise<void> {
  const pick = await vscode.window.showWarningMessage(r.message, ...(r.action ? [r.action[0]] : []));
  if (r.action && pick === r.action[0]) await vscode.commands.executeCommand(r.action[1]);
}
