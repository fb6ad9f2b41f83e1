/** A directed graph of task ids with declared and inferred edges, and the algorithms rules need. */

export type EdgeKind = 'declared' | 'inferred';

/** `from` must finish before `to`; `reason` says why an inferred edge exists. */
export interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
  reason?: string;
}

/**
 * Nodes are kept by index in arrays, so a graph of thousands of tasks costs a few arrays
 * instead of a Map and a Set per node (the language server builds one on every edit).
 * A node's incoming edges are searched in a list; only a node with many parents gets a map.
 */
export class Dag {
  readonly nodes: string[];
  readonly edges: Edge[] = [];
  private readonly index = new Map<string, number>();
  /** Incoming edges of each node, in the order they were added (undefined: none yet). */
  private readonly up: (Edge[] | undefined)[];
  /** The same edges' parent indices. */
  private readonly upIdx: (number[] | undefined)[];
  /** Indices of each node's children, in the order their edges were added (undefined: none yet). */
  private readonly down: (number[] | undefined)[];
  /** The incoming edges of nodes with many parents, by parent index. */
  private readonly upMap = new Map<number, Map<number, Edge>>();
  private topo?: { order: string[]; cyclic: string[] };
  /** The topological order as node indices. */
  private topoIndices: number[] = [];

  constructor(nodes: Iterable<string>) {
    this.nodes = [];
    for (const n of nodes) {
      if (this.index.has(n)) continue;
      this.index.set(n, this.nodes.length);
      this.nodes.push(n);
    }
    this.up = new Array<Edge[] | undefined>(this.nodes.length).fill(undefined);
    this.upIdx = new Array<number[] | undefined>(this.nodes.length).fill(undefined);
    this.down = new Array<number[] | undefined>(this.nodes.length).fill(undefined);
  }

  /** Adds an edge between known nodes; a declared edge upgrades an inferred one. Self-loops are ignored. */
  add(from: string, to: string, kind: EdgeKind, reason?: string): void {
    const f = this.index.get(from);
    const t = this.index.get(to);
    if (f === undefined || t === undefined || f === t) return;
    const existing = this.find(f, t);
    if (existing) {
      if (kind === 'declared' && existing.kind === 'inferred') {
        existing.kind = 'declared';
        delete existing.reason;
      }
      return;
    }
    this.topo = undefined;
    const edge: Edge = reason === undefined ? { from, to, kind } : { from, to, kind, reason };
    const up = this.up[t];
    if (up === undefined) {
      this.up[t] = [edge];
      this.upIdx[t] = [f];
    } else {
      up.push(edge);
      this.upIdx[t]!.push(f);
      const map = this.upMap.get(t);
      if (map) map.set(f, edge);
      else if (up.length === MANY_PARENTS) this.upMap.set(t, new Map(up.map((e) => [this.index.get(e.from)!, e])));
    }
    const down = this.down[f];
    if (down === undefined) this.down[f] = [t];
    else down.push(t);
    this.edges.push(edge);
  }

  parents(id: string): string[] {
    const i = this.index.get(id);
    return i === undefined ? [] : (this.up[i] ?? NONE).map((e) => e.from);
  }

  /** How many nodes `id` depends on directly. */
  parentCount(id: string): number {
    const i = this.index.get(id);
    return i === undefined ? 0 : (this.up[i]?.length ?? 0);
  }

  edge(from: string, to: string): Edge | undefined {
    const f = this.index.get(from);
    const t = this.index.get(to);
    return f === undefined || t === undefined ? undefined : this.find(f, t);
  }

  /** Whether the edge from node index `f` to node index `t` exists. */
  hasEdge(f: number, t: number): boolean {
    return this.find(f, t) !== undefined;
  }

  private find(f: number, t: number): Edge | undefined {
    const up = this.up[t];
    if (up === undefined) return undefined;
    if (up.length >= MANY_PARENTS) return this.upMap.get(t)!.get(f);
    const from = this.nodes[f]!;
    for (let i = 0; i < up.length; i++) if (up[i]!.from === from) return up[i];
    return undefined;
  }

  children(id: string): string[] {
    const i = this.index.get(id);
    return i === undefined ? [] : (this.down[i] ?? NONE).map((c) => this.nodes[c]!);
  }

  /** Kahn's algorithm, stable in node order. `cyclic` holds the nodes left over when there is a cycle. */
  topoOrder(): { order: string[]; cyclic: string[] } {
    if (!this.topo) this.topo = this.computeTopo();
    return this.topo;
  }

  private computeTopo(): { order: string[]; cyclic: string[] } {
    const indeg = this.up.map((u) => u?.length ?? 0);
    const queue: number[] = [];
    for (let i = 0; i < indeg.length; i++) if (indeg[i] === 0) queue.push(i);
    for (let q = 0; q < queue.length; q++) {
      for (const c of this.down[queue[q]!] ?? NONE) if (--indeg[c]! === 0) queue.push(c);
    }
    const order = queue.map((i) => this.nodes[i]!);
    const cyclic = order.length === this.nodes.length ? [] : this.nodes.filter((_, i) => indeg[i]! > 0);
    this.topoIndices = queue;
    return { order, cyclic };
  }

