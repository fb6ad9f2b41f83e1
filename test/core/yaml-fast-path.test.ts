import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ParseCache, parseYaml, type TreeProblem, type YValue } from '../../core/src/index';
import { parseFast } from '../../core/src/yaml/fast';
import { parseWithLibrary } from '../../core/src/yaml/parse';
import { CHURN_FEATURES, CHURN_PIPELINE, mulberry32, REPO, yaml } from './helpers';
import { mutate } from './mutants';

// The fast path (core/src/yaml/fast.ts) must either give up or build exactly the tree the `yaml`
// library plus toTree() builds: same kinds, values, spans, key order and duplicate-key problems.

interface Tally {
  compared: number;
  fast: number;
}

/** Compares the two paths on `text` at `base`; true when the fast path took it. */
function differential(text: string, base: number, context: string, tally: Tally): boolean {
  tally.compared++;
  const fast = parseFast(text, base);
  if (!fast) return false;
  tally.fast++;
  const problems: TreeProblem[] = [];
  const reference = parseWithLibrary(text, base, problems);
  const where = `${context}: ${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text)}`;
  assert.ok(!problems.some((p) => p.code === 'yaml-syntax'), `fast path accepted text the library rejects: ${JSON.stringify(problems)} for ${where}`);
  assert.deepStrictEqual(fast.tree, reference, `trees differ for ${where}`);
  assert.deepStrictEqual(fast.problems, problems, `problems differ for ${where}`);
  return true;
}

/** The pieces (text and offset) parseYaml hands to its cache for `text`. */
function piecesOf(text: string): Array<{ text: string; base: number }> {
  const cache = new ParseCache();
  const pieces: Array<{ text: string; base: number }> = [];
  const original = cache.piece.bind(cache);
  cache.piece = (...args: Parameters<ParseCache['piece']>) => {
    pieces.push({ text: args[0], base: args[1] });
    return original(...args);
  };
  parseYaml(text, cache);
  return pieces;
}

/** The whole text and each of its pieces through both paths; returns how many took the fast path. */
function differentialAll(text: string, context: string, tally: Tally): number {
  let fast = differential(text, 0, `${context} (whole)`, tally) ? 1 : 0;
  for (const [i, p] of piecesOf(text).entries()) if (differential(p.text, p.base, `${context} (piece ${i} at ${p.base})`, tally)) fast++;
  return fast;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) out.push(...yamlFiles(p));
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

/** The benchmarks' workload generator, whose pipelines the language server bench checks. */
const GENERATOR = path.join(REPO, 'scripts', 'bench', 'workload.mjs');

