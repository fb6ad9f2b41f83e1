import assert from 'node:assert/strict';
import { buildGraph, Dag, effectiveEnv, loadPipeline, parseYaml, producersOf, type PipelineGraph } from '../../core/src/index';
import { GraphCache } from '../../core/src/pipeline/graph';
import { CHURN_PIPELINE, yaml } from './helpers';

function graphOf(text: string): PipelineGraph {
  const parsed = parseYaml(text);
  return buildGraph(loadPipeline(parsed.root), text);
}

/** Edges as `from→to (kind)` strings, sorted, for exact comparison. */
function edges(dag: Dag): string[] {
  return dag.edges.map((e) => `${e.from}→${e.to} (${e.kind}${e.reason ? `: ${e.reason}` : ''})`).sort();
}

describe('core: Dag', () => {
  it('ignores self-loops, unknown nodes and repeated edges', () => {
    const dag = new Dag(['a', 'b', 'a']);
    assert.deepEqual(dag.nodes, ['a', 'b']);
    dag.add('a', 'a', 'declared');
    dag.add('x', 'a', 'declared');
    dag.add('a', 'x', 'declared');
    dag.add('a', 'b', 'inferred', 'reads x');
    dag.add('a', 'b', 'inferred', 'reads y');
    assert.deepEqual(edges(dag), ['a→b (inferred: reads x)']);
    assert.deepEqual(dag.parents('b'), ['a']);
    assert.deepEqual(dag.children('a'), ['b']);
    assert.deepEqual(dag.parents('nope'), []);
  });

  it('upgrades an inferred edge to declared, never the other way', () => {
    const dag = new Dag(['a', 'b', 'c']);
    dag.add('a', 'b', 'inferred', 'reads x');
    dag.add('a', 'b', 'declared');
    dag.add('b', 'c', 'declared');
    dag.add('b', 'c', 'inferred', 'reads y');
    assert.deepEqual(edges(dag), ['a→b (declared)', 'b→c (declared)']);
    assert.equal(dag.edge('a', 'b')?.reason, undefined);
    assert.equal(dag.edge('b', 'a'), undefined);
  });

  it('orders topologically, stable in node order', () => {
    const dag = new Dag(['report', 'train', 'ingest', 'featurize', 'lint']);
    dag.add('ingest', 'featurize', 'declared');
    dag.add('featurize', 'train', 'declared');
    dag.add('train', 'report', 'declared');
    dag.add('ingest', 'report', 'declared');
    assert.deepEqual(dag.topoOrder(), { order: ['ingest', 'lint', 'featurize', 'train', 'report'], cyclic: [] });
  });

  it('recomputes the order after a new edge', () => {
    const dag = new Dag(['a', 'b']);
    assert.deepEqual(dag.topoOrder().order, ['a', 'b']);
    dag.add('b', 'a', 'declared');
    assert.deepEqual(dag.topoOrder().order, ['b', 'a']);
    dag.add('a', 'b', 'declared');
    assert.deepEqual(dag.topoOrder(), { order: [], cyclic: ['a', 'b'] });
  });

  it('names each cycle whole, from its first node in file order, once', () => {
    const dag = new Dag(['x', 'c', 'a', 'b', 'tail', 'p', 'q']);
    // a → b → c → a, written so the DFS meets c first.
    dag.add('a', 'b', 'declared');
    dag.add('b', 'c', 'declared');
    dag.add('c', 'a', 'declared');
    dag.add('c', 'tail', 'declared'); // downstream of the cycle, not part of it
    dag.add('p', 'q', 'declared');
    dag.add('q', 'p', 'inferred');
    dag.add('x', 'a', 'declared'); // upstream, not part of it
    const { cyclic } = dag.topoOrder();
    assert.deepEqual(cyclic, ['c', 'a', 'b', 'tail', 'p', 'q']);
    assert.deepEqual(dag.cycles(), [
      ['c', 'a', 'b', 'c'],
      ['p', 'q', 'p'],
    ]);
  });

  it('finds no cycles in an acyclic graph, and handles a long cycle without recursion', () => {
    const n = 20_000;
    const ids = Array.from({ length: n }, (_, i) => `t${i}`);
    const dag = new Dag(ids);
    for (let i = 1; i < n; i++) dag.add(ids[i - 1]!, ids[i]!, 'declared');
    assert.deepEqual(dag.cycles(), []);
    dag.add(ids[n - 1]!, ids[0]!, 'declared');
    const [cycle] = dag.cycles();
    assert.equal(cycle!.length, n + 1);
    assert.equal(cycle![0], 't0');
    assert.equal(cycle![n], 't0');
  });

  it('answers ancestor questions transitively', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `n${i}`);
    const dag = new Dag(ids);
    for (let i = 1; i < 40; i++) dag.add(ids[i - 1]!, ids[i]!, 'declared');
    dag.add('n0', 'n39', 'declared');
    const anc = dag.ancestors();
    assert.equal(anc.has('n39', 'n0'), true);
    assert.equal(anc.has('n39', 'n33'), true);
    assert.equal(anc.has('n5', 'n4'), true);
    assert.equal(anc.has('n4', 'n5'), false);
    assert.equal(anc.has('n0', 'n0'), false);
    assert.equal(anc.has('n0', 'unknown'), false);
  });

  it('answers by search exactly what the ancestor bitsets answer, within budget and past it', () => {
    // Seeded random DAGs (edges only from lower to higher index, in shuffled insertion order).
    let seed = 7;
    const rand = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % k;
    };
    let searched = 0;
    for (let g = 0; g < 30; g++) {
      const n = 2 + rand(60);
      const ids = Array.from({ length: n }, (_, i) => `n${i}`);
      const dag = new Dag([...ids].sort(() => rand(3) - 1));
      const edges = 1 + rand(n * 3);
      for (let e = 0; e < edges; e++) {
        const a = rand(n);
        const b = rand(n);
        if (a < b) dag.add(ids[a]!, ids[b]!, 'declared');
      }
      const bits = dag.ancestors();
      for (const budget of [0, 5, undefined]) {
        const search = dag.reachability(budget);
        for (const x of ids) for (const y of ids) assert.equal(search.has(x, y), bits.has(x, y), `graph ${g}, budget ${budget}: is ${y} upstream of ${x}?`);
        searched++;
      }
    }
    assert.equal(searched, 90);
    const chain = new Dag(['a', 'b', 'c']);
    chain.add('a', 'b', 'declared');
    chain.add('b', 'c', 'declared');
    const r = chain.reachability();
    assert.deepEqual([r.has('c', 'a'), r.has('a', 'c'), r.has('c', 'c'), r.has('c', 'zz'), r.hasIndex(2, 0)], [true, false, false, false, true]);
  });
});

