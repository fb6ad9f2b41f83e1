import assert from 'node:assert/strict';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { applyEdits, uriOf } from './client';
import { PIPELINE } from './fixtures';
import { useLspWorkspace } from './workspace';

describe('language server: code actions', function () {
  const ws = useLspWorkspace({ open: ['pipeline'] });
  let P: string;
  before(() => (P = uriOf(ws.pipeline)));

  /** Opens `text`, asks for the fixes of its diagnostic with `code`, and returns them with the text each produces. */
  async function fixes(text: string, code: string): Promise<{ action: CodeAction; result: string }[]> {
    const diags = await ws.client.replace(ws.pipeline, text);
    const d = diags.find((x: Diagnostic) => x.code === code);
    assert.ok(d, `no ${code} diagnostic in ${JSON.stringify(diags)}`);
    const actions: CodeAction[] = await ws.client.request('textDocument/codeAction', { textDocument: { uri: P }, range: d.range, context: { diagnostics: [d] } });
    return actions.map((action) => ({ action, result: applyEdits(text, action.edit!.changes![P]! as never) }));
  }

  /** Applies a fix and checks that the server no longer reports the problem. */
  async function fixed(result: string, code: string): Promise<void> {
    const diags = await ws.client.replace(ws.pipeline, result);
    assert.deepEqual(
      diags.filter((x: Diagnostic) => x.code === code),
      [],
    );
  }

  it('replaces an unknown need with the closest id, removes it, or creates a stub task', async () => {
    const text = PIPELINE.replace('needs: [train]', 'needs: [trian]');
    const got = await fixes(text, 'unknown-need');
    assert.deepEqual(
      got.map((f) => [f.action.title, f.action.kind, f.action.isPreferred]),
      [
        ["Change to 'train'", 'quickfix', true],
        ["Remove 'trian' from needs", 'quickfix', false],
        ["Create task 'trian'", 'quickfix', false],
      ],
    );
    assert.equal((got[0]!.action.diagnostics as Diagnostic[])[0]!.code, 'unknown-need');
    assert.equal(got[0]!.result, PIPELINE);
    assert.equal(got[1]!.result, PIPELINE.replace('needs: [train]', 'needs: []'));
    assert.equal(got[2]!.result, `${text}  trian:\n    run: echo "TODO: write the command of trian"\n`);
    for (const f of got) await fixed(f.result, 'unknown-need');
  });

  it('removes an entry of a block list of needs with its line', async () => {
    const text = PIPELINE.replace('    needs: [train]\n', '    needs:\n      - train\n      - nope\n');
    const got = await fixes(text, 'unknown-need');
    assert.equal(got[0]!.action.title, "Remove 'nope' from needs");
    assert.equal(got[0]!.result, PIPELINE.replace('    needs: [train]\n', '    needs:\n      - train\n'));
  });

  it('creates a stub in the style of flow-mapped tasks', async () => {
    const text = 'version: 1\nname: flow\ntasks:\n  a: {run: "true"}\n  b: {run: "true", needs: [c]}\n';
    const got = await fixes(text, 'unknown-need');
    assert.deepEqual(
      got.map((f) => f.action.title),
      ["Change to 'a'", "Remove 'c' from needs", "Create task 'c'"],
    );
    assert.equal(got[1]!.result, text.replace('needs: [c]', 'needs: []'));
    assert.equal(got[2]!.result, `${text}  c: {run: 'echo "TODO: write the command of c"'}\n`);
    await fixed(got[2]!.result, 'unknown-need');
  });

  it('adds a missing upstream task: declares the output it writes, or adds it to needs', async () => {
    const text = `${PIPELINE.replace('--out data/transactions.csv', '--out data/transactions.csv --extra data/extra.csv')}  publish:\n    run: python src/publish.py\n    inputs: [data/extra.csv]\n`;
    const got = await fixes(text, 'missing-input');
    assert.deepEqual(
      got.map((f) => f.action.title),
      ["Declare 'data/extra.csv' as an output of 'ingest'", "Add 'ingest' to the needs of 'publish'"],
    );
    assert.equal(got[0]!.result, text.replace('outputs: [data/transactions.csv]', 'outputs: [data/transactions.csv, data/extra.csv]'));
    assert.equal(got[1]!.result, text.replace('    run: python src/publish.py\n', '    run: python src/publish.py\n    needs: [ingest]\n'));
    await fixed(got[0]!.result, 'missing-input');
  });

  it('switches caching off for an unpinned image', async () => {
    const text = PIPELINE.replace('    outputs: [models/model.json]\n', '    outputs: [models/model.json]\n    image: python\n');
    const got = await fixes(text, 'unpinned-image');
    assert.deepEqual(
      got.map((f) => f.action.title),
      ['Set cache: false for this task'],
    );
    assert.equal(got[0]!.result, text.replace('    image: python\n', '    image: python\n    cache: false\n'));
    await fixed(got[0]!.result, 'unpinned-image');
  });

  it('fixes a suspicious quantity', async () => {
    const text = PIPELINE.replace('memory: 4Gi', 'memory: 512m');
    const got = await fixes(text, 'suspicious-quantity');
    assert.deepEqual(
      got.map((f) => f.action.title),
      ["Change to '512Mi'"],
    );
    assert.equal(got[0]!.result, PIPELINE.replace('memory: 4Gi', 'memory: 512Mi'));
    await fixed(got[0]!.result, 'suspicious-quantity');
  });

  it('reads a string param pasted into run from its variable, spelled for its shell quotes and its YAML style', async () => {
    const head = 'version: 1\nname: p\nparams:\n  msg: {type: string, default: hi}\ntasks:\n';
    const cases: [string, string, string][] = [
      // [the task as written, after the fix, why]
      ['  a:\n    run: echo ${{ params.msg }} done\n', '  a:\n    run: echo "$MLOPS_PARAM_MSG" done\n', 'plain YAML, unquoted word'],
      ['  a:\n    run: echo "x${{ params.msg }}y"\n', '  a:\n    run: echo "x${MLOPS_PARAM_MSG}y"\n', 'plain YAML, inside double quotes before a letter'],
      ["  a:\n    run: echo '<${{ params.msg }}>'\n", "  a:\n    run: echo '<'\"$MLOPS_PARAM_MSG\"'>'\n", 'plain YAML, inside single quotes'],
      ['  a:\n    run: "echo \\"${{ params.msg }}\\" ${{ params.msg }}"\n', '  a:\n    run: "echo \\"$MLOPS_PARAM_MSG\\" ${{ params.msg }}"\n', 'double-quoted YAML'],
      ["  a:\n    run: 'echo ${{ params.msg }}'\n", '  a:\n    run: \'echo "$MLOPS_PARAM_MSG"\'\n', 'single-quoted YAML'],
      ['  a:\n    run: ${{ params.msg }} --x\n', '  a:\n    run: "\\"$MLOPS_PARAM_MSG\\" --x"\n', 'a quote would start the plain scalar'],
      ['  a: {run: "echo ${{ params.msg }}_x"}\n', '  a: {run: "echo \\"$MLOPS_PARAM_MSG\\"_x"}\n', 'double-quoted YAML in a flow mapping'],
      ['  a:\n    run: |\n      cat <<EOF\n      ${{ params.msg }}\n      EOF\n', '  a:\n    run: |\n      cat <<EOF\n      ${MLOPS_PARAM_MSG}\n      EOF\n', 'block scalar, here-document'],
    ];
    for (const [task, expected, why] of cases) {
      const text = head + task;
      const got = await fixes(text, 'string-param-in-run');
      assert.deepEqual(
        got.map((f) => [f.action.title, f.action.isPreferred]),
        [['Read the param from $MLOPS_PARAM_MSG', true]],
        why,
      );
      assert.equal(got[0]!.result, head + expected, why);
    }
    // Applied, the warning is gone and the file is clean.
    const diags = await ws.client.replace(ws.pipeline, `${head}  a:\n    run: echo "$MLOPS_PARAM_MSG" done\n`);
    assert.deepEqual(diags, []);
  });

  it('warns with the exact range and offers no fix where the variable cannot be spelled (quoted here-document)', async () => {
    const text = "version: 1\nname: p\nparams:\n  msg: {type: string, default: hi}\ntasks:\n  a:\n    run: |\n      cat <<'EOF'\n      ${{ params.msg }}\n      EOF\n";
    const diags = await ws.client.replace(ws.pipeline, text);
    assert.deepEqual(
      diags.map((d: Diagnostic) => [d.code, d.severity, d.range]),
      [['string-param-in-run', 2, { start: { line: 8, character: 6 }, end: { line: 8, character: 23 } }]],
    );
    assert.match(String(diags[0]!.message), /in a here-document, where it cannot always be quoted/);
    assert.deepEqual(await fixes(text, 'string-param-in-run'), []);
  });

  it('offers nothing where there is no problem, and nothing when only refactorings are asked for', async () => {
    await ws.client.replace(ws.pipeline, PIPELINE);
    const none = await ws.client.request('textDocument/codeAction', { textDocument: { uri: P }, range: { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } }, context: { diagnostics: [] } });
    assert.deepEqual(none, []);
    const text = PIPELINE.replace('needs: [train]', 'needs: [trian]');
    await ws.client.replace(ws.pipeline, text);
    const only = await ws.client.request('textDocument/codeAction', {
      textDocument: { uri: P },
      range: { start: { line: 23, character: 12 }, end: { line: 23, character: 17 } },
      context: { diagnostics: [], only: ['refactor'] },
    });
    assert.deepEqual(only, []);
  });
});
