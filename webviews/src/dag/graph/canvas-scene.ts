/**
 * The canvas drawing for large graphs: only what is on screen is drawn, labels only when
 * they are big enough to read, edges as single curves batched by kind. A grid of buckets
 * answers "which node is under the pointer" without touching every node.
 */
import type { DagNode } from '../../../../core/src/browser';
import type { LayoutResult, PlacedNode } from '../layout/types';
import { visibleWorld, type Viewport } from '../model/geometry';
import { diagnosticCounts, fit, type ColourName } from '../model/presentation';
import type { TaskRun } from '../model/run-overlay';
import type { SceneState } from './svg-scene';

const CELL = 256;
/** Below this zoom a node is a coloured block: text would be smaller than about 5 px. */
const LABEL_ZOOM = 0.45;

export class CanvasScene {
  private grid = new Map<string, string[]>();
  private gridFor: LayoutResult | undefined;

  /** Nodes drawn by the last frame (what a test or a status line can read). */
  drawn = 0;
  /** Edges drawn by the last frame. */
  drawnEdges = 0;

  draw(ctx: CanvasRenderingContext2D, s: SceneState, vp: Viewport, w: number, h: number, dpr: number, colours: Record<ColourName, string>): void {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = colours.background;
    ctx.fillRect(0, 0, w, h);
    ctx.setTransform(dpr * vp.k, 0, 0, dpr * vp.k, dpr * vp.x, dpr * vp.y);
    const view = visibleWorld(vp, w, h);
    const visible = (p: PlacedNode) => p.x + p.width / 2 >= view.x0 && p.x - p.width / 2 <= view.x1 && p.y + p.height / 2 >= view.y0 && p.y - p.height / 2 <= view.y1;

    // Inferred edges by their ends (usually few): no key string per edge of the layout.
    const inferred = new Map<string, Set<string>>();
    for (const e of s.edges) {
      if (e.kind !== 'inferred') continue;
      const to = inferred.get(e.from);
      if (to) to.add(e.to);
      else inferred.set(e.from, new Set([e.to]));
    }
    const paths = { declared: new Path2D(), inferred: new Path2D(), related: new Path2D() };
    let drawnEdges = 0;
    for (const e of s.layout.edges) {
      const a = e.points[0];
      const b = e.points[e.points.length - 1];
      if (!a || !b) continue;
      if (Math.max(a.x, b.x) < view.x0 || Math.min(a.x, b.x) > view.x1 || Math.max(a.y, b.y) < view.y0 || Math.min(a.y, b.y) > view.y1) continue;
      drawnEdges++;
      const related = s.selected !== null && (e.from === s.selected || e.to === s.selected);
      const path = related ? paths.related : inferred.get(e.from)?.has(e.to) ? paths.inferred : paths.declared;
      path.moveTo(a.x, a.y);
      if (s.direction === 'TB') {
        const m = (b.y - a.y) / 2;
        path.bezierCurveTo(a.x, a.y + m, b.x, b.y - m, b.x, b.y);
      } else {
        const m = (b.x - a.x) / 2;
        path.bezierCurveTo(a.x + m, a.y, b.x - m, b.y, b.x, b.y);
      }
    }
    ctx.lineWidth = 1 / Math.max(vp.k, 0.25);
    ctx.globalAlpha = s.matches ? 0.25 : 0.7;
    ctx.strokeStyle = colours.edge;
    ctx.stroke(paths.declared);
    ctx.setLineDash([4 / Math.max(vp.k, 0.25), 3 / Math.max(vp.k, 0.25)]);
    ctx.stroke(paths.inferred);
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = colours.focus;
    ctx.lineWidth = 2 / Math.max(vp.k, 0.25);
    ctx.stroke(paths.related);

    const labels = vp.k >= LABEL_ZOOM;
    let drawn = 0;
    ctx.font = `13px ${getComputedStyle(ctx.canvas).fontFamily || 'sans-serif'}`;
    ctx.textBaseline = 'middle';
    if (labels) {
      for (const n of s.nodes) {
        const p = s.layout.nodes.get(n.id);
        if (!p || !visible(p)) continue;
        drawn++;
        this.drawNode(ctx, n, p, s, colours, vp.k);
      }
    } else drawn = this.drawBlocks(ctx, s, colours, vp.k, visible);
    this.drawn = drawn;
    this.drawnEdges = drawnEdges;
  }

  /** The node under a world point, if any. */
  hit(layout: LayoutResult, x: number, y: number): string | undefined {
    if (this.gridFor !== layout) this.index(layout);
    for (const id of this.grid.get(`${Math.floor(x / CELL)},${Math.floor(y / CELL)}`) ?? []) {
      const p = layout.nodes.get(id)!;
      if (Math.abs(x - p.x) <= p.width / 2 && Math.abs(y - p.y) <= p.height / 2) return id;
    }
    return undefined;
  }

