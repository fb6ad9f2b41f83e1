import assert from 'node:assert/strict';
import { ParseCache, parseYaml, Workspace, type Diagnostic, type YValue } from '../../core/src/index';
import { LineIndex } from '../../core/src/text/range';
import { CHURN_FEATURES, CHURN_PIPELINE, shift, yaml } from './helpers';

const FILE = '/ws/p.pipeline.yaml';

function diagnostics(text: string, path = FILE, others: Record<string, string> = {}): Diagnostic[] {
  const ws = new Workspace({ root: '/ws' });
  for (const [p, t] of Object.entries(others)) ws.set(p, t);
  ws.set(path, text);
  return ws.analyze(path)!.diagnostics;
}

/** Which path parsed `text`: the piecewise result is built from the very entries the cache handed out. */
function parsePath(text: string): 'pieces' | 'whole' {
  const cache = new ParseCache();
  const handedOut = new Set<unknown>();
  const original = cache.piece.bind(cache);
  cache.piece = (...args: Parameters<ParseCache['piece']>) => {
    const r = original(...args);
    if (r.tree?.kind === 'map') r.tree.entries.forEach((e) => handedOut.add(e));
    return r;
  };
  const root = parseYaml(text, cache).root;
  return root?.kind === 'map' && handedOut.has(root.entries[0]) ? 'pieces' : 'whole';
}

/** The tree as plain data with spans shifted by `delta`, for comparison. */
function normalizeTree(v: YValue | null, delta: number): unknown {
  if (v === null) return null;
  const span = [v.span[0] + delta, v.span[1] + delta];
  switch (v.kind) {
    case 'scalar':
      return { s: v.value, span, q: v.quoted };
    case 'seq':
      return { span, items: v.items.map((i) => normalizeTree(i, delta)) };
    case 'map':
      return { span, entries: v.entries.map((e) => ({ key: e.key, keySpan: [e.keySpan[0] + delta, e.keySpan[1] + delta], value: normalizeTree(e.value, delta) })) };
  }
}

const DOCS: Record<string, string> = {
  'the churn example': CHURN_PIPELINE,
  'comments, blank lines and a block scalar': yaml(
    '# leading comment',
    '',
    'version: 1',
    'name: p   # trailing comment',
    'description: |',
    '  two',
    '  lines',
    'tasks:   # the tasks',
    '  a:',
    '    run: >',
    '      echo ${{ params.nope }}',
    '',
    '    # a comment between keys',
    '    outputs: [x.csv]',
    '  # a comment between tasks',
    '  b:',
    '    run: echo',
    '    inputs: [x.csv]',
    '    needs: [a, c]',
    '',
    '# trailing comment',
  ),
  'duplicate keys at three levels': yaml('version: 1', 'name: p', 'name: q', 'tasks:', '  a:', '    run: echo', '    run: again', '  a:', '    run: echo'),
  'a cycle and an unknown need': yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    needs: [b]', '  b:', '    run: echo', '    needs: [a, zz]'),
  'an unclosed flow sequence before the next task': yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    outputs: [x', '  b:', '    run: echo'),
  'an unclosed quote': yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: "echo', '  b:', '    run: echo'),
  'an alias to an anchor in another section': yaml('version: 1', 'name: p', 'defaults: &d', '  timeout: 1h', 'tasks:', '  a:', '    run: echo', '    timeout: *d'),
  'an alias to an anchor in another task': yaml('version: 1', 'name: p', 'tasks:', '  a: &t', '    run: echo', '  b: *t'),
  'a value with ": " in it': yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: python x.py --mode: fast', '  b:', '    run: echo'),
  'schema and value errors in several tasks': yaml(
    'version: 1',
    'name: Bad_Name',
    'params: {lr: {type: integer, default: 0.5}}',
    'schedule: {cron: "0 25 * * *", timezone: Mars/Base}',
    'tasks:',
    '  a:',
    '    run: echo',
    '    nedds: [b]',
    '    resources: {cpu: lots, memory: 512m, gpu: 1.5}',
    '    timeout: 90',
    '  b:',
    '    image: Python',
    '    outputs: [/abs]',
  ),
  'a less indented line inside a task': yaml('version: 1', 'name: p', 'tasks:', '    a:', '      run: echo', '  b:', '    run: echo'),
  'CRLF line endings': 'version: 1\r\nname: p\r\ntasks:\r\n  a:\r\n    run: echo\r\n    needs: [x]\r\n',
  'no final newline': 'version: 1\nname: p\ntasks:\n  a:\n    run: echo\n    needs: [a]',
  'an empty tasks section': yaml('version: 1', 'name: p', 'tasks:', '# nothing'),
  'a byte order mark in the middle': `version: 1\nname: p\n\ufefftasks:\n  a:\n    run: echo\n`,
  'indented content before the first key': yaml('# comment', '   stray: 1', 'version: 1', 'name: p', 'tasks:', '  a:', '    run: echo'),
};

describe('core: LineIndex', () => {
  it('counts lines at \\n, \\r\\n and a lone \\r, and never points into a line break', () => {
    const lines = new LineIndex('a\nbb\r\nccc\rd\r\n\n\r');
    assert.equal(lines.lineCount, 7);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15].map((o) => lines.position(o)),
      [
        { line: 0, character: 0 },
        { line: 0, character: 1 },
        { line: 1, character: 0 },
        { line: 1, character: 1 },
        { line: 1, character: 2 },
        { line: 1, character: 2 },
        { line: 2, character: 0 },
        { line: 2, character: 3 },
        { line: 3, character: 0 },
        { line: 3, character: 1 },
        { line: 3, character: 1 },
        { line: 4, character: 0 },
        { line: 5, character: 0 },
        { line: 6, character: 0 },
      ],
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].map((l) => lines.offset({ line: l, character: 0 })),
      [0, 2, 6, 10, 13, 14, 15],
    );
    assert.equal(new LineIndex('').lineCount, 1);
    assert.equal(new LineIndex('x').lineCount, 1);
  });
});

