// Worker of scripts/bench-dag.mjs: lays one graph out `runs` times with one engine and
// reports the times, the crossings between adjacent layers and the drawing size.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const { bundlePath, engine, input, runs } = workerData;
const lib = createRequire(import.meta.url)(bundlePath);

async function elkLayout(lib, input) {
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(lib.SPACING.rank),
      'elk.spacing.nodeNode': String(lib.SPACING.node),
      'elk.padding': `[top=${lib.SPACING.margin},left=${lib.SPACING.margin},bottom=${lib.SPACING.margin},right=${lib.SPACING.margin}]`,
    },
    children: input.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: input.edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
  const out = await lib.elk.layout(graph);
  const nodes = new Map(out.children.map((c) => [c.id, { x: c.x + c.width / 2, y: c.y + c.height / 2 }]));
  return { nodes, width: out.width, height: out.height };
}

/** Crossings between edges that join adjacent longest-path layers, from each engine's x order. */
function crossings(input, nodes) {
  const rank = new Map();
  const parents = new Map(input.nodes.map((n) => [n.id, []]));
  for (const e of input.edges) parents.get(e.to).push(e.from);
  for (const n of input.nodes) rank.set(n.id, Math.max(-1, ...parents.get(n.id).map((p) => rank.get(p) ?? 0)) + 1);
  const gaps = new Map();
  for (const e of input.edges) {
    if (rank.get(e.to) !== rank.get(e.from) + 1) continue;
    const list = gaps.get(rank.get(e.from)) ?? [];
    list.push([nodes.get(e.from).x, nodes.get(e.to).x]);
    gaps.set(rank.get(e.from), list);
  }
  let count = 0;
  for (const list of gaps.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a1, b1] = list[i];
        const [a2, b2] = list[j];
        if ((a1 - a2) * (b1 - b2) < 0) count++;
      }
    }
  }
  return count;
}

const run = { dagre: (g) => lib.dagreLayout(g), elk: (g) => elkLayout(lib, g), own: (g) => lib.layeredLayout(g) }[engine];
const times = [];
let last;
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  last = await run(input);
  times.push(performance.now() - t);
}
parentPort.postMessage({ times, crossings: crossings(input, last.nodes), width: last.width, height: last.height });
