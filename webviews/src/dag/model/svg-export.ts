/**
 * A standalone SVG of the current drawing for docs and reviews: concrete colours of the
 * current theme (CSS variables do not exist outside VS Code), no codicon glyphs (the font
 * is not embedded), run status as a coloured bar and text.
 */
import type { DagEdge, DagNode } from '../../../../core/src/browser';
import type { Direction, LayoutResult } from '../layout/types';
import { edgePath } from './geometry';
import { diagnosticCounts, fit, subtitle, type ColourName } from './presentation';
import type { TaskRun } from './run-overlay';

export interface ExportInput {
  title: string;
  nodes: readonly DagNode[];
  edges: readonly DagEdge[];
  layout: LayoutResult;
  runs: ReadonlyMap<string, TaskRun>;
  now: number;
  direction: Direction;
  colours: Record<ColourName, string>;
  fontFamily: string;
}

export function exportSvg(x: ExportInput): string {
  const c = x.colours;
  const kinds = new Map(x.edges.map((e) => [`${e.from}\u0000${e.to}`, e.kind]));
  const out: string[] = [];
  const w = Math.ceil(x.layout.width);
  const h = Math.ceil(x.layout.height);
  out.push(
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="${esc(x.fontFamily)}">`,
    `<title>${esc(x.title)}</title>`,
    `<style>.e{fill:none;stroke:${c.edge};stroke-width:1.4;stroke-linecap:round;stroke-linejoin:round}.i{stroke-dasharray:5 4;stroke:${c.description}}` +
      `.b{fill:${c.nodeFill};stroke:${c.nodeBorder}}.l{fill:${c.foreground};font-size:13px;font-weight:600}.s{fill:${c.description};font-size:11.5px}</style>`,
    `<rect width="100%" height="100%" fill="${c.background}"/>`,
    '<g>',
  );
  for (const e of x.layout.edges) {
    const inferred = kinds.get(`${e.from}\u0000${e.to}`) === 'inferred';
    out.push(`<path class="e${inferred ? ' i' : ''}" d="${edgePath(e.points, x.direction)}"/>`);
  }
  out.push('</g><g>');
  for (const n of x.nodes) {
    const p = x.layout.nodes.get(n.id);
    if (!p) continue;
    const run = x.runs.get(n.id);
    const d = diagnosticCounts(n);
    const stroke = d.errors ? c.error : d.warnings ? c.warning : run?.status === 'failed' ? c.failed : undefined;
    const left = p.x - p.width / 2;
    const top = p.y - p.height / 2;
    out.push(
      `<g transform="translate(${r(left)},${r(top)})"><title>${esc(n.id)}</title>`,
      `<rect class="b" width="${p.width}" height="${p.height}" rx="5"${stroke ? ` style="stroke:${stroke};stroke-width:1.5"` : ''}/>`,
      run ? `<rect x="0.5" y="0.5" width="4" height="${p.height - 1}" rx="2" fill="${c[run.status]}"/>` : '',
      `<text class="l" x="14" y="18">${esc(fit(n.id, p.width - 24))}</text>`,
      `<text class="s" x="14" y="34">${esc(fit(subtitle(n, run, x.now), p.width - 24, 6.4))}</text>`,
      '</g>',
    );
  }
  out.push('</g></svg>');
  return out.filter(Boolean).join('\n');
}

function r(n: number): number {
  return Math.round(n * 10) / 10;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
