/**
 * The page of the dev container wizard, shared by the extension host and the component
 * tests so both load the same document under the same Content Security Policy.
 */

export interface WizardPage {
  /** `webview.cspSource`: the origin the webview may load resources from. */
  cspSource: string;
  /** Fresh per load; only the script carrying it may run. */
  nonce: string;
  /** Every URL already converted with `webview.asWebviewUri`. */
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  title: string;
}

/** Nothing by default; the script only with the nonce; styles and fonts only from the built folder. */
export function wizardCsp(p: Pick<WizardPage, 'cspSource' | 'nonce'>): string {
  return ["default-src 'none'", `script-src 'nonce-${p.nonce}'`, `style-src ${p.cspSource} 'nonce-${p.nonce}'`, `font-src ${p.cspSource}`, `img-src ${p.cspSource}`].join('; ');
}

/** The HTML: no inline script and no project data in the page; the facts arrive by message. */
export function wizardPageHtml(p: WizardPage): string {
  const a = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(wizardCsp(p))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${a(p.styleUri)}" nonce="${a(p.nonce)}">
<link rel="stylesheet" href="${a(p.codiconUri)}" nonce="${a(p.nonce)}" id="vscode-codicon-stylesheet">
<title>${a(p.title)}</title>
</head>
<body>
<mlops-dc-app></mlops-dc-app>
<script nonce="${a(p.nonce)}" src="${a(p.scriptUri)}"></script>
</body>
</html>
`;
}
