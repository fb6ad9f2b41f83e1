import * as vscode from 'vscode';

/**
 * Opens a file at a 1-based line and column, or at the first definition of `find`
 * (`def find`, `function find`, `find:`…) when given; a missing file is a warning, not an error.
 */
export async function openAt(uri: vscode.Uri, where: { line?: number; column?: number; find?: string } = {}): Promise<void> {
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(uri);
  } catch {
    void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(uri)} does not exist any more; it may have been moved or deleted since the model was registered.`);
    return;
  }
  let pos = new vscode.Position(Math.max(0, (where.line ?? 1) - 1), Math.max(0, (where.column ?? 1) - 1));
  if (where.find) {
    const text = doc.getText();
    const name = where.find.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const m = new RegExp(`^[ \\t]*(?:(?:async\\s+)?def\\s+${name}\\b|(?:export\\s+)?(?:async\\s+)?function\\s+${name}\\b|${name}\\s*[:=(])`, 'm').exec(text);
    if (m) pos = doc.positionAt(m.index + m[0].search(/\S/));
  }
  const editor = await vscode.window.showTextDocument(doc, { preview: true });
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
