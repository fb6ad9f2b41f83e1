/** How a task looks, in one place for the SVG view, the canvas view and the export. */
import type { DagNode } from '../../../../core/src/browser';
import { elapsed, formatDuration, ranFor, type TaskRun, type TaskStatus } from './run-overlay';

/** Codicon code points (from @vscode/codicons' codicon.csv) for glyphs drawn inside SVG/canvas. */
export const GLYPH = {
  pending: '\uEB7C', // watch
  running: '\uEA77', // sync
  succeeded: '\uEBA4', // pass
  failed: '\uEA87', // error
  cached: '\uEACE', // database
  cancelled: '\uEABD', // circle-slash
  skipped: '\uEAD6', // debug-step-over
  interrupted: '\uEAD1', // debug-pause
  task: '\uEA85', // terminal
  docker: '\uEB29', // package
  model: '\uEA79', // beaker
  error: '\uEA87',
  warning: '\uEA6C',
} as const;

/** The words a screen reader and the header use for each status. */
export const STATUS_LABEL: Record<TaskStatus, string> = {
  pending: 'pending',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cached: 'cached',
  cancelled: 'cancelled',
  skipped: 'skipped',
  interrupted: 'interrupted',
};

/**
 * Theme colours as `--vscode-*` variables with the Dark Modern values as fallbacks. The
 * canvas and the export read them through getComputedStyle; CSS uses the same names.
 */
export const COLOURS = {
  background: ['--vscode-editor-background', '#1f1f1f'],
  foreground: ['--vscode-editor-foreground', '#cccccc'],
  description: ['--vscode-descriptionForeground', '#9d9d9d'],
  nodeFill: ['--vscode-editorWidget-background', '#202020'],
  nodeBorder: ['--vscode-editorWidget-border', '#454545'],
  edge: ['--vscode-editorLineNumber-foreground', '#6e7681'],
  focus: ['--vscode-focusBorder', '#0078d4'],
  match: ['--vscode-editor-findMatchHighlightBackground', 'rgba(234, 92, 0, 0.33)'],
  matchBorder: ['--vscode-editor-findMatchBorder', '#ea5c00'],
  error: ['--vscode-editorError-foreground', '#f14c4c'],
  warning: ['--vscode-editorWarning-foreground', '#cca700'],
  pending: ['--vscode-testing-iconQueued', '#cca700'],
  running: ['--vscode-progressBar-background', '#0078d4'],
  succeeded: ['--vscode-testing-iconPassed', '#73c991'],
  failed: ['--vscode-testing-iconFailed', '#f14c4c'],
  cached: ['--vscode-charts-blue', '#3794ff'],
  cancelled: ['--vscode-disabledForeground', '#8c8c8c'],
  skipped: ['--vscode-testing-iconSkipped', '#848484'],
  interrupted: ['--vscode-testing-iconErrored', '#f14c4c'],
} as const satisfies Record<string, readonly [string, string]>;

export type ColourName = keyof typeof COLOURS;

export function cssVar(name: ColourName): string {
  const [v, fallback] = COLOURS[name];
  return `var(${v}, ${fallback})`;
}

/** Resolved colours for drawing code that cannot use CSS variables. */
export function resolveColours(el: Element): Record<ColourName, string> {
  const style = getComputedStyle(el);
  const out = {} as Record<ColourName, string>;
  for (const [name, [v, fallback]] of Object.entries(COLOURS) as [ColourName, readonly [string, string]][]) {
    out[name] = style.getPropertyValue(v).trim() || fallback;
  }
  return out;
}

export interface DiagnosticCounts {
  errors: number;
  warnings: number;
  infos: number;
}

export function diagnosticCounts(n: DagNode): DiagnosticCounts {
  const c = { errors: 0, warnings: 0, infos: 0 };
  for (const d of n.diagnostics) {
    if (d.severity === 'error') c.errors++;
    else if (d.severity === 'warning') c.warnings++;
    else c.infos++;
  }
  return c;
}

/** Cuts text to fit `px` pixels at the node font, with an ellipsis. */
export function fit(text: string, px: number, charPx = 7.2): string {
  const max = Math.max(1, Math.floor(px / charPx));
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** The second line of a node: run state when there is one, else what kind of task it is. */
export function subtitle(n: DagNode, run: TaskRun | undefined, now: number): string {
  if (run) {
    const ms = ranFor(run, now);
    return ms === undefined ? STATUS_LABEL[run.status] : `${STATUS_LABEL[run.status]} · ${formatDuration(ms)}`;
  }
  const d = n.details;
  if (d?.model) return `registers ${d.model}`;
  if (d?.executor === 'docker') return d.image ? `docker · ${d.image}` : 'docker';
  return n.description ?? firstWord(n.run) ?? '';
}

export function nodeIcon(n: DagNode, run: TaskRun | undefined): string {
  if (run) return GLYPH[run.status];
  if (n.details?.model) return GLYPH.model;
  if (n.details?.executor === 'docker') return GLYPH.docker;
  return GLYPH.task;
}

/** What a screen reader says for a node. */
export function accessibleName(n: DagNode, run: TaskRun | undefined, now: number): string {
  const parts = [`Task ${n.id}`];
  if (run) {
    const ms = elapsed(run, now);
    parts.push(ms === undefined ? STATUS_LABEL[run.status] : `${STATUS_LABEL[run.status]} in ${formatDuration(ms)}`);
  }
  const c = diagnosticCounts(n);
  if (c.errors) parts.push(`${c.errors} error${c.errors === 1 ? '' : 's'}`);
  if (c.warnings) parts.push(`${c.warnings} warning${c.warnings === 1 ? '' : 's'}`);
  return parts.join(', ');
}

function firstWord(run: string | undefined): string | undefined {
  const s = run?.trim().split(/\s+/).slice(0, 2).join(' ');
  return s || undefined;
}