describe('core: pipeline graph', () => {
  it('keeps the last graph while an edit leaves every edge as it was, and builds a new one when an edge changes', () => {
    const cache = new GraphCache();
    const build = (text: string) => buildGraph(loadPipeline(parseYaml(text).root), text, cache).dag;
    const first = build(CHURN_PIPELINE);
    const order = first.topoOrder();
    const retyped = build(CHURN_PIPELINE.replace('python', 'python3'));
    assert.notEqual(CHURN_PIPELINE.replace('python', 'python3'), CHURN_PIPELINE);
    assert.equal(retyped, first, 'a changed command kept the graph');
    assert.equal(retyped.topoOrder(), order, 'and the order it had computed');
    const unknownNeed = build(CHURN_PIPELINE.replace('needs: [evaluate]', 'needs: [evaluate, nope]'));
    assert.equal(unknownNeed, first, 'a need of no known task adds no edge');
    const more = build(CHURN_PIPELINE.replace('needs: [evaluate]', 'needs: [evaluate, ingest]'));
    assert.notEqual(more, first);
    assert.deepEqual(edges(more), [...edges(first), 'ingest→report (declared)'].sort());
    assert.deepEqual(edges(more), edges(graphOf(CHURN_PIPELINE.replace('needs: [evaluate]', 'needs: [evaluate, ingest]')).dag));
    const renamed = build(`${CHURN_PIPELINE}\n  extra:\n    run: echo\n`);
    assert.deepEqual(renamed.nodes, [...first.nodes, 'extra'], 'a new task makes a new graph though no edge changed');
    assert.equal(build(CHURN_PIPELINE).topoOrder().order.join(), order.order.join());
  });

  it('builds the churn example with declared and inferred edges and their reasons', () => {
    const g = graphOf(CHURN_PIPELINE);
    assert.deepEqual(edges(g.dag), [
      'evaluate→report (declared)',
      'featurize→evaluate (inferred: reads data/features.csv)',
      'featurize→train (inferred: references tasks.featurize.outputs.table)',
      'ingest→featurize (inferred: reads data/raw/customers.csv)',
      'train→evaluate (inferred: reads models/churn.json)',
      'train→report (inferred: reads models/churn.json)',
    ]);
    assert.deepEqual(g.dag.topoOrder(), { order: ['ingest', 'featurize', 'train', 'evaluate', 'report'], cyclic: [] });
    assert.deepEqual(g.resolvedInputs.get('train'), ['data/features.csv']);
    assert.deepEqual(g.producers.get('models/churn.json'), ['train']);
  });

  it('infers edges from a reference in run, env, inputs and image, and from paths inside an output folder', () => {
    const text = yaml(
      'version: 1',
      'name: p',
      'tasks:',
      '  a:',
      '    run: echo',
      '    outputs: {dir: out/a, tag: tag.txt}',
      '  b:',
      '    run: echo',
      '    env: {X: "${{ tasks.a.outputs.tag }}"}',
      '  c:',
      '    run: echo',
      '    image: "ghcr.io/x/y:${{ tasks.a.outputs.tag }}"',
      '  d:',
      '    run: echo',
      '    inputs: [./out/a/part-0.csv]',
      '  e:',
      '    run: echo',
      '    inputs: {i: "${{ tasks.a.outputs.dir }}"}',
      '    needs: [d]',
    );
    const g = graphOf(text);
    assert.deepEqual(edges(g.dag), [
      'a→b (inferred: references tasks.a.outputs.tag)',
      'a→c (inferred: references tasks.a.outputs.tag)',
      'a→d (inferred: reads out/a/part-0.csv)',
      'a→e (inferred: references tasks.a.outputs.dir)',
      'd→e (declared)',
    ]);
    assert.deepEqual(g.resolvedInputs.get('e'), ['out/a']);
    assert.deepEqual(producersOf(g.producers, 'out/a/x/y.csv'), ['a']);
    assert.deepEqual(producersOf(g.producers, 'out/ab'), []);
  });

  it('a need that is also inferred shows as declared', () => {
    const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    outputs: [x]', '  b:', '    run: echo', '    inputs: [x]', '    needs: [a]');
    assert.deepEqual(edges(graphOf(text).dag), ['a→b (declared)']);
  });

  it("a task's environment is the defaults' overlaid by its own, in declaration order, and follows new defaults", () => {
    const p = loadPipeline(parseYaml(yaml('version: 1', 'defaults:', '  env: {A: "1", B: "2"}', 'tasks:', '  own:', '    run: echo', '    env: {B: "3", C: "4"}', '  bare:', '    run: echo')).root);
    const env = (p2: typeof p, id: string) => [...effectiveEnv(p2, p2.tasks.get(id)!)].map(([k, v]) => `${k}=${v.value}`);
    assert.deepEqual(env(p, 'own'), ['A=1', 'B=3', 'C=4']);
    assert.deepEqual(env(p, 'own'), ['A=1', 'B=3', 'C=4']);
    assert.deepEqual(env(p, 'bare'), ['A=1', 'B=2']);
    // The same tasks under other defaults (an edit above them keeps the tasks' objects).
    const other = { ...p, defaults: { ...p.defaults, env: new Map([['Z', { value: '9', span: [0, 0] as const }]]) } };
    assert.deepEqual(env(other, 'own'), ['Z=9', 'B=3', 'C=4']);
    assert.deepEqual(env(other, 'bare'), ['Z=9']);
    assert.deepEqual(env({ ...p, defaults: { ...p.defaults, env: new Map() } }, 'own'), ['B=3', 'C=4']);
  });
});