  private drawNode(ctx: CanvasRenderingContext2D, n: DagNode, p: PlacedNode, s: SceneState, colours: Record<ColourName, string>, k: number): void {
    const look = nodeLook(n, s, colours);
    const x = p.x - p.width / 2;
    const y = p.y - p.height / 2;
    ctx.globalAlpha = look.dim ? 0.3 : 1;
    ctx.fillStyle = look.fill;
    ctx.fillRect(x, y, p.width, p.height);
    // A run's status is a stripe beside the label.
    if (look.status) {
      ctx.fillStyle = look.status;
      ctx.fillRect(x, y, 4, p.height);
    }
    ctx.strokeStyle = look.border;
    ctx.lineWidth = (look.thick ? 2 : 1) / Math.max(k, 0.25);
    ctx.strokeRect(x, y, p.width, p.height);
    ctx.fillStyle = colours.foreground;
    ctx.fillText(fit(n.id, p.width - 20), x + 12, p.y);
    ctx.globalAlpha = 1;
  }

  /**
   * Zoomed out, nodes are blocks without text: the same look as drawNode's, but every
   * block of one look goes into one path, filled or stroked once (a few calls instead of
   * several per node). Returns how many were drawn.
   */
  private drawBlocks(ctx: CanvasRenderingContext2D, s: SceneState, colours: Record<ColourName, string>, k: number, visible: (p: PlacedNode) => boolean): number {
    const fills = new Map<string, { colour: string; dim: boolean; path: Path2D }>();
    const borders = new Map<string, { colour: string; dim: boolean; thick: boolean; path: Path2D }>();
    let drawn = 0;
    for (const n of s.nodes) {
      const p = s.layout.nodes.get(n.id);
      if (!p || !visible(p)) continue;
      drawn++;
      const x = p.x - p.width / 2;
      const y = p.y - p.height / 2;
      const { dim, fill: nodeFill, status, border, thick } = nodeLook(n, s, colours);
      // A run's status fills the whole block.
      const fill = status ?? nodeFill;
      const fillKey = `${dim ? 'd' : ''}${fill}`;
      let f = fills.get(fillKey);
      if (!f) fills.set(fillKey, (f = { colour: fill, dim, path: new Path2D() }));
      f.path.rect(x, y, p.width, p.height);
      const borderKey = `${dim ? 'd' : ''}${thick ? 't' : ''}${border}`;
      let b = borders.get(borderKey);
      if (!b) borders.set(borderKey, (b = { colour: border, dim, thick, path: new Path2D() }));
      b.path.rect(x, y, p.width, p.height);
    }
    for (const f of fills.values()) {
      ctx.globalAlpha = f.dim ? 0.3 : 1;
      ctx.fillStyle = f.colour;
      ctx.fill(f.path);
    }
    // Thick borders (selection, problems) last, over their neighbours' thin ones.
    for (const b of [...borders.values()].sort((a, c) => Number(a.thick) - Number(c.thick))) {
      ctx.globalAlpha = b.dim ? 0.3 : 1;
      ctx.strokeStyle = b.colour;
      ctx.lineWidth = (b.thick ? 2 : 1) / Math.max(k, 0.25);
      ctx.stroke(b.path);
    }
    ctx.globalAlpha = 1;
    return drawn;
  }

  private index(layout: LayoutResult): void {
    this.grid.clear();
    for (const [id, p] of layout.nodes) {
      const x0 = Math.floor((p.x - p.width / 2) / CELL);
      const x1 = Math.floor((p.x + p.width / 2) / CELL);
      const y0 = Math.floor((p.y - p.height / 2) / CELL);
      const y1 = Math.floor((p.y + p.height / 2) / CELL);
      for (let gx = x0; gx <= x1; gx++) {
        for (let gy = y0; gy <= y1; gy++) {
          const key = `${gx},${gy}`;
          const list = this.grid.get(key);
          if (list) list.push(id);
          else this.grid.set(key, [id]);
        }
      }
    }
    this.gridFor = layout;
  }
}

/** How a node is drawn, with or without its label: the same rules for drawNode and drawBlocks. */
function nodeLook(n: DagNode, s: SceneState, colours: Record<ColourName, string>): { dim: boolean; fill: string; status: string | undefined; border: string; thick: boolean } {
  const run: TaskRun | undefined = s.runs.get(n.id);
  const c = n.diagnostics.length === 0 ? undefined : diagnosticCounts(n);
  const selected = n.id === s.selected;
  return {
    dim: s.matches !== null && !s.matches.has(n.id),
    fill: s.matches?.has(n.id) ? colours.match : colours.nodeFill,
    status: run ? colours[run.status] : undefined,
    border: selected ? colours.focus : c?.errors ? colours.error : c?.warnings ? colours.warning : colours.nodeBorder,
    thick: selected || !!c?.errors || !!c?.warnings,
  };
}