describe('core: YAML fast path', function () {
  this.timeout(120_000);
  const total: Tally = { compared: 0, fast: 0 };
  after(() => {
    // The headline numbers of the differential test, for the record.
    console.log(`      yaml fast path: ${total.compared} trees compared with the library's, ${total.fast} took the fast path`);
  });

  it('agrees with the library on every YAML file of examples/ and test fixtures, whole and in pieces', () => {
    const files = [...yamlFiles(path.join(REPO, 'examples')), ...yamlFiles(path.join(REPO, 'test'))];
    assert.ok(files.length >= 8, `only ${files.length} files`);
    const tally: Tally = { compared: 0, fast: 0 };
    for (const f of files) differentialAll(fs.readFileSync(f, 'utf8'), path.relative(REPO, f), tally);
    total.compared += tally.compared;
    total.fast += tally.fast;
    assert.ok(tally.fast > 0);
  });

  it('agrees with the library on generated pipelines of every shape, and takes all of their pieces', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-fast-yaml-'));
    const tally: Tally = { compared: 0, fast: 0 };
    try {
      for (const shape of ['chain', 'wide', 'layered']) {
        for (const n of [1, 7, 120, 1000]) {
          for (const extra of [[], ['--seed', '3'], ['--cmd', 'touch', '--seed', '7']]) {
            const out = path.join(dir, `${shape}-${n}-${extra.join('')}.pipeline.yaml`);
            execFileSync(process.execPath, [GENERATOR, String(n), shape, out, '--pipeline-only', ...extra], { stdio: 'ignore' });
            const text = fs.readFileSync(out, 'utf8');
            const pieces = piecesOf(text);
            const fast = differentialAll(text, `${shape} ${n} ${extra.join(' ')}`, tally);
            // Every piece and the whole document are simple enough for the fast path.
            assert.equal(fast, pieces.length + 1, `${shape} ${n} ${extra.join(' ')}: only ${fast} of ${pieces.length + 1}`);
          }
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    total.compared += tally.compared;
    total.fast += tally.fast;
  });

  it('agrees with the library on the fuzz test’s 1,200 mutants (and 1,200 more of the fixtures), whole and in pieces', () => {
    const tally: Tally = { compared: 0, fast: 0 };
    // The same seeds as test/core/fuzz.test.ts, so these are its very mutants.
    const sources: Array<[string, string, number]> = [
      ['churn.pipeline.yaml', CHURN_PIPELINE, 0x5eed1],
      ['churn.features.yaml', CHURN_FEATURES, 0x5eed2],
    ];
    const others = yamlFiles(path.join(REPO, 'test', 'fixtures'));
    others.forEach((f, i) => sources.push([path.relative(REPO, f), fs.readFileSync(f, 'utf8'), 0xfa57 + i]));
    const perOther = Math.ceil(1200 / others.length);
    for (const [name, original, seed] of sources) {
      const rnd = mulberry32(seed);
      const count = seed >= 0x5eed1 ? 600 : perOther;
      for (let i = 0; i < count; i++) {
        const { text, steps } = mutate(original, rnd);
        differentialAll(text, `mutant #${i} (${steps.join(', ')}) of ${name}`, tally);
      }
    }
    total.compared += tally.compared;
    total.fast += tally.fast;
    // The mutants must exercise the fast path, not only its bail-outs.
    assert.ok(tally.fast > tally.compared / 4, `${tally.fast} of ${tally.compared}`);
  });

  describe('takes the simple subset', () => {
    const CASES: Record<string, string> = {
      'plain, quoted and typed scalars': yaml(
        'a: plain text with  spaces',
        "b: 'single ''quoted'' #not a comment'",
        'c: "double: quoted, [not] {flow}"',
        'n1: 1',
        'n2: -0',
        'n3: +12',
        'n4: 0o17',
        'n5: 0x1F',
        'n6: 1.50',
        'n7: .5',
        'n8: 1e3',
        'n9: -.inf',
        'n10: .NaN',
        'n11: 12345678901234567890',
        'b1: true',
        'b2: False',
        'b3: TRUE',
        'b4: yes',
        'z1: null',
        'z2: ~',
        'z3: Null',
        'z4: nULL',
        'x: 0x',
        'y: 1.2.3',
        'u: -1-2',
        'url: http://x/y?q=1#frag',
      ),
      'typed keys': yaml('1: a', '0x10: b', '1.50: c', 'null: d', 'true: e', '.inf: f'),
      'empty values': yaml('a:', 'b:   ', 'c: 1', 'd:'),
      'nested maps and sequences': yaml('a:', '  b:', '    c: 1', '    d:', '      - x', '      - "y"', '      - [1, 2]', '      - {k: v}', '  e: 2', 'f: 3'),
      'flow collections': yaml('a: {run: "true", needs: [], outputs: [out/t1], env: {A: "1", B: two words}}', 'b: [ a , "b" , [c, [d]] , {e: f} ]', 'c: {}', "d: ['x', 'y''z']"),
      'trailing comments and blank lines': yaml('a: 1 # one', '', 'b: [x] # two', '   ', 'c: "q"  # three', 'd: 4'),
      'duplicate keys at two levels and in flow maps': yaml('a: 1', 'b:', '  c: 1', '  c: 2', 'a: 3', 'd: {x: 1, x: 2}'),
      'duplicate keys in mappings of more than 16 keys, before and after the 16th': yaml(
        ...Array.from({ length: 20 }, (_, i) => `k${i % 17}: ${i}`),
        'big:',
        ...Array.from({ length: 20 }, (_, i) => `  k${i === 3 ? 1 : i}: ${i}`),
        `flow: {${Array.from({ length: 20 }, (_, i) => `f${i === 19 ? 2 : i}: ${i}`).join(', ')}}`,
      ),
      'a task piece': '  t0001: {run: "true", needs: [t0000, t0002], outputs: [out/t0001]}\n\n',
      'leading comments': yaml('# a comment', '', '# another', 'a: 1'),
      'no final line break': 'a: 1\nb: [x]',
      'non-ASCII text': yaml('name: café ünïcödé', 'desc: "日本語"'),
    };
    for (const [name, text] of Object.entries(CASES)) {
      it(name, () => {
        const tally: Tally = { compared: 0, fast: 0 };
        assert.ok(differential(text, 17, name, tally), `${name} did not take the fast path`);
      });
    }

    it('reports duplicate keys as toTree does', () => {
      const r = parseFast(yaml('a: 1', 'a: 2'), 0)!;
      assert.equal(r.problems.length, 1);
      assert.equal(r.problems[0]!.code, 'duplicate-key');
      assert.deepEqual(r.problems[0]!.span, [5, 6]);
    });

    it('reports each repeat of a key in a long mapping once, on the repeat', () => {
      const lines = Array.from({ length: 40 }, (_, i) => `k${i % 18}: ${i}`);
      const r = parseFast(yaml(...lines), 0)!;
      const expected = lines.flatMap((line, i) => {
        if (i < 18) return [];
        const start = lines.slice(0, i).join('\n').length + 1;
        return [{ key: `k${i % 18}`, span: [start, start + line.indexOf(':')] }];
      });
      assert.equal(expected.length, 22);
      assert.deepEqual(
        r.problems.map((p) => ({ key: /'(k\d+)'/.exec(p.message)![1], span: [...p.span] })),
        expected,
      );
    });

    it('is what parseYaml uses for simple pieces and documents', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a: {run: echo, outputs: [x]}', '  b:', '    run: cat x', '    needs: [a]');
      const root = parseYaml(text).root as YValue & { kind: 'map' };
      assert.deepEqual(
        root.entries.map((e) => e.key),
        ['version', 'name', 'tasks'],
      );
      const problems: TreeProblem[] = [];
      assert.deepStrictEqual(parseYaml(text).root, parseWithLibrary(text, 0, problems));
    });
  });

  describe('gives up on', () => {
    const BAILS: Record<string, string> = {
      anchors: yaml('a: &x 1', 'b: 2'),
      aliases: yaml('a: 1', 'b: *x'),
      'anchors on collections': yaml('a: &x', '  b: 1'),
      tags: yaml('a: !!str 1'),
      'local tags': yaml('a: !foo bar'),
      'multi-line plain scalars': yaml('a: one', '  two'),
      'multi-line plain scalars after a blank line': yaml('a: one', '', '  two'),
      'literal block scalars': yaml('a: |', '  text'),
      'folded block scalars': yaml('a: >-', '  text'),
      'multi-line flow sequences': yaml('a: [x,', '  y]'),
      'multi-line flow mappings': yaml('a: {x: 1,', '  y: 2}'),
      'multi-line quoted scalars': yaml('a: "one', '  two"'),
      directives: yaml('%YAML 1.2', '---', 'a: 1'),
      'document markers': yaml('---', 'a: 1'),
      'document end markers': yaml('a: 1', '...'),
      tabs: 'a:\n\tb: 1\n',
      'tabs inside values': 'a: x\ty\n',
      'carriage returns': 'a: 1\r\nb: 2\r\n',
      'explicit keys': yaml('? a', ': 1'),
      'quoted keys': yaml('"a": 1'),
      'escapes in double quotes': yaml('a: "x\\ny"'),
      'comment lines inside a mapping': yaml('a:', '  b: 1', '  # note', 'c: 2'),
      'comments after an empty value': yaml('a: # note', '  b: 1'),
      'unusual indentation': yaml('a:', '    b: 1', '  c: 2'),
      'a deeper line after a value': yaml('a: 1', '  b: 2'),
      'a sequence at its key’s indentation': yaml('a:', '- x'),
      'compact mappings in sequences': yaml('a:', '  - b: 1'),
      'nested sequences on one line': yaml('a:', '  - - x'),
      'empty sequence items': yaml('a:', '  -', '  - x'),
      'a mapping in a value': yaml('a: b: c'),
      'a colon at the end of a value': yaml('a: b:'),
      'an unclosed quote': yaml('a: "x', 'b: 1'),
      'an unclosed flow collection': yaml('a: [x', 'b: 1'),
      'text after a flow collection': yaml('a: [x] y'),
      'a comment without a space before it': yaml('a: [x]#c'),
      'trailing commas': yaml('a: [x, ]'),
      'empty flow items': yaml('a: [x, , y]'),
      'keys without values in flow maps': yaml('a: {x, y: 1}'),
      'JSON-style adjacent values': yaml('a: {"x":1}'),
      'colons in flow scalars': yaml('a: [x:y]'),
      'braces in flow scalars': yaml('a: [${{ params.x }}]'),
      'a comment inside a flow collection': yaml('a: [x # c', ']'),
      'reserved indicators': yaml('a: @x'),
      'a dash alone': yaml('a: -'),
      'byte order marks': '\ufeffa: 1\n',
      'line separators': 'a: x\u2028y\n',
      'a root scalar': 'just text\n',
      'an empty document': '',
      'only comments': '# nothing\n',
      'a key that is not at the mapping’s column': yaml('a: 1', ' b: 2'),
      'a line less indented than the root': '  a: 1\nb: 2\n',
      'merge keys': yaml('<<: {a: 1}'),
    };
    for (const [name, text] of Object.entries(BAILS)) {
      it(name, () => {
        assert.equal(parseFast(text, 0), undefined, `took ${JSON.stringify(text)}`);
        // The library path still runs: parseYaml gives the library's tree.
        const problems: TreeProblem[] = [];
        assert.deepStrictEqual(parseYaml(text).root, parseWithLibrary(text, 0, problems));
      });
    }
  });
});
