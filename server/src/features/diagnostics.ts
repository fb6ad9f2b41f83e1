import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Analysis, Diagnostic, StatusParams } from '../../../core/src/index';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** A core diagnostic as LSP publishes it; the code is the stable rule code. */
export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: 'mlops', message: d.message };
}

/** The status-bar summary of an analysed document (counting `diagnostics`: export checks included when on). */
export function statusOf(uri: string, a: Analysis, diagnostics: readonly Diagnostic[] = a.diagnostics): StatusParams {
  const count = (s: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === s).length;
  const status: StatusParams = {
    uri,
    kind: a.kind,
    count: a.kind === 'pipeline' ? (a.pipeline?.tasks.size ?? 0) : (a.catalog?.views.size ?? 0),
    errors: count('error'),
    warnings: count('warning'),
    infos: count('info'),
  };
  const name = a.kind === 'pipeline' ? a.pipeline?.name?.value : a.catalog?.project;
  if (name !== undefined) status.name = name;
  return status;
}
