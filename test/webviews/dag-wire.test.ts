import assert from 'node:assert/strict';
import { decodeDag, encodeDag, type DagWire } from '../../core/src/protocol/dag-wire';
import type { DagResult } from '../../core/src/protocol/lsp';
import { churnGraph, layeredGraph } from './fixtures';

const r = (line: number, from: number, to: number) => ({ start: { line, character: from }, end: { line, character: to } });

/** Two tasks: `a` with every kind of fact, `b` with none, and two edges between them. */
function small(): DagResult {
  return {
    uri: 'file:///p.pipeline.yaml',
    nodes: [
      {
        id: 'a',
        range: r(2, 2, 40),
        selectionRange: r(2, 2, 3),
        description: 'A',
        diagnostics: [{ code: 'unused-param', severity: 'warning', message: 'lr is not used', range: r(3, 4, 6) }],
        details: { inputs: [{ name: 'raw', path: 'data/raw.csv' }], outputs: [{ path: 'out.csv', kind: 'dataset' }], resources: { cpu: '2' }, params: ['lr'], features: [], image: 'python:3.12' },
      },
      { id: 'b', range: r(5, 2, 30), selectionRange: r(5, 2, 3), run: 'echo', diagnostics: [] },
    ],
    edges: [
      { from: 'a', to: 'b', kind: 'declared' },
      { from: 'a', to: 'b', kind: 'inferred', reason: 'reads out.csv' },
    ],
  };
}

/** The wire form as the webview receives it (through JSON), for mutating. */
const wire = (): DagWire => JSON.parse(JSON.stringify(encodeDag(small()))) as DagWire;