  /**
   * Every elementary cycle found by a DFS over the nodes left by topoOrder, each once,
   * as a closed path `[a, b, a]` starting at its first node in file order. Iterative (no recursion).
   */
  cycles(): string[][] {
    const { cyclic } = this.topoOrder();
    if (cyclic.length === 0) return [];
    const inCycle = new Set(cyclic);
    const rank = this.index;
    const state = new Map<string, 1 | 2>();
    const found: string[][] = [];
    const seen = new Set<string>();
    for (const start of cyclic) {
      if (state.has(start)) continue;
      const stack: { id: string; next: string[] }[] = [{ id: start, next: this.children(start).filter((c) => inCycle.has(c)) }];
      const onPath: string[] = [start];
      state.set(start, 1);
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const child = top.next.shift();
        if (child === undefined) {
          state.set(top.id, 2);
          stack.pop();
          onPath.pop();
          continue;
        }
        const s = state.get(child);
        if (s === 1) {
          const loop = onPath.slice(onPath.indexOf(child));
          // Rotate so the cycle starts at its earliest node in the file, for stable messages.
          let best = 0;
          for (let i = 1; i < loop.length; i++) if (rank.get(loop[i]!)! < rank.get(loop[best]!)!) best = i;
          const rotated = [...loop.slice(best), ...loop.slice(0, best)];
          const key = rotated.join('\u0000');
          if (!seen.has(key)) {
            seen.add(key);
            found.push([...rotated, rotated[0]!]);
          }
        } else if (s === undefined) {
          state.set(child, 1);
          onPath.push(child);
          stack.push({ id: child, next: this.children(child).filter((c) => inCycle.has(c)) });
        }
      }
    }
    return found;
  }

  /**
   * Ancestor sets as bitsets in one flat array (`words` 32-bit words per node, by node index),
   * filled in topological order; only meaningful for an acyclic graph. Used to find needs
   * already implied transitively.
   */
  ancestors(): Ancestors {
    const n = this.nodes.length;
    const words = Math.max(1, Math.ceil(n / 32));
    const bits = new Uint32Array(n * words);
    this.topoOrder();
    for (const i of this.topoIndices) {
      const me = i * words;
      for (const pi of this.upIdx[i] ?? NONE) {
        const pb = pi * words;
        for (let w = 0; w < words; w++) bits[me + w]! |= bits[pb + w]!;
        bits[me + (pi >> 5)]! |= 1 << (pi & 31);
      }
    }
    const hasIndex = (i: number, a: number) => (bits[i * words + (a >> 5)]! & (1 << (a & 31))) !== 0;
    return this.answering(hasIndex);
  }

  /**
   * Answers the same questions as ancestors() by searching on demand, for a graph where only
   * a few pairs are asked about (the language server asks once per need on every edit). A
   * search from `node` goes up its edges and never past a node placed before `ancestor` in
   * topological order, since no path from `ancestor` runs through one; in the usual pipeline
   * a task's parents sit right above it and a question costs a few steps. Once the searches
   * have visited `budget` nodes in all, the bitsets are built and answer the rest, so a
   * graph of long chains costs no more than ancestors(). Only meaningful for an acyclic graph.
   */
  reachability(budget = 4 * (this.nodes.length + this.edges.length)): Ancestors {
    this.topoOrder();
    const n = this.nodes.length;
    const position = new Int32Array(n);
    this.topoIndices.forEach((node, k) => (position[node] = k));
    const seen = new Int32Array(n);
    let stamp = 0;
    let spent = 0;
    let full: Ancestors | undefined;
    // One stack for every search, emptied by its top index (setting length to 0 would drop its storage).
    const stack: number[] = [];
    const hasIndex = (node: number, ancestor: number): boolean => {
      if (full) return full.hasIndex(node, ancestor);
      if (node === ancestor || position[node]! < position[ancestor]!) return false;
      const floor = position[ancestor]!;
      stamp++;
      let top = 0;
      stack[top++] = node;
      seen[node] = stamp;
      while (top > 0) {
        const parents = this.upIdx[stack[--top]!] ?? NONE;
        for (let k = 0; k < parents.length; k++) {
          const p = parents[k]!;
          if (p === ancestor) return true;
          if (seen[p] === stamp || position[p]! < floor) continue;
          if (++spent > budget) {
            full = this.ancestors();
            return full.hasIndex(node, ancestor);
          }
          seen[p] = stamp;
          stack[top++] = p;
        }
      }
      return false;
    };
    return this.answering(hasIndex);
  }

  /** Ancestors from a question by node index: the same question by id answers false for an unknown id. */
  private answering(hasIndex: (node: number, ancestor: number) => boolean): Ancestors {
    return {
      has: (node, ancestor) => {
        const i = this.index.get(node);
        const a = this.index.get(ancestor);
        return i !== undefined && a !== undefined && hasIndex(i, a);
      },
      hasIndex,
    };
  }

  /** The indices of the nodes `i` depends on directly, in edge order (the graph's own list: do not change it). */
  parentIndices(i: number): readonly number[] {
    return this.upIdx[i] ?? NONE;
  }

  indexOf(id: string): number {
    return this.index.get(id) ?? -1;
  }
}

/** From this many parents on, a node's incoming edges are also kept in a map. */
const MANY_PARENTS = 16;

/** The shared empty list of a node without edges (replaced by its own list on the first edge). */
const NONE: readonly never[] = [];

/** Answers "is `ancestor` upstream of `node`" in constant time, by id or by node index. */
export interface Ancestors {
  has(node: string, ancestor: string): boolean;
  hasIndex(node: number, ancestor: number): boolean;
}
