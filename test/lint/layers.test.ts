import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

// The layer walls of tools/lint/eslint.config.mjs, shown to hold: each deliberate violation
// below is linted as if it stood at the named path, and must fail with the rule's message;
// the allowed imports beside them must pass. `npm test` runs `npm run lint` first, which
// installs tools/lint on first use; without it this test fails rather than skipping.

const root = path.resolve(__dirname, '..', '..', '..');
const lintDir = path.join(root, 'tools', 'lint');

interface LintMessage {
  ruleId: string | null;
  message: string;
}
interface Linter {
  lintText(code: string, options: { filePath: string }): Promise<{ messages: LintMessage[] }[]>;
}

let linter: Linter;

/** The messages of the layer rule (and of nothing else) for one import at one path. */
async function layerErrors(file: string, source: string): Promise<string[]> {
  const code = `import * as x from '${source}';\nexport const y = x;\n`;
  const [result] = await linter.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint: the layer rules fail a deliberate violation', function () {
  this.timeout(60_000);

  before(async () => {
    const api = path.join(lintDir, 'node_modules', 'eslint', 'lib', 'api.js');
    if (!existsSync(api)) assert.fail(`ESLint is not installed in tools/lint; run npm run lint once (it runs npm ci there).`);
    const { ESLint } = (await import(pathToFileURL(api).href)) as { ESLint: new (o: object) => Linter };
    linter = new ESLint({ cwd: root, overrideConfigFile: path.join(lintDir, 'eslint.config.mjs') });
  });

  it('a webview imports only core/src/browser: no Node module, no deep core path, no editor API', async () => {
    const file = 'webviews/src/dag/app/violation.ts';
    assert.deepEqual(await layerErrors(file, 'node:fs'), ["'node:fs' import is restricted from being used by a pattern. Webviews run in a browser: no Node modules."]);
    assert.deepEqual(await layerErrors(file, 'fs'), ["'fs' import is restricted from being used. Webviews run in a browser: no Node modules."]);
    assert.deepEqual(await layerErrors(file, '../../../../core/src/project'), [
      "'../../../../core/src/project' import is restricted from being used by a pattern. Webviews may import only core/src/browser, the browser-safe entry.",
    ]);
    assert.deepEqual(await layerErrors(file, '../../../../core/src/index'), [
      "'../../../../core/src/index' import is restricted from being used by a pattern. Webviews may import only core/src/browser, the browser-safe entry.",
    ]);
    assert.deepEqual(await layerErrors(file, 'vscode'), ["'vscode' import is restricted from being used. A webview has no editor API: it talks to the host by message (core/src/protocol/webview.ts)."]);
    assert.deepEqual(await layerErrors(file, '../../../../core/src/browser'), []);
  });

  it('the extension imports core through its public entries, and no other process', async () => {
    const file = 'client/src/runs/violation.ts';
    assert.deepEqual(await layerErrors(file, '../../../core/src/protocol/agent'), [
      "'../../../core/src/protocol/agent' import is restricted from being used by a pattern. Import core through its public entries: core/src/browser, core/src/index or core/src/node.",
    ]);
    assert.deepEqual(await layerErrors(file, '../../../agent/src/runner'), [
      "'../../../agent/src/runner' import is restricted from being used by a pattern. The extension talks to the server, the agent and the webviews by protocol, not by import.",
    ]);
    for (const entry of ['browser', 'index', 'node']) assert.deepEqual(await layerErrors(file, `../../../core/src/${entry}`), [], entry);
  });

  it("core's pure part loads no Node module, no JSON-RPC transport and not core/src/node; core/src/node may", async () => {
    const file = 'core/src/pipeline/violation.ts';
    assert.deepEqual(await layerErrors(file, 'node:path'), ["'node:path' import is restricted from being used by a pattern. core's pure part may not import Node modules: put Node-only code in core/src/node/."]);
    assert.deepEqual(await layerErrors(file, 'vscode-jsonrpc/node'), [
      "'vscode-jsonrpc/node' import is restricted from being used by a pattern. core's pure part may not load a JSON-RPC transport: declare messages as plain data in core/src/protocol/.",
    ]);
    assert.deepEqual(await layerErrors(file, '../node/read'), ["'../node/read' import is restricted from being used by a pattern. core's pure part may not import core/src/node (Node only)."]);
    assert.deepEqual(await layerErrors(file, '../../../agent/src/runner'), ["'../../../agent/src/runner' import is restricted from being used by a pattern. core imports no other part of the project."]);
    assert.deepEqual(await layerErrors(file, '../protocol/agent'), []);
    assert.deepEqual(await layerErrors('core/src/node/violation.ts', 'node:fs'), []);
  });
});
