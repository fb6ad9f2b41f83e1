import * as vscode from 'vscode';
import type { Ctx } from '../ctx';

/** A command handler. VS Code passes whatever the caller gave (a tree node, a URI, nothing), so its arguments are untyped here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Cmd = (...args: any[]) => unknown;

/** Registers a table of commands in the extension's scope; a thrown error becomes a one-line message. */
export function registerCommands(ctx: Ctx, table: Record<string, Cmd>): void {
  for (const [id, run] of Object.entries(table)) {
    ctx.pushExtension(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await run(...args);
        } catch (err) {
          ctx.output.appendLine(`${id} failed: ${(err as Error).stack ?? String(err)}`);
          void vscode.window.showErrorMessage(`${(err as Error).message} (details in the "MLOps Workbench" output)`);
          return undefined;
        }
      }),
    );
  }
}
