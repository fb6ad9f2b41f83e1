/** The SVG drawing of normal-sized graphs: one lit template per node and edge, keyed by task id. */
import { nothing, svg, type SVGTemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { DagEdge, DagNode } from '../../../../core/src/browser';
import type { Direction, LayoutResult } from '../layout/types';
import { edgePath } from '../model/geometry';
import { accessibleName, diagnosticCounts, fit, GLYPH, nodeIcon, subtitle } from '../model/presentation';
import type { TaskRun } from '../model/run-overlay';

export interface SceneState {
  nodes: readonly DagNode[];
  edges: readonly DagEdge[];
  layout: LayoutResult;
  runs: ReadonlyMap<string, TaskRun>;
  now: number;
  selected: string | null;
  /** Null when no search is active; otherwise the matching ids (possibly none). */
  matches: ReadonlySet<string> | null;
  direction: Direction;
  /** The node that takes Tab focus (roving tabindex). */
  focusId: string | null;
  /** False when zoomed out so far that text would be unreadable: boxes only. */
  detail: boolean;
  /** Only what intersects this world rectangle is drawn (large graphs); everything when absent. */
  cull?: Rect;
}

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function edgeKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

export function renderEdges(s: SceneState): SVGTemplateResult {
  const kinds = new Map(s.edges.map((e) => [edgeKey(e.from, e.to), e]));
  if (!s.detail) return renderEdgeBatches(s, kinds);
  return svg`${repeat(
    s.layout.edges,
    (e) => edgeKey(e.from, e.to),
    (e) => {
      const edge = kinds.get(edgeKey(e.from, e.to));
      // Edges of a layout still being replaced may name tasks that are gone.
      if (!edge || (s.cull && !edgeVisible(e.points, s.cull))) return nothing;
      const kind = edge.kind;
      const related = s.selected !== null && (e.from === s.selected || e.to === s.selected);
      const dimmed = s.matches !== null && !s.matches.has(e.from) && !s.matches.has(e.to);
      const cls = `edge ${kind}${related ? ' related' : ''}${dimmed ? ' dimmed' : ''}`;
      const d = edgePath(e.points, s.direction);
      if (!s.detail) return svg`<path class=${cls} data-from=${e.from} data-to=${e.to} d=${d}></path>`;
      const title = `${e.from} → ${e.to}${kind === 'inferred' ? ` (inferred${edge.reason ? `: ${edge.reason}` : ''})` : ''}`;
      return svg`<path class=${cls} data-from=${e.from} data-to=${e.to} d=${d}><title>${title}</title></path>`;
    },
  )}`;
}

/**
 * Zoomed out (no text), an edge has no tooltip and nothing tells it from another of its
 * kind and state, so each kind-and-state is one path of many segments: a large graph costs a
 * few elements instead of thousands. `data-edges` says how many edges a path draws.
 */
function renderEdgeBatches(s: SceneState, kinds: ReadonlyMap<string, DagEdge>): SVGTemplateResult {
  const batches = new Map<string, { d: string[] }>();
  for (const e of s.layout.edges) {
    const edge = kinds.get(edgeKey(e.from, e.to));
    if (!edge || (s.cull && !edgeVisible(e.points, s.cull))) continue;
    const related = s.selected !== null && (e.from === s.selected || e.to === s.selected);
    const dimmed = s.matches !== null && !s.matches.has(e.from) && !s.matches.has(e.to);
    const cls = `edge ${edge.kind}${related ? ' related' : ''}${dimmed ? ' dimmed' : ''}`;
    let b = batches.get(cls);
    if (!b) batches.set(cls, (b = { d: [] }));
    b.d.push(edgePath(e.points, s.direction));
  }
  // Related edges last, so they are drawn over the others (as in the one-element-per-edge drawing, where they come in layout order).
  const order = [...batches.keys()].sort((a, b) => Number(a.includes(' related')) - Number(b.includes(' related')) || (a < b ? -1 : a > b ? 1 : 0));
  return svg`${repeat(
    order,
    (cls) => cls,
    (cls) => {
      const b = batches.get(cls)!;
      return svg`<path class=${`${cls} batch`} data-edges=${b.d.length} d=${b.d.join('')}></path>`;
    },
  )}`;
}

export function renderNodes(s: SceneState): SVGTemplateResult {
  return svg`${repeat(
    s.nodes,
    (n) => n.id,
    (n) => renderNode(n, s),
  )}`;
}

function renderNode(n: DagNode, s: SceneState): SVGTemplateResult | typeof nothing {
  const p = s.layout.nodes.get(n.id);
  if (!p) return nothing;
  if (s.cull && (p.x + p.width / 2 < s.cull.x0 || p.x - p.width / 2 > s.cull.x1 || p.y + p.height / 2 < s.cull.y0 || p.y - p.height / 2 > s.cull.y1)) return nothing;
  const run = s.runs.get(n.id);
  const c = diagnosticCounts(n);
  const classes = ['node'];
  if (run) classes.push(`status-${run.status}`);
  if (c.errors) classes.push('has-error');
  else if (c.warnings) classes.push('has-warning');
  if (n.id === s.selected) classes.push('selected');
  if (s.matches?.has(n.id)) classes.push('match');
  else if (s.matches) classes.push('dimmed');
  const w = p.width;
  const h = p.height;
  if (!s.detail) {
    return svg`<g class=${classes.join(' ')} transform="translate(${p.x - w / 2},${p.y - h / 2})" data-id=${n.id}
        role="button" tabindex=${n.id === s.focusId ? 0 : -1} aria-label=${accessibleName(n, run, s.now)}
        aria-current=${n.id === s.selected ? 'true' : 'false'}>
      <rect class="box" width=${w} height=${h} rx="5"></rect><rect class="accent" x="0.5" y="0.5" width="4" height=${h - 1} rx="2"></rect>
    </g>`;
  }
  const badgeWidth = c.errors || c.warnings ? 34 : 0;
  const textWidth = w - 40 - badgeWidth;
  return svg`<g class=${classes.join(' ')} transform="translate(${p.x - w / 2},${p.y - h / 2})" data-id=${n.id}
      role="button" tabindex=${n.id === s.focusId ? 0 : -1} aria-label=${accessibleName(n, run, s.now)}
      aria-current=${n.id === s.selected ? 'true' : 'false'}>
    <rect class="box" width=${w} height=${h} rx="5"></rect>
    <rect class="accent" x="0.5" y="0.5" width="4" height=${h - 1} rx="2"></rect>
    <text class="icon glyph" x="19" y=${h / 2} text-anchor="middle" dominant-baseline="central">${nodeIcon(n, run)}</text>
    <text class="label" x="32" y="19">${fit(n.id, textWidth)}</text>
    <text class="sub" x="32" y="35">${fit(subtitle(n, run, s.now), textWidth, 6.4)}</text>
    ${badgeWidth ? renderBadge(c.errors ? 'error' : 'warning', c.errors || c.warnings, w) : nothing}
  </g>`;
}

function renderBadge(kind: 'error' | 'warning', count: number, w: number): SVGTemplateResult {
  return svg`<text class="badge ${kind}" x=${w - 8} y="17" text-anchor="end"><tspan class="glyph">${kind === 'error' ? GLYPH.error : GLYPH.warning}</tspan><tspan dx="2">${count}</tspan></text>`;
}

function edgeVisible(points: readonly { x: number; y: number }[], r: Rect): boolean {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    if (p.x < x0) x0 = p.x;
    if (p.x > x1) x1 = p.x;
    if (p.y < y0) y0 = p.y;
    if (p.y > y1) y1 = p.y;
  }
  return x1 >= r.x0 && x0 <= r.x1 && y1 >= r.y0 && y0 <= r.y1;
}
