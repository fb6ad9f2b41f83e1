import { SPACING, type LayoutInput, type LayoutResult, type PlacedNode, type Point } from './types';

/**
 * A fast layered layout for large pipelines, linear apart from per-layer sorts:
 * depth-first cycle breaking, longest-path layers (sources pulled down next to their
 * children), a few barycentre sweeps to untangle each layer, then a single pass that puts
 * every node under the mean of its parents and pushes neighbours apart. No dummy nodes,
 * so a long edge may pass behind a node; that is the price of laying out 5,000 tasks in
 * tens of milliseconds.
 */
export function layeredLayout(input: LayoutInput): LayoutResult {
  const n = input.nodes.length;
  const index = new Map<string, number>();
  input.nodes.forEach((node, i) => index.set(node.id, i));
  const parents: number[][] = Array.from({ length: n }, () => []);
  const children: number[][] = Array.from({ length: n }, () => []);
  const seen = new Set<number>();
  const edges: [number, number][] = [];
  for (const e of input.edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    // One number per pair (exact while n² < 2⁵³): no key string per edge.
    const key = a * n + b;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push([a, b]);
  }
  const order = acyclicOrder(n, edges, children);
  // Rebuild adjacency without the back edges found by the DFS.
  const position = new Int32Array(n);
  order.forEach((v, i) => (position[v] = i));
  for (const c of children) c.length = 0;
  for (const [a, b] of edges) {
    if (position[a]! < position[b]!) {
      children[a]!.push(b);
      parents[b]!.push(a);
    }
  }

  const rank = assignRanks(order, parents, children);
  const layers = orderLayers(order, rank, parents, children);
  return place(input, layers, parents);
}

/** Depth-first order with back edges ignored (reverse postorder): a topological order of what is left. */
function acyclicOrder(n: number, edges: [number, number][], children: number[][]): number[] {
  for (const [a, b] of edges) children[a]!.push(b);
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const post: number[] = [];
  const stack: number[] = [];
  const next = new Int32Array(n);
  // Roots first (nodes nothing points at), in file order, then whatever a cycle left unvisited.
  const indeg = new Int32Array(n);
  for (const [, b] of edges) indeg[b]!++;
  const starts = [...Array(n).keys()].sort((a, b) => Number(indeg[a]! > 0) - Number(indeg[b]! > 0) || a - b);
  for (const s of starts) {
    if (state[s] !== 0) continue;
    stack.push(s);
    state[s] = 1;
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!;
      const kids = children[v]!;
      if (next[v]! < kids.length) {
        const c = kids[next[v]!++]!;
        if (state[c] === 0) {
          state[c] = 1;
          stack.push(c);
        }
      } else {
        state[v] = 2;
        stack.pop();
        post.push(v);
      }
    }
  }
  return post.reverse();
}

function assignRanks(order: number[], parents: number[][], children: number[][]): Int32Array {
  const rank = new Int32Array(order.length);
  for (const v of order) {
    let r = 0;
    for (const p of parents[v]!) r = Math.max(r, rank[p]! + 1);
    rank[v] = r;
  }
  // A source hangs just above its nearest child instead of sitting in the first layer.
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i]!;
    if (parents[v]!.length > 0 || children[v]!.length === 0) continue;
    let r = Infinity;
    for (const c of children[v]!) r = Math.min(r, rank[c]! - 1);
    rank[v] = Math.max(0, r);
  }
  return rank;
}

function orderLayers(order: number[], rank: Int32Array, parents: number[][], children: number[][]): number[][] {
  let depth = 0;
  for (const v of order) depth = Math.max(depth, rank[v]! + 1);
  const layers: number[][] = Array.from({ length: depth }, () => []);
  for (const v of order) layers[rank[v]!]!.push(v);
  // Normalised position of each node in its layer, comparable across layers of any size.
  const pos = new Float64Array(order.length);
  const refresh = (layer: number[]) => {
    const mid = (layer.length - 1) / 2;
    layer.forEach((v, i) => (pos[v] = i - mid));
  };
  layers.forEach(refresh);
  const key = new Float64Array(order.length);
  const sweep = (layer: number[], neighbours: number[][]) => {
    for (const v of layer) {
      const ns = neighbours[v]!;
      if (ns.length === 0) key[v] = pos[v]!;
      else {
        let sum = 0;
        for (const u of ns) sum += pos[u]!;
        key[v] = sum / ns.length;
      }
    }
    layer.sort((a, b) => key[a]! - key[b]! || pos[a]! - pos[b]!);
    refresh(layer);
  };
  for (let round = 0; round < 2; round++) {
    for (let r = 1; r < depth; r++) sweep(layers[r]!, parents);
    for (let r = depth - 2; r >= 0; r--) sweep(layers[r]!, children);
  }
  for (let r = 1; r < depth; r++) sweep(layers[r]!, parents);
  return layers;
}

