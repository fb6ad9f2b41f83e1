import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readDocument } from '../../agent/src/util/files';
import { Workspace, type Diagnostic } from '../../core/src/index';
import { assertWellFormed, CHURN_FEATURES, CHURN_PIPELINE, rangeOf, tempDir, timed, writeTree, yaml } from './helpers';

/** A document's text as the CLI reads it; these fixtures are always readable. */
function readText(file: string): string {
  const r = readDocument(file);
  if (!r.ok) throw new Error(`${file}: ${r.error.reason}`);
  return r.value;
}

/** The CPU time every analysis must stay under, however hostile the input. */
const BOUND_MS = 2000;

/**
 * Analyses `text` as `name` in one Workspace, then checks that the same Workspace still
 * analyses a clean pipeline and catalog correctly.
 */
function analyzeBad(text: string, name = 'bad.pipeline.yaml'): Diagnostic[] {
  const ws = new Workspace({ root: '/ws' });
  const file = `/ws/${name}`;
  const { value: diags, ms } = timed(() => {
    ws.set(file, text);
    return ws.analyze(file)!.diagnostics;
  });
  assert.ok(ms < BOUND_MS, `analysis used ${ms.toFixed(0)} ms of CPU time`);
  assertWellFormed(text, diags, name);
  ws.set('/ws/good.pipeline.yaml', CHURN_PIPELINE);
  ws.set('/ws/good.features.yaml', CHURN_FEATURES);
  assert.deepEqual(ws.analyze('/ws/good.pipeline.yaml')!.diagnostics, [], 'the Workspace stopped working');
  assert.deepEqual(ws.analyze('/ws/good.features.yaml')!.diagnostics, []);
  return diags;
}

function codes(diags: Diagnostic[]): string[] {
  return [...new Set(diags.map((d) => d.code))].sort();
}

