import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { toYaml } from '../../core/src/export/yaml-out';

/** Strings that a careless YAML writer turns into something else (a number, a boolean, a comment, a cut). */
const TRICKY = [
  '',
  ' a',
  'a ',
  'true',
  'False',
  'null',
  '~',
  'Y',
  'NO',
  'on',
  '0.5',
  '1Gi',
  '500m',
  '.inf',
  '0x1F',
  '1_000',
  '12:30',
  '2024-01-01',
  '1e3',
  '- x',
  '-c',
  'a: b',
  'key:',
  '#x',
  'x #y',
  "it's",
  '"q"',
  '*alias',
  '&anchor',
  '!tag',
  '%dir',
  '@at',
  '`bt`',
  '|',
  '>',
  '?',
  ',',
  '[a]',
  '{a}',
  '{{x}}',
  'multi\nline',
  'tail\n',
  'two\n\n',
  '\n',
  '\nlead',
  ' \nx',
  'x\n y',
  '\ttab',
  'a\tb\nc',
  'trailing space \nnext',
  'a\r\nb',
  'ctrl\u0001',
  'c1\u0085',
  'del\u007f',
  'ls\u2028x',
  'bom\ufeff',
  'emoji 🎉',
  'set -eu\nif [ -f x ]; then\n  echo "$y"\nfi\n',
];

describe('export: the YAML writer', () => {
  it('writes every tricky string so that a YAML parser reads it back unchanged, as a value and as a key', () => {
    for (const s of TRICKY) {
      const doc = { k: s, list: [s, { n: s }], nested: { [s || 'empty']: 1 } };
      assert.deepEqual(parse(toYaml(doc)), doc, JSON.stringify(s));
    }
  });

  it('writes numbers, booleans, empty collections and nesting as JSON would mean them', () => {
    const doc = { a: 1, b: 0.25, c: true, d: [], e: {}, f: [[1, 2], [], [{}]], g: { h: { i: ['x'] } } };
    assert.deepEqual(parse(toYaml(doc)), doc);
    assert.equal(toYaml({ a: 1, s: 'plain words', l: ['x'] }), 'a: 1\ns: plain words\nl:\n  - x\n');
  });

  it('writes plain exactly the words of letters, digits and -_./ separated by single spaces, and quotes the rest', () => {
    const plain = ['a', 'ab-c_d.e/f', '/abs/path', '_x', 'two words', 'a b c', 'yesno', 'Nulls', 'python-3.12'];
    const quoted = ['a  b', 'a ', ' a', '1a', '-a', '.a', 'a:b', 'a,b', 'yes', 'Off', 'N', 'NULL', 'é', 'a\u00a0b'];
    for (const s of plain) assert.equal(toYaml({ k: s }), `k: ${s}\n`, s);
    for (const s of quoted) assert.equal(toYaml({ k: s }), `k: ${JSON.stringify(s)}\n`, s);
    assert.equal(toYaml({ 'a b': 1, 'a  b': 2 }), 'a b: 1\n"a  b": 2\n');
  });

  it('writes a document longer than one flat piece (64 KB) whole and in order', () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ name: `t${i}`, args: [`echo ${i}`], env: [{ name: 'I', value: String(i) }] }));
    const expected = items.map((_, i) => `  - name: t${i}\n    args:\n      - echo ${i}\n    env:\n      - name: I\n        value: "${i}"\n`).join('');
    const text = toYaml({ templates: items, end: true });
    assert.equal(text.length, 'templates:\n'.length + expected.length + 'end: true\n'.length);
    assert.equal(text, `templates:\n${expected}end: true\n`);
  });

  it('keeps a script as a block literal, with its final line break or without', () => {
    assert.equal(toYaml({ args: ['echo a\necho b\n'] }), 'args:\n  - |\n    echo a\n    echo b\n');
    assert.equal(toYaml({ args: ['echo a\necho b'] }), 'args:\n  - |-\n    echo a\n    echo b\n');
  });
});
