import * as vscode from 'vscode';

/** The scheme of the read-only documents the Models tree opens: stored diffs and comparisons. */
export const MODEL_DOC_SCHEME = 'mlops-model';

/** Serves texts the extension generated (a version's recorded diff, comparison sides) as read-only documents. */
export class ModelDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Remembers a text under a readable path (`/churn-classifier/v3/uncommitted.diff`) and returns its URI. */
  put(pathName: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: MODEL_DOC_SCHEME, path: pathName });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This document is no longer available; open it again from the Models view.\n';
  }

  dispose(): void {
    this.changed.dispose();
  }
}
