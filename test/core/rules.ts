import assert from 'node:assert/strict';
import type { Diagnostic, DiagnosticCode, Range, Severity } from '../../core/src/index';
import { assertDiagnostics, documentedCodes, featureDiagnostics, pipelineDiagnostics } from './helpers';

/**
 * What the rule tests share: they run a document's rules while recording which codes came
 * out, so each file can check that it has a test for every code it owns, and they assert
 * findings rule by rule.
 */

/** The pipeline codes, by the file of test/core that covers them. */
export const PIPELINE_RULE_FAMILIES = {
  /** pipeline-rules-document.test.ts: the document as YAML and against the schema. */
  document: ['yaml-syntax', 'duplicate-key', 'schema', 'invalid-id'],
  /** pipeline-rules-references.test.ts: what tasks, params, files and features refer to. */
  references: ['unknown-need', 'self-need', 'cycle', 'duplicate-output', 'undefined-reference', 'unknown-feature', 'model-path-not-output', 'missing-input', 'unused-param', 'redundant-need', 'string-param-in-run'],
  /** pipeline-rules-values.test.ts: single values (schedules, quantities, durations, images, params, paths). */
  values: ['invalid-cron', 'invalid-timezone', 'invalid-quantity', 'invalid-duration', 'invalid-image', 'param-type', 'unsafe-path', 'suspicious-quantity', 'unpinned-image', 'workdir-outside', 'nul-character'],
  /** pipeline-rules-executors.test.ts: executor settings (the slurm block's sbatch arguments, settings an executor ignores). */
  executors: ['slurm-arg', 'unused-setting'],
} as const satisfies Record<string, readonly DiagnosticCode[]>;

export interface RuleSuite {
  /** The diagnostics of one document alone in its workspace (plus `others`), recorded. */
  run(text: string, others?: Record<string, string>): Diagnostic[];
  /** Records diagnostics obtained some other way; returns them. */
  seen(diags: Diagnostic[]): Diagnostic[];
  /** Registers the file's last describe: every code in `codes` came out of some test above it. */
  describeCoverage(title: string): void;
}

/** Runs pipeline or catalog rules for one test file that owns `codes`. */
export function ruleSuite(kind: 'pipeline' | 'features', codes: readonly DiagnosticCode[]): RuleSuite {
  /** Every code that came out, with the severities it came out with. */
  const covered = new Map<string, Set<Severity>>();
  const check = kind === 'pipeline' ? pipelineDiagnostics : featureDiagnostics;
  const seen = (diags: Diagnostic[]) => {
    for (const d of diags) covered.set(d.code, (covered.get(d.code) ?? new Set()).add(d.severity));
    return diags;
  };
  const page = kind === 'pipeline' ? 'pipeline-format.md' : 'feature-catalog.md';
  return {
    run: (text, others = {}) => seen(check(text, others)),
    seen,
    describeCoverage(title) {
      // Runs last: mocha runs the describes registered before this one first.
      describe('coverage', () => {
        it(title, () =>
          assert.deepEqual(
            codes.filter((c) => !covered.has(c)),
            [],
          ),
        );
        it(`gives each of these codes the severity docs/${page} lists for it`, () => {
          const documented = documentedCodes(page);
          const wrong = codes.flatMap((c) => [...(covered.get(c) ?? [])].filter((s) => s !== documented.get(c)).map((s) => `${c}: ${s}, documented ${documented.get(c) ?? 'nowhere'}`));
          assert.deepEqual(wrong, []);
        });
      });
    },
  };
}

/** One expected finding of a rule: its range, then fragments its message must contain (or match). */
export type Finding = [range: Range, ...message: (string | RegExp)[]];

/** Asserts that `diags` are exactly the `findings` (any order), all of one `code` and `severity`. */
export function assertRule(diags: Diagnostic[], code: DiagnosticCode, severity: Severity, findings: Finding[]): void {
  assertDiagnostics(
    diags,
    findings.map(([range, ...message]) => ({ code, severity, range, message })),
  );
}