function only(diags: Diagnostic[], code: string): Diagnostic {
  const found = diags.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(diags, null, 1)}`);
  return found[0]!;
}

/** A billion-laughs document: each level lists the previous one nine times. */
function aliasBomb(prefix: string, indent: string, levels = 9): string {
  const lines = [`${indent}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `${indent}l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return prefix + lines.join('\n') + '\n';
}

describe('core: bad input', () => {
  it('malformed YAML: unclosed flows and a stray indent', () => {
    const text = yaml('version: 1', 'name: [p', 'tasks:', '  a: {run: echo', '   b: 1');
    const diags = analyzeBad(text);
    assert.ok(codes(diags).includes('yaml-syntax'), JSON.stringify(diags));
  });

  it('binary content with NUL bytes is refused at the first control character', () => {
    const tmp = tempDir();
    try {
      writeTree(tmp.dir, { 'x.pipeline.yaml': Buffer.concat([Buffer.from('version: 1\nname: p\n'), Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00]), Buffer.from('\ntasks: {}\n')]) });
      const text = readText(path.join(tmp.dir, 'x.pipeline.yaml'));
      const d = only(analyzeBad(text), 'yaml-syntax');
      assert.deepEqual(d.range, rangeOf(text, '\u0000'));
      assert.match(d.message, /control character U\+0000.*must be UTF-8 text/);
    } finally {
      tmp.cleanup();
    }
  });

  it('non-UTF-8 bytes (Latin-1, a UTF-16 BOM) are reported where they are, as the CLI decodes them', () => {
    const tmp = tempDir();
    try {
      writeTree(tmp.dir, {
        'latin1.pipeline.yaml': Buffer.concat([Buffer.from('version: 1\nname: p\ndescription: caf'), Buffer.from([0xe9]), Buffer.from('\ntasks:\n  a:\n    run: echo\n')]),
        'utf16.features.yaml': Buffer.from('\ufeffversion: 1\n', 'utf16le'),
        'bom.features.yaml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CHURN_FEATURES.replace('customer_stats', 'bom_stats'))]),
      });
      const latin1 = readText(path.join(tmp.dir, 'latin1.pipeline.yaml'));
      const d = only(analyzeBad(latin1), 'yaml-syntax');
      assert.deepEqual(d.range, rangeOf(latin1, '\ufffd'));
      assert.equal(d.range.start.line, 2);
      assert.match(d.message, /bytes that are not valid UTF-8.*Re-save it as UTF-8/);

      const utf16 = readText(path.join(tmp.dir, 'utf16.features.yaml'));
      const u = analyzeBad(utf16, 'utf16.features.yaml');
      assert.equal(only(u, 'yaml-syntax').range.start.line, 0);

      // A UTF-8 byte order mark is not an error.
      const bom = readText(path.join(tmp.dir, 'bom.features.yaml'));
      assert.deepEqual(analyzeBad(bom, 'bom.features.yaml'), []);
    } finally {
      tmp.cleanup();
    }
  });

  it('a 10 MB file is refused with one diagnostic on its first line', () => {
    const line = `  # ${'x'.repeat(95)}\n`;
    const text = `version: 1\nname: p\ntasks:\n${line.repeat(Math.ceil((10 * 1024 * 1024) / line.length))}`;
    assert.ok(text.length >= 10 * 1024 * 1024);
    const d = only(analyzeBad(text), 'yaml-syntax');
    assert.deepEqual(d.range, rangeOf(text, 'version: 1'));
    assert.match(d.message, /This file is 10\.0 MB; files over 2 MB are not checked/);
  });

  it('a billion-laughs alias bomb across top-level keys is stopped', () => {
    const text = aliasBomb('version: 1\nname: p\ntasks:\n  a:\n    run: echo\n', '');
    const diags = analyzeBad(text);
    assert.match(only(diags, 'yaml-syntax').message, /alias bomb/);
  });

  it('an alias bomb inside one task is stopped', () => {
    const text = aliasBomb('version: 1\nname: p\ntasks:\n  a:\n    run: echo\n    env:\n', '      ');
    const diags = analyzeBad(text);
    assert.match(only(diags, 'yaml-syntax').message, /alias bomb/);
  });

  it('an alias bomb in a feature catalog is stopped', () => {
    const text = aliasBomb('version: 1\nfeature_views:\n  v:\n    features: {a: int64}\n    tags:\n', '      ');
    const diags = analyzeBad(text, 'bomb.features.yaml');
    assert.match(only(diags, 'yaml-syntax').message, /alias bomb/);
  });

  // The estimate counts indentation, `- ` indicators and open flow collections; the limit is 500.
  const deep: Array<[string, string, { line: number; character: number }]> = [
    ['flow sequences', `version: 1\nname: p\ntasks:\n  a:\n    run: echo\n    needs: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, { line: 5, character: 11 + 496 }],
    ['unclosed flow sequences', `version: 1\nname: p\ntasks: ${'['.repeat(10_000)}\n`, { line: 2, character: 7 + 500 }],
    ['flow mappings', `version: 1\nname: p\ntasks: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`, { line: 2, character: 7 + 500 * 4 }],
    ['block sequences', `version: 1\nname: p\ntasks:\n  a:\n    run: echo\n    needs:\n      ${'- '.repeat(10_000)}x\n`, { line: 6, character: 6 + 494 * 2 }],
    ['anchored flow sequences', `version: 1\nname: p\ntasks: ${'&a ['.repeat(10_000)}\n`, { line: 2, character: 7 + 500 * 4 + 3 }],
  ];
  for (const [what, text, at] of deep) {
    it(`10,000-deep nesting of ${what} is refused before parsing`, () => {
      const d = only(analyzeBad(text), 'yaml-syntax');
      assert.deepEqual(d.range, { start: at, end: { line: at.line, character: at.character + 1 } });
      assert.match(d.message, /Nesting is deeper than 500 levels here; flatten the structure/);
    });
  }

  it('an edit that nests one task too deeply is refused where a fresh analysis refuses it, and undoing it clears that', () => {
    // The nesting of an edited document is checked piece by piece, only for pieces not seen before.
    const good = `version: 1\nname: p\ntasks:\n  a:\n    run: echo\n  b:\n    run: echo\n    needs: [a]\n`;
    const bad = good.replace('needs: [a]', `needs: ${'['.repeat(600)}a${']'.repeat(600)}`);
    const ws = new Workspace({ root: '/ws' });
    ws.set('/ws/p.pipeline.yaml', good);
    assert.deepEqual(ws.analyze('/ws/p.pipeline.yaml')!.diagnostics, []);
    ws.set('/ws/p.pipeline.yaml', bad);
    const edited = ws.analyze('/ws/p.pipeline.yaml')!.diagnostics;
    assert.deepEqual(edited, analyzeBad(bad));
    assert.deepEqual(only(edited, 'yaml-syntax').range.start, { line: 7, character: 11 + 496 });
    assert.match(only(edited, 'yaml-syntax').message, /^Nesting is deeper than 500 levels here;/);
    ws.set('/ws/p.pipeline.yaml', good);
    assert.deepEqual(ws.analyze('/ws/p.pipeline.yaml')!.diagnostics, []);
  });

  it('2,000-deep nesting of block mappings is refused at the first line indented past the limit', () => {
    let text = 'version: 1\nname: p\ntasks:\n';
    for (let i = 0; i < 2000; i++) text += `${' '.repeat(2 + i)}k${i}:\n`;
    const d = only(analyzeBad(text), 'yaml-syntax');
    assert.deepEqual(d.range.start, { line: 3 + 499, character: 501 });
  });

  it('300-deep nesting parses but is reported where it passes 200 levels', () => {
    const text = `version: 1\nname: p\ntasks: ${'['.repeat(300)}${']'.repeat(300)}\n`;
    const diags = analyzeBad(text);
    const d = only(diags, 'yaml-syntax');
    assert.match(d.message, /Nesting is deeper than 200 levels; flatten the structure/);
    // The mapping is level 0, so the 201st bracket is the first too deep.
    assert.deepEqual(d.range.start, { line: 2, character: 7 + 200 });
  });

  it('duplicate keys are each reported on the repeat', () => {
    const text = yaml('version: 1', 'version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    env: {A: "1", A: "2"}');
    const diags = analyzeBad(text);
    assert.deepEqual(
      diags.filter((d) => d.code === 'duplicate-key').map((d) => d.range),
      [rangeOf(text, 'version', 1), rangeOf(text, 'A', 1)],
    );
  });

  it('lone carriage returns: positions count them as line breaks, as LSP does', () => {
    // The YAML parser reads the whole file as one line; what it reports must still land on
    // the lines the editor shows.
    const text = 'version: 1\rname: p\rtasks:\r  a:\r    run: echo\r    needs: [zz]\r';
    const diags = analyzeBad(text);
    assert.ok(diags.length > 0);
    const crlf = analyzeBad(text.replace(/\r/g, '\r\n'));
    assert.deepEqual(only(crlf, 'unknown-need').range, { start: { line: 5, character: 12 }, end: { line: 5, character: 14 } });
  });

  it('a line break inside a quoted value does not split the message', () => {
    const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    needs: ["x\\ny", "z\\u2028"]');
    const diags = analyzeBad(text).filter((d) => d.code === 'unknown-need');
    assert.deepEqual(
      diags.map((d) => d.message),
      ["Task 'a' needs 'x\\ny', but no task has that id. Define a task 'x\\ny' or remove this entry.", "Task 'a' needs 'z\\u2028', but no task has that id. Define a task 'z\\u2028' or remove this entry."],
    );
  });

  it('indented content before the first key is reported once the parser loses the structure, not for every token', () => {
    const text = yaml('   stray: 1', 'version: 1', 'name: p', 'tasks:', '  a:', '    run: echo');
    const syntax = analyzeBad(text).filter((d) => d.code === 'yaml-syntax');
    assert.deepEqual(
      syntax.map((d) => d.range.start),
      [
        { line: 1, character: 0 },
        { line: 1, character: 7 },
      ],
    );
  });

  it('empty, blank and scalar documents', () => {
    for (const text of ['', '\n\n', '   ', '42', '"just a string"', 'null', '~', '[]', '{}', '---\n...\n', '--- |\n  text\n']) {
      const diags = analyzeBad(text);
      assert.ok(diags.length > 0, JSON.stringify(text));
      assert.ok(
        codes(diags).every((c) => c === 'schema' || c === 'yaml-syntax'),
        `${JSON.stringify(text)}: ${JSON.stringify(diags)}`,
      );
    }
  });

  it('several documents in one file', () => {
    const diags = analyzeBad(`${CHURN_PIPELINE}---\nversion: 1\n`);
    assert.ok(codes(diags).includes('yaml-syntax'), JSON.stringify(diags));
  });

  it('keys that are not plain text, tags and odd scalars', () => {
    const text = yaml('version: 1', 'name: !!binary aGVsbG8=', '? [complex, key]', ': value', '{a: 1}: 2', 'tasks:', '  a:', '    run: !custom echo', '    timeout: .inf', '    retries: 0x10');
    const diags = analyzeBad(text);
    assert.ok(diags.length > 0);
  });
});
