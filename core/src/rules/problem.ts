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

/** What rules may ask of the file system; core itself never touches it. Paths are absolute, POSIX. */
export interface FileHost {
  exists(path: string): boolean;
  /** The text of a file, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
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
