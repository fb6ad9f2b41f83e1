/** A directed graph of task ids with declared and inferred edges, and the algorithms rules need. */

export type EdgeKind = 'declared' | 'inferred';

/** `from` must finish before `to`; `reason` says why an inferred edge exists. */
export interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
  reason?: string;
}

export class Dag {
  readonly nodes: string[];
  readonly edges: Edge[] = [];
  private readonly upstream = new Map<string, Map<string, Edge>>();
  private readonly downstream = new Map<string, Set<string>>();
  private readonly index = new Map<string, number>();
  private topo?: { order: string[]; cyclic: string[] };

  constructor(nodes: Iterable<string>) {
    this.nodes = [...new Set(nodes)];
    this.nodes.forEach((n, i) => this.index.set(n, i));
    for (const n of this.nodes) {
      this.upstream.set(n, new Map());
      this.downstream.set(n, new Set());
    }
  }

  /** Adds an edge between known nodes; a declared edge upgrades an inferred one. Self-loops are ignored. */
  add(from: string, to: string, kind: EdgeKind, reason?: string): void {
    const up = this.upstream.get(to);
    if (!up || !this.upstream.has(from) || from === to) return;
    const existing = up.get(from);
    if (existing) {
      if (kind === 'declared' && existing.kind === 'inferred') {
        existing.kind = 'declared';
        delete existing.reason;
      }
      return;
    }
    this.topo = undefined;
    const edge: Edge = reason === undefined ? { from, to, kind } : { from, to, kind, reason };
    up.set(from, edge);
    this.downstream.get(from)!.add(to);
    this.edges.push(edge);
  }

  parents(id: string): string[] {
    return [...(this.upstream.get(id)?.keys() ?? [])];
  }

  edge(from: string, to: string): Edge | undefined {
    return this.upstream.get(to)?.get(from);
  }

  children(id: string): string[] {
    return [...(this.downstream.get(id) ?? [])];
  }

  /** Kahn's algorithm, stable in node order. `cyclic` holds the nodes left over when there is a cycle. */
  topoOrder(): { order: string[]; cyclic: string[] } {
    if (!this.topo) this.topo = this.computeTopo();
    return this.topo;
  }

  private computeTopo(): { order: string[]; cyclic: string[] } {
    const indeg = new Map<string, number>();
    for (const n of this.nodes) indeg.set(n, this.upstream.get(n)!.size);
    const queue = this.nodes.filter((n) => indeg.get(n) === 0);
    const order: string[] = [];
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i]!;
      order.push(n);
      for (const c of this.downstream.get(n)!) {
        const d = indeg.get(c)! - 1;
        indeg.set(c, d);
        if (d === 0) queue.push(c);
      }
    }
    const cyclic = order.length === this.nodes.length ? [] : this.nodes.filter((n) => indeg.get(n)! > 0);
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
    for (const id of this.topoOrder().order) {
      const me = this.index.get(id)! * words;
      for (const p of this.upstream.get(id)!.keys()) {
        const pi = this.index.get(p)!;
        const pb = pi * words;
        for (let w = 0; w < words; w++) bits[me + w]! |= bits[pb + w]!;
        bits[me + (pi >> 5)]! |= 1 << (pi & 31);
      }
    }
    return { has: (node, ancestor) => {
      const i = this.index.get(node);
      const a = this.index.get(ancestor);
      if (i === undefined || a === undefined) return false;
      return (bits[i * words + (a >> 5)]! & (1 << (a & 31))) !== 0;
    } };
  }

  indexOf(id: string): number {
    return this.index.get(id) ?? -1;
  }
}

/** Answers "is `ancestor` upstream of `node`" in constant time. */
export interface Ancestors {
  has(node: string, ancestor: string): boolean;
}
