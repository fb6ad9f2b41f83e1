/** Drawing maths shared by the SVG view, the canvas view and the SVG export. */
import type { Direction, LayoutResult, Point } from '../layout/types';

/** Screen = world × k + (x, y). */
export interface Viewport {
  x: number;
  y: number;
  k: number;
}

export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 4;

export function clampZoom(k: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));
}

/** The viewport that shows the whole drawing in a `w`×`h` box, never magnified past 1. */
export function fitViewport(layout: Pick<LayoutResult, 'width' | 'height'>, w: number, h: number): Viewport {
  if (layout.width <= 0 || layout.height <= 0 || w <= 0 || h <= 0) return { x: 0, y: 0, k: 1 };
  const k = clampZoom(Math.min(1, (w - 16) / layout.width, (h - 16) / layout.height));
  return { k, x: (w - layout.width * k) / 2, y: (h - layout.height * k) / 2 };
}

/** Zooms by `factor` keeping the world point under screen point (`sx`, `sy`) still. */
export function zoomAt(v: Viewport, factor: number, sx: number, sy: number): Viewport {
  const k = clampZoom(v.k * factor);
  const f = k / v.k;
  return { k, x: sx - (sx - v.x) * f, y: sy - (sy - v.y) * f };
}

/** The viewport that puts world point `p` in the middle of a `w`×`h` box at the same zoom. */
export function centreOn(v: Viewport, p: Point, w: number, h: number): Viewport {
  return { k: v.k, x: w / 2 - p.x * v.k, y: h / 2 - p.y * v.k };
}

/** The world rectangle a viewport shows in a `w`×`h` box. */
export function visibleWorld(v: Viewport, w: number, h: number): { x0: number; y0: number; x1: number; y1: number } {
  return { x0: -v.x / v.k, y0: -v.y / v.k, x1: (w - v.x) / v.k, y1: (h - v.y) / v.k };
}

const ARROW = 7;

/**
 * An edge as one SVG path: a smooth curve through the layout's points and an open
 * chevron at the target, so a single stroked path needs no markers (markers do not
 * resolve reliably inside shadow roots, and an export must stand alone).
 */
export function edgePath(points: readonly Point[], direction: Direction): string {
  if (points.length < 2) return '';
  const r = (n: number) => Math.round(n * 10) / 10;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  let d = `M${r(first.x)},${r(first.y)}`;
  if (points.length === 2) {
    // Leave and enter along the flow, like the layers themselves.
    const mid = direction === 'TB' ? (last.y - first.y) / 2 : (last.x - first.x) / 2;
    d +=
      direction === 'TB'
        ? ` C${r(first.x)},${r(first.y + mid)} ${r(last.x)},${r(last.y - mid)} ${r(last.x)},${r(last.y)}`
        : ` C${r(first.x + mid)},${r(first.y)} ${r(last.x - mid)},${r(last.y)} ${r(last.x)},${r(last.y)}`;
  } else {
    // Through the bend points with rounded corners.
    for (let i = 1; i < points.length - 1; i++) {
      const p = points[i]!;
      const prev = points[i - 1]!;
      const next = points[i + 1]!;
      const a = towards(p, prev, 10);
      const b = towards(p, next, 10);
      d += ` L${r(a.x)},${r(a.y)} Q${r(p.x)},${r(p.y)} ${r(b.x)},${r(b.y)}`;
    }
    d += ` L${r(last.x)},${r(last.y)}`;
  }
  const before = points.length === 2 ? (direction === 'TB' ? { x: last.x, y: last.y - 1 } : { x: last.x - 1, y: last.y }) : points[points.length - 2]!;
  const [l, rr] = chevron(before, last);
  d += ` M${r(l.x)},${r(l.y)} L${r(last.x)},${r(last.y)} L${r(rr.x)},${r(rr.y)}`;
  return d;
}

/** The two outer points of an arrowhead at `tip` pointing away from `from`. */
export function chevron(from: Point, tip: Point): [Point, Point] {
  const dx = tip.x - from.x;
  const dy = tip.y - from.y;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  return [
    { x: tip.x - ux * ARROW - uy * ARROW * 0.6, y: tip.y - uy * ARROW + ux * ARROW * 0.6 },
    { x: tip.x - ux * ARROW + uy * ARROW * 0.6, y: tip.y - uy * ARROW - ux * ARROW * 0.6 },
  ];
}

function towards(p: Point, q: Point, dist: number): Point {
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const len = Math.hypot(dx, dy);
  if (len === 0) return p;
  const t = Math.min(dist, len / 2) / len;
  return { x: p.x + dx * t, y: p.y + dy * t };
}