function place(input: LayoutInput, layers: number[][], parents: number[][]): LayoutResult {
  const tb = input.direction === 'TB';
  const cross = (i: number) => (tb ? input.nodes[i]!.width : input.nodes[i]!.height);
  const main = (i: number) => (tb ? input.nodes[i]!.height : input.nodes[i]!.width);
  const centre = new Float64Array(input.nodes.length);
  const mainAt = new Float64Array(input.nodes.length);
  let offset = 0;
  for (const layer of layers) {
    let thickness = 0;
    for (const v of layer) thickness = Math.max(thickness, main(v));
    const desired = layer.map((v) => {
      const ps = parents[v]!;
      if (ps.length === 0) return undefined;
      let sum = 0;
      for (const p of ps) sum += centre[p]!;
      return sum / ps.length;
    });
    // Left to right: as close to the wish as the previous neighbour allows.
    let right = -Infinity;
    let drift = 0;
    let wishes = 0;
    layer.forEach((v, i) => {
      const half = cross(v) / 2;
      const wish = desired[i];
      const lowest = right === -Infinity ? (wish ?? 0) : right + SPACING.node + half;
      const c = wish === undefined ? lowest : Math.max(wish, lowest);
      centre[v] = c;
      right = c + half;
      if (wish !== undefined) {
        drift += wish - c;
        wishes++;
      }
    });
    // Pushing only rightwards skews a crowded layer: shift it back by the mean error, or
    // centre it on zero when no node in it has a parent to line up with.
    let shift = wishes > 0 ? drift / wishes : 0;
    if (wishes === 0 && layer.length > 0) {
      const left = centre[layer[0]!]! - cross(layer[0]!) / 2;
      shift = -(left + right) / 2;
    }
    for (const v of layer) {
      centre[v] = centre[v]! + shift;
      mainAt[v] = offset + thickness / 2;
    }
    offset += thickness + SPACING.rank;
  }
  let min = Infinity;
  let max = -Infinity;
  input.nodes.forEach((_, v) => {
    min = Math.min(min, centre[v]! - cross(v) / 2);
    max = Math.max(max, centre[v]! + cross(v) / 2);
  });
  if (input.nodes.length === 0) min = max = 0;
  const nodes = new Map<string, PlacedNode>();
  input.nodes.forEach((node, v) => {
    const c = centre[v]! - min + SPACING.margin;
    const m = mainAt[v]! + SPACING.margin;
    nodes.set(node.id, { x: tb ? c : m, y: tb ? m : c, width: node.width, height: node.height });
  });
  const edges = input.edges.filter((e) => e.from !== e.to && nodes.has(e.from) && nodes.has(e.to)).map((e) => ({ from: e.from, to: e.to, points: endpoints(nodes.get(e.from)!, nodes.get(e.to)!, tb) }));
  const crossSize = max - min + 2 * SPACING.margin;
  const mainSize = Math.max(0, offset - SPACING.rank) + 2 * SPACING.margin;
  return { nodes, edges, width: tb ? crossSize : mainSize, height: tb ? mainSize : crossSize, engine: 'layered' };
}

/** From the side of `a` facing downstream to the side of `b` facing upstream. */
function endpoints(a: PlacedNode, b: PlacedNode, tb: boolean): Point[] {
  return tb
    ? [
        { x: a.x, y: a.y + a.height / 2 },
        { x: b.x, y: b.y - b.height / 2 },
      ]
    : [
        { x: a.x + a.width / 2, y: a.y },
        { x: b.x - b.width / 2, y: b.y },
      ];
}
