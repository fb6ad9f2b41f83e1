import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WizardSession, type DetectedFacts, type ProjectFiles } from '../../../core/src/index';
import { fileText, READ_LIMITS } from '../../../core/src/node';
import { DEVCONTAINER_APP } from '../../../core/src/browser';
import { webviewHtml } from '../webview-page';

/** What a wizard panel needs from the extension. */
export interface WizardContext {
  extensionUri: vscode.Uri;
  extensionId: string;
  log(line: string): void;
  /** After writing: offer the next steps. */
  afterWrite(folder: vscode.Uri): void;
}

/** Files of one project folder, read and written with Node (the extension host runs locally to them). */
function folderFiles(root: string): ProjectFiles {
  return {
    read: (rel) => fileText(path.join(root, rel), { limit: READ_LIMITS.manifest }),
    write(rel, text) {
      const abs = path.join(root, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
    },
  };
}

/**
 * The dev container wizard in an editor tab: a lit webview under a strict CSP whose
 * messages go through a WizardSession (validation, previews, writes that ask first).
 */
export class WizardPanel implements vscode.Disposable {
  private static readonly open = new Map<string, WizardPanel>();
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows the wizard for a folder, reusing an open one (with fresh facts). */
  static show(folder: vscode.Uri, facts: DetectedFacts, ctx: WizardContext): WizardPanel {
    const key = folder.fsPath;
    WizardPanel.open.get(key)?.dispose();
    const p = new WizardPanel(folder, facts, ctx);
    WizardPanel.open.set(key, p);
    return p;
  }

  static disposeAll(): void {
    for (const p of [...WizardPanel.open.values()]) p.dispose();
  }

  private constructor(
    private readonly folder: vscode.Uri,
    facts: DetectedFacts,
    ctx: WizardContext,
  ) {
    const root = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webviews');
    const name = path.basename(folder.fsPath);
    this.panel = vscode.window.createWebviewPanel('mlops.devcontainerWizard', `Dev Container: ${name}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [root],
      retainContextWhenHidden: true,
    });
    const w = this.panel.webview;
    w.html = webviewHtml(w, root, 'devcontainer', DEVCONTAINER_APP, `Dev Container: ${name}`);
    const session = new WizardSession(
      name,
      facts,
      {
        post: (m) => void w.postMessage(m),
        files: folderFiles(folder.fsPath),
        confirmOverwrite: async (paths) => {
          const overwrite = 'Overwrite';
          const answer = await vscode.window.showWarningMessage(
            `Overwrite ${paths.join(' and ')}?`,
            { modal: true, detail: 'The wizard showed how they differ from what is on disk. Your edits in them will be lost.' },
            overwrite,
          );
          return answer === overwrite;
        },
        written: () => ctx.afterWrite(folder),
        close: () => this.dispose(),
        refused: (reason) => ctx.log(`devcontainer wizard: refused a webview message: ${reason}`),
      },
      ctx.extensionId,
    );
    w.onDidReceiveMessage((m: unknown) => void session.handle(m), undefined, this.disposables);
    this.panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
  }

  dispose(): void {
    if (WizardPanel.open.get(this.folder.fsPath) === this) WizardPanel.open.delete(this.folder.fsPath);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
