import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { webviewPageHtml, type WebviewPage } from '../../core/src/browser';

/**
 * The page of a webview: the bundle `<bundle>.js` and `<bundle>.css` and the codicons from
 * `root` (the built dist/webviews folder), under the strict CSP with a fresh nonce.
 */
export function webviewHtml(w: vscode.Webview, root: vscode.Uri, bundle: string, app: Pick<WebviewPage, 'app' | 'blobWorkers'>, title: string): string {
  const uri = (file: string) => w.asWebviewUri(vscode.Uri.joinPath(root, file)).toString();
  return webviewPageHtml({
    ...app,
    cspSource: w.cspSource,
    nonce: randomBytes(18).toString('base64'),
    scriptUri: uri(`${bundle}.js`),
    styleUri: uri(`${bundle}.css`),
    codiconUri: uri('codicon.css'),
    title,
  });
}
