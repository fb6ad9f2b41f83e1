import type { DiagnosticCode, FixData, Severity } from '../diagnostics';
import type { Span } from '../text/range';

/** A finding before it is placed on lines and columns. */
export interface Problem {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  span: Span;
  fixes?: FixData[];
}

/**
 * A file's text, or why it was not read: `why` is a clause that follows the file's name,
 * e.g. "is a FIFO, not a regular file"; `missing` tells a file that is not there from one
 * that is refused (too large, not a regular file, resolving outside the workspace).
 */
export type FileText = { ok: true; text: string } | { ok: false; missing: boolean; why: string };

/** What rules may ask of the file system; core itself never touches it. Paths are absolute, POSIX. */
export interface FileHost {
  exists(path: string): boolean;
  /** The text of a file, read within the host's limits. */
  readText(path: string): FileText;
}

/** Collects problems; one per rule run. */
export class Problems {
  readonly list: Problem[] = [];

  error(code: DiagnosticCode, span: Span, message: string, fixes?: FixData[]): void {
    this.add('error', code, span, message, fixes);
  }

  warning(code: DiagnosticCode, span: Span, message: string, fixes?: FixData[]): void {
    this.add('warning', code, span, message, fixes);
  }

  info(code: DiagnosticCode, span: Span, message: string, fixes?: FixData[]): void {
    this.add('info', code, span, message, fixes);
  }

  private add(severity: Severity, code: DiagnosticCode, span: Span, message: string, fixes?: FixData[]): void {
    this.list.push(fixes && fixes.length > 0 ? { code, severity, message, span, fixes } : { code, severity, message, span });
  }
}
