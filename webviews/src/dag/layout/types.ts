/** What a layout engine needs: boxes, edges between them and the flow direction. */
export type Direction = 'TB' | 'LR';

export interface LayoutNodeInput {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdgeInput {
  from: string;
  to: string;
}

export interface LayoutInput {
  nodes: LayoutNodeInput[];
  edges: LayoutEdgeInput[];
  direction: Direction;
}

export interface Point {
  x: number;
  y: number;
}

/** A placed node: `x`, `y` are its centre. */
export interface PlacedNode extends Point {
  width: number;
  height: number;
}

/** Where everything went; edge `points` run from the source's border to the target's. */
export interface LayoutResult {
  nodes: Map<string, PlacedNode>;
  edges: { from: string; to: string; points: Point[] }[];
  width: number;
  height: number;
  /** Which engine produced it, for diagnostics and tests. */
  engine: 'elk' | 'layered';
}

/** Gaps between layers and between neighbours in a layer, shared by both engines. */
export const SPACING = { rank: 56, node: 28, margin: 24 } as const;