describe('core: Analysis', () => {
  it('counts its errors, and places its diagnostics once, when first read', () => {
    const ws = new Workspace({ root: '/ws' });
    const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    needs: [b, b]', '  b:', '    run: echo', '  c:', '    needs: [x]');
    ws.set(FILE, text);
    const a = ws.analyze(FILE)!;
    const first = a.diagnostics;
    assert.equal(a.diagnostics, first);
    assert.deepEqual(
      first.map((d) => `${d.severity} ${d.code} ${d.range.start.line}:${d.range.start.character}`),
      ['info redundant-need 5:15', 'error schema 8:2', 'error unknown-need 9:12'],
    );
    assert.equal(a.errors, 2);
    // Listed like any other field, so a copy of the analysis carries its diagnostics.
    assert.equal({ ...a }.diagnostics, first);
    ws.set('/ws/f.features.yaml', yaml('version: 1', 'entities: {}', 'entities: {}'));
    const f = ws.analyze('/ws/f.features.yaml')!;
    assert.equal(f.errors, 1);
    assert.deepEqual(
      f.diagnostics.map((d) => `${d.severity} ${d.code}`),
      ['error duplicate-key'],
    );
  });
});

describe('core: the two parsing paths', () => {
  it('takes the piecewise path for a plain pipeline and the whole path for a document start marker', () => {
    assert.equal(parsePath(CHURN_PIPELINE), 'pieces');
    assert.equal(parsePath(`---\n${CHURN_PIPELINE}`), 'whole');
    assert.equal(parsePath('- a\n- b\n'), 'whole');
    // Pieces that cannot stand alone fall back to the whole parse.
    assert.equal(parsePath(DOCS['an alias to an anchor in another task']!), 'whole');
    assert.equal(parsePath(DOCS['an unclosed quote']!), 'whole');
    assert.equal(parsePath(DOCS['duplicate keys at three levels']!), 'pieces');
    assert.equal(parsePath(DOCS['indented content before the first key']!), 'whole');
  });

  for (const [name, text] of Object.entries(DOCS)) {
    it(`gives identical diagnostics and trees either way: ${name}`, () => {
      const pieces = diagnostics(text);
      const whole = diagnostics(`---\n${text}`).map((d) => ({ ...d, range: shift(d.range, -1) }));
      assert.deepEqual(pieces, whole);
      assert.deepEqual(normalizeTree(parseYaml(text).root, 0), normalizeTree(parseYaml(`---\n${text}`).root, -4));
    });
  }

  it('gives a feature catalog the same diagnostics either way', () => {
    const text = CHURN_FEATURES.replace('ttl: 30d', 'ttl: 30').replace('int64', 'int65');
    const pieces = diagnostics(text, '/ws/f.features.yaml');
    const whole = diagnostics(`---\n${text}`, '/ws/f.features.yaml').map((d) => ({ ...d, range: shift(d.range, -1) }));
    assert.equal(pieces.length, 2);
    assert.deepEqual(pieces, whole);
  });
});

