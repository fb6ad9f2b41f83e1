import type { Range } from './text/range';

export type Severity = 'error' | 'warning' | 'info';

/** Every diagnostic code the validators emit; stable, each with a row in the diagnostics table of docs/pipeline-format.md or docs/feature-catalog.md (test/core/documented-codes.test.ts checks it). */
export const PIPELINE_CODES = [
  'yaml-syntax',
  'duplicate-key',
  'schema',
  'invalid-id',
  'unknown-need',
  'self-need',
  'cycle',
  'duplicate-output',
  'undefined-reference',
  'invalid-cron',
  'invalid-timezone',
  'invalid-quantity',
  'invalid-duration',
  'invalid-image',
  'param-type',
  'unsafe-path',
  'unknown-feature',
  'model-path-not-output',
  'nul-character',
  'slurm-arg',
  'missing-input',
  'unused-param',
  'suspicious-quantity',
  'unpinned-image',
  'workdir-outside',
  'string-param-in-run',
  'unused-setting',
  'redundant-need',
] as const;

export const FEATURE_CODES = [
  'yaml-syntax',
  'duplicate-key',
  'schema',
  'invalid-id',
  'unknown-entity',
  'unknown-source',
  'invalid-ttl',
  'invalid-feature-type',
  'duplicate-feature-view',
  'missing-transformation',
  'missing-source-path',
  'unreadable-file',
] as const;

/**
 * What would not survive an export to another engine (`mlops export`, and the editor when
 * `mlops.export.target` names one); documented in docs/argo.md.
 */
export const EXPORT_CODES = ['export-no-image', 'export-local-path', 'export-host-env', 'export-unset-env', 'export-id-clash', 'export-unsupported', 'export-lossy'] as const;

export type DiagnosticCode = (typeof PIPELINE_CODES)[number] | (typeof FEATURE_CODES)[number] | (typeof EXPORT_CODES)[number];

/** Data a quick fix needs, attached by the rule that found the problem. */
export type FixData =
  | { kind: 'replace'; title: string; newText: string; range?: Range }
  | { kind: 'remove-need' }
  | { kind: 'add-need'; task: string; need: string }
  | { kind: 'create-task'; id: string }
  /** Read a string param from its environment variable instead of pasting it into `run`. */
  | { kind: 'env-param'; param: string };

/** One finding in one document. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  range: Range;
  /** Suggested edits, in order of preference. */
  fixes?: FixData[];
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code) || a.message.localeCompare(b.message);
}
