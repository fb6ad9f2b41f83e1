/**
 * The page of every webview (the DAG view and the dev container wizard). Shared by the
 * extension host and the component tests so the tests load exactly what VS Code loads,
 * under the same Content Security Policy.
 */

export interface WebviewPage {
  /** `webview.cspSource`: the origin the webview may load resources from. */
  cspSource: string;
  /** Fresh per load; only scripts and styles carrying it may run. */
  nonce: string;
  /** Every URL already converted with `webview.asWebviewUri`. */
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  title: string;
  /** The custom element the bundle defines as the page's root, e.g. `mlops-dag-app`. */
  app: string;
  /** Whether the bundle starts workers from blob URLs it makes itself (the DAG's layout worker). */
  blobWorkers?: boolean;
}

/** The root elements and worker needs of the webviews this extension has. */
export const DAG_APP = { app: 'mlops-dag-app', blobWorkers: true } as const satisfies Pick<WebviewPage, 'app' | 'blobWorkers'>;
export const DEVCONTAINER_APP = { app: 'mlops-dc-app' } as const satisfies Pick<WebviewPage, 'app' | 'blobWorkers'>;

/**
 * The CSP: nothing by default; scripts only with the nonce; styles, images and fonts only
 * from the webview's resource origin (the built folder); workers, when the page has any,
 * only from blobs the bundle makes itself (webviews may not start workers from their
 * resource origin).
 */
export function webviewCsp(p: Pick<WebviewPage, 'cspSource' | 'nonce' | 'blobWorkers'>): string {
  return ["default-src 'none'", `script-src 'nonce-${p.nonce}'`, `style-src ${p.cspSource} 'nonce-${p.nonce}'`, `img-src ${p.cspSource}`, `font-src ${p.cspSource}`, ...(p.blobWorkers ? ['worker-src blob:'] : [])].join(
    '; ',
  );
}

/** The HTML: no inline script and no data in the page; the content arrives by message. */
export function webviewPageHtml(p: WebviewPage): string {
  const a = escapeAttr;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(webviewCsp(p))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${a(p.styleUri)}" nonce="${a(p.nonce)}">
<link rel="stylesheet" href="${a(p.codiconUri)}" nonce="${a(p.nonce)}" id="vscode-codicon-stylesheet">
<title>${escapeText(p.title)}</title>
</head>
<body>
<${p.app}></${p.app}>
<script nonce="${a(p.nonce)}" src="${a(p.scriptUri)}"></script>
</body>
</html>
`;
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}