describe('core: incremental re-analysis', () => {
  /** Applies the edits in order to one Workspace and compares each result with a fresh Workspace. */
  function replay(texts: string[], others: Record<string, string> = {}): void {
    const ws = new Workspace({ root: '/ws' });
    for (const [p, t] of Object.entries(others)) ws.set(p, t);
    texts.forEach((text, i) => {
      ws.set(FILE, text);
      const incremental = ws.analyze(FILE)!;
      const fresh = new Workspace({ root: '/ws' });
      for (const [p, t] of Object.entries(others)) fresh.set(p, t);
      fresh.set(FILE, text);
      const expected = fresh.analyze(FILE)!;
      assert.deepEqual(incremental.diagnostics, expected.diagnostics, `edit #${i}`);
      assert.deepEqual(normalizeTree(incremental.parsed.root, 0), normalizeTree(expected.parsed.root, 0), `tree after edit #${i}`);
    });
  }

  const base = CHURN_PIPELINE;

  it('matches a fresh Workspace after edits above, inside and between tasks', () => {
    replay(
      [
        base,
        `# a new first line\n${base}`,
        `# a new first line\n${base}`.replace('timeout: 2m', 'timeout: 2m\n    timeout: 3m'),
        base.replace('timeout: 2m', 'timeout: 2m\n    timeout: 3m'),
        `# one\n# two\n${base.replace('timeout: 2m', 'timeout: 2m\n    timeout: 3m')}`,
        base.replace('  report:', '  extra:\n    run: echo\n    needs: [nothing]\n\n  report:'),
        base.replace('needs: [evaluate]', 'needs: [evaluat]'),
        base.replace('needs: [evaluate]', 'needs: [evaluate'),
        base,
        base.replace('lr: {type: number, default: 0.5', 'lr: {type: integer, default: 0.5'),
        base.replace('  ingest:', '  ingest: &i').replace('  report:', '  copy: *i\n  report:'),
        base,
      ],
      { '/ws/f.features.yaml': CHURN_FEATURES },
    );
  });

  it('matches a fresh Workspace when a task with a duplicate key moves up and down', () => {
    const task = yaml('  a:', '    run: echo', '    run: again', '    needs: [zz]');
    const head = yaml('version: 1', 'name: p', 'tasks:');
    replay([head + task, `# c\n${head}${task}`, `# c\n# d\n${head}${task}`, head + task, head + yaml('  b:', '    run: echo') + task]);
  });

  it('matches a fresh Workspace when the same task text appears twice', () => {
    const task = yaml('  t:', '    run: echo', '    needs: [t]');
    const head = yaml('version: 1', 'name: p', 'tasks:');
    replay([head + task, head + task + task, head + task + yaml('  u:', '    run: echo') + task, head + task]);
  });

  it('updates a pipeline when the catalog it reads changes', () => {
    const ws = new Workspace({ root: '/ws' });
    ws.set(FILE, CHURN_PIPELINE);
    ws.set('/ws/f.features.yaml', CHURN_FEATURES);
    assert.deepEqual(ws.analyze(FILE)!.diagnostics, []);
    ws.set('/ws/f.features.yaml', CHURN_FEATURES.replace('customer_stats:', 'client_stats:'));
    assert.deepEqual(
      ws.analyze(FILE)!.diagnostics.map((d) => d.code),
      ['unknown-feature'],
    );
    ws.set('/ws/f.features.yaml', CHURN_FEATURES);
    assert.deepEqual(ws.analyze(FILE)!.diagnostics, []);
  });
});
