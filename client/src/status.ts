import * as vscode from 'vscode';
import { documentKind } from '../../core/src/browser';
import type { StatusParams } from '../../core/src/browser';
import { plural } from './catalog/tree-spec';
import type { Ctx } from './ctx';

/** The status-bar text for a file's health. */
export function statusText(s: StatusParams): string {
  if (s.errors > 0) return `$(error) ${plural(s.errors, 'error')}${s.warnings > 0 ? ` $(warning) ${s.warnings}` : ''}`;
  const what = s.kind === 'pipeline' ? plural(s.count, 'task') : plural(s.count, 'feature view');
  const label = s.name ? `${s.name}: ${what}` : what;
  return s.warnings > 0 ? `$(warning) ${label}, ${plural(s.warnings, 'warning')}` : `$(check) ${label}`;
}

/**
 * Shows the health of the active pipeline or feature file, from the server's `mlops/status`.
 * A click opens the Problems view.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mlops.status', vscode.StatusBarAlignment.Left, 50);
  private readonly latest = new Map<string, StatusParams>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(ctx: Ctx) {
    this.item.name = 'MLOps pipeline health';
    this.item.command = 'workbench.actions.view.problems';
    this.disposables.push(
      this.item,
      ctx.onStatus((s) => {
        this.latest.set(s.uri, s);
        this.update();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidCloseTextDocument((d) => this.latest.delete(d.uri.toString())),
    );
    this.update();
  }

  private update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !documentKind(doc.uri.path)) {
      this.item.hide();
      return;
    }
    const s = this.latest.get(doc.uri.toString());
    if (!s) {
      this.item.text = '$(sync~spin) MLOps';
      this.item.tooltip = 'Checking this file…';
    } else {
      this.item.text = statusText(s);
      this.item.tooltip = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.infos, 'info')} — click to open Problems`;
    }
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
