/** Node box size from its label, estimated without measuring text (a DOM read per node is too slow at 5,000). */
export const NODE_HEIGHT = 46;
const CHAR = 7.6;

/** Room for the icon on the left and a diagnostics badge on the right, plus the label. */
export function nodeWidth(label: string): number {
  return Math.round(Math.min(300, Math.max(200, 84 + label.length * CHAR)));
}
