import { CodeActionKind, type CodeAction, type Range } from 'vscode-languageserver';
import { quickFixes, type Analysis } from '../../../core/src/index';
import { toLspDiagnostic } from './diagnostics';

function overlaps(a: Range, b: Range): boolean {
  const before = (x: Range['start'], y: Range['start']) => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** Quick fixes for every diagnostic of the document that touches `range`. */
export function codeActions(a: Analysis, uri: string, range: Range, only?: string[]): CodeAction[] {
  if (only && !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${k}.`) || k === CodeActionKind.Empty)) return [];
  const out: CodeAction[] = [];
  const lines = a.parsed.lines;
  for (const d of a.diagnostics) {
    if (!overlaps(d.range, range)) continue;
    for (const fix of quickFixes(a, d)) {
      const edits = fix.edits.map((e) => ({ range: lines.range(e.span), newText: e.newText }));
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [toLspDiagnostic(d)],
        isPreferred: fix.preferred,
        edit: { changes: { [uri]: edits } },
      });
    }
  }
  return out;
}