describe('DAG wire format (the graph message to the webview)', () => {
  it('puts each string once in a table and everything else in columns of numbers', () => {
    assert.deepEqual(encodeDag(small()), {
      v: 1,
      uri: 'file:///p.pipeline.yaml',
      strings: ['a', 'A', 'unused-param', 'lr is not used', '2', 'python:3.12', 'raw', 'data/raw.csv', 'out.csv', 'dataset', 'lr', 'b', 'echo', 'reads out.csv'],
      ids: [0, 11],
      ranges: [2, 2, 2, 40, 2, 2, 2, 3, 5, 2, 5, 30, 5, 2, 5, 3],
      text: [1, -1, -1, 12],
      diagStart: [0, 1, 1],
      diags: [2, 1, 3, 3, 4, 3, 6],
      facts: [1, 4, -1, -1, -1, 5, -1, 0, -1, -1, -1, -1, -1, -1],
      inputStart: [0, 1, 1],
      inputs: [6, 7],
      outputStart: [0, 1, 1],
      outputs: [-1, 8, 9],
      paramStart: [0, 1, 1],
      params: [10],
      featureStart: [0, 0, 0],
      features: [],
      edges: [0, 1, 0, -1, 0, 1, 1, 13],
    });
  });

  it('gives back the same graph after JSON, for the churn example and a generated 300-task graph', () => {
    for (const g of [small(), churnGraph(), layeredGraph(300)]) {
      const decoded = decodeDag(JSON.parse(JSON.stringify(encodeDag(g))));
      // Nodes read their ranges and details when asked: JSON (their toJSON) gives the plain graph.
      assert.deepEqual(JSON.parse(JSON.stringify(decoded)), { ok: true, value: JSON.parse(JSON.stringify(g)) });
    }
    const churn = churnGraph();
    assert.ok(churn.nodes.every((n) => n.details) && churn.edges.some((e) => e.reason), 'the churn example has details and reasons to carry');
    assert.equal(encodeDag(layeredGraph(300)).strings.filter((s) => s === 'true').length, 1);
  });

  it("reads a node's ranges and details when first asked for, and keeps them", () => {
    const g = decodeDag(encodeDag(small()));
    assert.ok(g.ok);
    const [a, b] = g.value.nodes;
    assert.deepEqual(a!.details, small().nodes[0]!.details);
    assert.equal(a!.details, a!.details);
    assert.equal(a!.selectionRange, a!.selectionRange);
    assert.deepEqual(a!.selectionRange, r(2, 2, 3));
    assert.equal(b!.details, undefined);
    assert.deepEqual(b!.range, r(5, 2, 30));
    assert.deepEqual(b!.diagnostics, []);
  });

  it('rejects a malformed graph with the first thing that is wrong, and builds nothing from it', () => {
    const cases: [string, (w: DagWire) => unknown][] = [
      ['not an object', () => null],
      ['not an object', () => [wire()]],
      ['unknown version (expected v: 1)', (w) => ({ ...w, v: 2 })],
      ['`uri` is not a string', (w) => ({ ...w, uri: 7 })],
      ['`strings` is not an array', (w) => ({ ...w, strings: 'a,b' })],
      ['`strings[3]` is not a string', (w) => ((w.strings as unknown[])[3] = 7)],
      ['`ids` is not an array', (w) => ({ ...w, ids: { 0: 0 } })],
      ['`ids[1]` is not an integer from 0 to 13', (w) => (w.ids[1] = 14)],
      ['`ids[0]` is not an integer from 0 to 13', (w) => (w.ids[0] = -1)],
      ['`ranges` has 16 entries, expected 8', (w) => w.ids.pop()],
      ['`ranges` has 15 entries, expected 16', (w) => w.ranges.pop()],
      ['`ranges[2]` is not an integer from 0 to 9007199254740991', (w) => (w.ranges[2] = 1.5)],
      ['`ranges[0]` is not an integer from 0 to 9007199254740991', (w) => ((w.ranges as unknown[])[0] = '2')],
      ['`text[0]` is not an integer from -1 to 13', (w) => (w.text[0] = -2)],
      [
        '`diagStart[0]` is not 0',
        (w) => {
          w.diagStart = [1, 1, 1];
        },
      ],
      [
        '`diagStart[2]` is less than the entry before it',
        (w) => {
          w.diagStart = [0, 2, 1];
        },
      ],
      ['`diagStart` has 2 entries, expected 3', (w) => w.diagStart.pop()],
      ['`diags` has 6 entries, expected 7', (w) => w.diags.pop()],
      ['diagnostic 0 has an unknown severity 3', (w) => (w.diags[1] = 3)],
      ['diagnostic 0 has no message string', (w) => (w.diags[2] = -1)],
      ['`facts[7]` (node 1 has details) is not 0 or 1', (w) => (w.facts[7] = 2)],
      ['node 0 has no details but has detail entries', (w) => (w.facts[0] = 0)],
      ['`inputs[1]` (a path) is absent', (w) => (w.inputs[1] = -1)],
      [
        '`outputs` has 3 entries, expected 6',
        (w) => {
          w.outputStart = [0, 1, 2];
        },
      ],
      ['`params[0]` is not an integer from 0 to 13', (w) => (w.params[0] = -1)],
      ['`features` is not an array', (w) => ({ ...w, features: undefined })],
      ['`edges` has 7 entries, not a multiple of 4', (w) => w.edges.pop()],
      ['`edges[0]` is not an integer from -1 to 13', (w) => ((w.edges as unknown[])[0] = 'a')],
      ['edge 0 refers to a node outside 0 to 1', (w) => (w.edges[1] = 2)],
      ['edge 1 has an unknown kind 2', (w) => (w.edges[6] = 2)],
    ];
    for (const [error, mutate] of cases) {
      const w = wire();
      // A case returns the value to decode, or changes `w` in place (and returns a number or nothing).
      const changed = mutate(w);
      const input = typeof changed === 'object' ? changed : w;
      assert.deepEqual(decodeDag(input), { ok: false, error: `malformed graph: ${error}` }, error);
    }
  });
});
