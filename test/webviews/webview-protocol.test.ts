import assert from 'node:assert/strict';
import { MAX_ID_LENGTH, parseWebviewMessage } from '../../core/src/protocol/webview';
import { DAG_APP, DEVCONTAINER_APP, webviewCsp, webviewPageHtml } from '../../core/src/protocol/webview-html';

describe('DAG webview protocol', () => {
  it('accepts each message the webview sends and copies only the known fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', extra: 1 }), { ok: true, value: { type: 'ready' } });
    assert.deepEqual(parseWebviewMessage({ type: 'exportArgo', out: '/etc/passwd' }), { ok: true, value: { type: 'exportArgo' } });
    for (const type of ['reveal', 'runTask', 'runFrom', 'openLog'] as const) {
      assert.deepEqual(parseWebviewMessage({ type, id: 'train', command: 'rm -rf /' }), { ok: true, value: { type, id: 'train' } });
    }
    const svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>';
    assert.deepEqual(parseWebviewMessage({ type: 'exportSvg', svg }), { ok: true, value: { type: 'exportSvg', svg } });
  });

  it('refuses anything else with a reason', () => {
    const cases: [unknown, RegExp][] = [
      [null, /not an object/],
      [[{ type: 'ready' }], /not an object/],
      ['ready', /not an object/],
      [{}, /no string `type`/],
      [{ type: 'eval', code: 'x' }, /unknown message type 'eval'/],
      [{ type: 'reveal' }, /needs a task `id`/],
      [{ type: 'reveal', id: 42 }, /needs a task `id`/],
      [{ type: 'reveal', id: '' }, /needs a task `id`/],
      [{ type: 'runTask', id: 'x'.repeat(MAX_ID_LENGTH + 1) }, /longer than 256/],
      [{ type: 'openLog', id: 'a\nb' }, /control characters/],
      [{ type: 'exportSvg' }, /needs an `svg` string/],
      [{ type: 'exportSvg', svg: '<html><script>alert(1)</script></html>' }, /not an SVG document/],
    ];
    for (const [input, reason] of cases) {
      const r = parseWebviewMessage(input);
      assert.equal(r.ok, false, JSON.stringify(input));
      if (!r.ok) assert.match(r.error, reason);
    }
  });

  it('builds a page with a nonce CSP, no inline script and escaped URLs', () => {
    const html = webviewPageHtml({
      ...DAG_APP,
      cspSource: 'https://x.vscode-cdn.net',
      nonce: 'abc123',
      scriptUri: 'https://x.vscode-cdn.net/dist/webviews/dag.js',
      styleUri: 'https://x.vscode-cdn.net/dist/webviews/dag.css',
      codiconUri: 'https://x.vscode-cdn.net/dist/webviews/codicon.css?a=1&b="2"',
      title: 'DAG: <churn>',
    });
    assert.equal(
      webviewCsp({ ...DAG_APP, cspSource: 'https://x.vscode-cdn.net', nonce: 'abc123' }),
      "default-src 'none'; script-src 'nonce-abc123'; style-src https://x.vscode-cdn.net 'nonce-abc123'; img-src https://x.vscode-cdn.net; font-src https://x.vscode-cdn.net; worker-src blob:",
    );
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-abc123&#39;;/);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]![1]!, /nonce="abc123" src="https:\/\/x\.vscode-cdn\.net\/dist\/webviews\/dag\.js"/);
    assert.equal(scripts[0]![2], '', 'no inline script');
    assert.match(html, /codicon\.css\?a=1&#38;b=&#34;2&#34;" nonce="abc123" id="vscode-codicon-stylesheet"/);
    assert.match(html, /<title>DAG: &#60;churn&#62;<\/title>/);
  });

  it('builds the wizard page from the same builder, without the DAG worker allowance', () => {
    const page = { cspSource: 'https://x.vscode-cdn.net', nonce: 'abc123' };
    assert.equal(
      webviewCsp({ ...DEVCONTAINER_APP, ...page }),
      "default-src 'none'; script-src 'nonce-abc123'; style-src https://x.vscode-cdn.net 'nonce-abc123'; img-src https://x.vscode-cdn.net; font-src https://x.vscode-cdn.net",
    );
    const html = webviewPageHtml({ ...DEVCONTAINER_APP, ...page, scriptUri: 'dc.js', styleUri: 'dc.css', codiconUri: 'codicon.css', title: 'Dev Container: a&b' });
    assert.match(html, /<body>\n<mlops-dc-app><\/mlops-dc-app>\n<script nonce="abc123" src="dc\.js"><\/script>/);
    assert.match(html, /<title>Dev Container: a&#38;b<\/title>/);
    assert.doesNotMatch(html, /worker-src/);
  });
});
