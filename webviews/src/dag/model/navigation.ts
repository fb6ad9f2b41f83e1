import type { PlacedNode } from '../layout/types';

export type Arrow = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight';

/**
 * The node an arrow key moves to: the nearest one whose centre lies in that direction,
 * favouring nodes straight ahead over those off to the side. Spatial, so it works the same
 * for top-down and left-right drawings and across disconnected parts of the graph.
 */
export function neighbourInDirection(nodes: ReadonlyMap<string, PlacedNode>, from: string, arrow: Arrow): string | undefined {
  const a = nodes.get(from);
  if (!a) return undefined;
  const [ux, uy] = arrow === 'ArrowUp' ? [0, -1] : arrow === 'ArrowDown' ? [0, 1] : arrow === 'ArrowLeft' ? [-1, 0] : [1, 0];
  let best: string | undefined;
  let bestScore = Infinity;
  for (const [id, b] of nodes) {
    if (id === from) continue;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const ahead = dx * ux + dy * uy;
    if (ahead <= 1) continue;
    const side = Math.abs(dx * uy - dy * ux);
    // Within a 45° cone first; sideways distance counts double so rows and columns win.
    const score = (side > ahead ? 1e6 : 0) + ahead + 2 * side;
    if (score < bestScore) {
      bestScore = score;
      best = id;
    }
  }
  return best;
}
