/**
 * Values pasted into shell commands. `${{ params.X }}` in `run` is substituted before the
 * shell parses the command, so a value holding `"; rm -rf ~` would become code — the script
 * injection GitHub documents for Actions. Values that come from outside the file (string
 * params) are therefore quoted for the place they stand in: an unquoted word, "double" or
 * 'single' quotes, $'ANSI' quotes, a here-document, a comment. Where no quoting can be
 * trusted (inside backquotes, or after a construct this scanner does not follow) a value
 * with shell characters is refused rather than guessed at. The local executor runs bash,
 * the docker executor `sh -c`; exports reuse the same functions.
 */
import { REFERENCE_PATTERN } from './interpolation';

/** Where a `${{ }}` stands in a command, as far as quoting is concerned. */
export type ShellContext =
  /** An unquoted word, also inside `$( )`. */
  | 'plain'
  | 'double'
  | 'single'
  /** bash's `$'…'`. */
  | 'ansi'
  /** After `#`, up to the end of the line. */
  | 'comment'
  /** The body of a here-document whose delimiter is unquoted (expansions happen). */
  | 'heredoc'
  /** The body of a here-document whose delimiter is quoted (taken literally). */
  | 'literal-heredoc'
  /** Inside backquotes, where quotes and backslashes are read twice. */
  | 'backtick'
  /** After `case … in` inside `$( )`, whose `)` the scanner cannot tell from the closing one. */
  | 'unknown'
  /** After a here-document whose end marker is not a plain or simply quoted word. */
  | 'heredoc-unknown'
  /** After `$'` under sh: dash reads `$` and `'…'`, busybox ash an escaped string as bash does. */
  | 'sh-ansi';

export type ShellDialect = 'bash' | 'sh';

const REF_AT = new RegExp(REFERENCE_PATTERN.source, 'y');
const REFS = new RegExp(REFERENCE_PATTERN.source, 'g');

/** Characters that mean nothing to a shell in any context: such a value is pasted as it is. */
const INERT = /^[A-Za-z0-9_./,:@%+=-]+$/;

/** True when a value means the same to a shell wherever it stands, so it needs no quoting. */
export function inertForShell(value: string): boolean {
  return INERT.test(value);
}

interface Frame {
  kind: 'top' | 'subst' | 'double' | 'backtick';
  /** Open parentheses inside a `$( )`, so that its own `)` is found. */
  parens: number;
}

interface Heredoc {
  delimiter: string;
  literal: boolean;
  /** `<<-`: leading tabs are stripped from body lines and the delimiter line. */
  tabs: boolean;
}

/**
 * The context of each `${{ }}` of `command`, in order of appearance. The rules, the export's
 * checks and its mapping each ask for every task's command; the answer is remembered (a
 * shared, read-only list) for the commands seen last.
 */
export function referenceContexts(command: string, dialect: ShellDialect = 'bash'): readonly ShellContext[] {
  const known = CONTEXTS[dialect];
  let contexts = known.get(command);
  if (contexts === undefined) {
    contexts = scanContexts(command, dialect);
    if (known.size >= MAX_REMEMBERED) known.clear();
    known.set(command, contexts);
  }
  return contexts;
}

/** Remembered contexts by dialect and command; forgotten all at once when full (an editor's commands change as one types). */
const CONTEXTS: Record<ShellDialect, Map<string, readonly ShellContext[]>> = { bash: new Map(), sh: new Map() };
const MAX_REMEMBERED = 20_000;

function scanContexts(command: string, dialect: ShellDialect): readonly ShellContext[] {
  const out: ShellContext[] = [];
  const refAt = (i: number): number => {
    if (!command.startsWith('${{', i)) return 0;
    REF_AT.lastIndex = i;
    const m = REF_AT.exec(command);
    return m ? m[0].length : 0;
  };
  // Marks every reference in command[from, to) with `context`.
  const mark = (from: number, to: number, context: ShellContext) => {
    for (let j = from; j < to;) {
      const len = refAt(j);
      if (len > 0) {
        out.push(context);
        j += len;
      } else j++;
    }
  };
  const stack: Frame[] = [{ kind: 'top', parens: 0 }];
  const pending: Heredoc[] = [];
  /** Once set, the context of every later reference: the scanner no longer knows where it is. */
  let lost: ShellContext | null = null;
  const n = command.length;
  let i = 0;
  while (i < n) {
    const frame = stack[stack.length - 1]!;
    const len = refAt(i);
    if (len > 0) {
      out.push(lost ?? (frame.kind === 'double' ? 'double' : frame.kind === 'backtick' ? 'backtick' : 'plain'));
      i += len;
      continue;
    }
    const c = command[i]!;
    if (frame.kind === 'double') {
      if (c === '\\') i += 2;
      else if (c === '"') {
        stack.pop();
        i++;
      } else if (c === '$' && command[i + 1] === '(') {
        stack.push({ kind: 'subst', parens: 0 });
        i += 2;
      } else if (c === '`') {
        stack.push({ kind: 'backtick', parens: 0 });
        i++;
      } else i++;
      continue;
    }
    if (c === '\\') {
      i += 2;
    } else if (c === "'") {
      const end = closing(command, i + 1, false);
      mark(i + 1, end, lost ?? 'single');
      i = end + 1;
    } else if (c === '$' && command[i + 1] === "'") {
      if (dialect === 'sh') {
        // dash reads $'…' as $ and '…', busybox ash as bash does: from here on, nothing is certain.
        lost ??= 'sh-ansi';
        i++;
        continue;
      }
      const end = closing(command, i + 2, true);
      mark(i + 2, end, lost ?? 'ansi');
      i = end + 1;
    } else if (c === '"') {
      stack.push({ kind: 'double', parens: 0 });
      i++;
    } else if (c === '$' && command[i + 1] === '(') {
      stack.push({ kind: 'subst', parens: 0 });
      i += 2;
    } else if (c === '`') {
      if (frame.kind === 'backtick') stack.pop();
      else stack.push({ kind: 'backtick', parens: 0 });
      i++;
    } else if (c === '(' && frame.kind === 'subst') {
      frame.parens++;
      i++;
    } else if (c === ')' && frame.kind === 'subst') {
      if (frame.parens === 0) stack.pop();
      else frame.parens--;
      i++;
    } else if (c === '#' && wordStart(command, i)) {
      const nl = command.indexOf('\n', i);
      const end = nl === -1 ? n : nl;
      mark(i, end, lost ?? 'comment');
      i = end;
    } else if (c === '<' && command[i + 1] === '<' && command[i + 2] !== '<') {
      const h = heredocStart(command, i + 2);
      if (h) pending.push(h.heredoc);
      else lost ??= 'heredoc-unknown';
      i = h ? h.end : i + 2;
    } else if (c === '\n' && pending.length > 0) {
      i = bodies(command, i + 1, pending.splice(0), (from, to, literal) => mark(from, to, lost ?? (literal ? 'literal-heredoc' : 'heredoc')));
    } else {
      // `case WORD in PATTERN)` closes no parenthesis: inside $( ) it would end the scan's idea of where it is.
      if (frame.kind === 'subst' && command.startsWith('case', i) && wordStart(command, i) && !/[A-Za-z0-9_]/.test(command[i + 4] ?? '')) lost ??= 'unknown';
      i++;
    }
  }
  return out;
}

/** Index of the quote closing a '…' (or, with escapes, $'…') that starts at `from`; the end when unclosed. */
function closing(s: string, from: number, escapes: boolean): number {
  for (let j = from; j < s.length; j++) {
    if (escapes && s[j] === '\\') j++;
    else if (s[j] === "'") return j;
  }
  return s.length;
}

function wordStart(s: string, i: number): boolean {
  return i === 0 || /[\s;&|()<>]/.test(s[i - 1]!);
}

/** Reads the delimiter after `<<`; undefined when it is not a plain or simply quoted word. */
function heredocStart(s: string, from: number): { heredoc: Heredoc; end: number } | undefined {
  let i = from;
  const tabs = s[i] === '-';
  if (tabs) i++;
  while (s[i] === ' ' || s[i] === '\t') i++;
  const m = /^(?:'([^'\n]*)'|"([^"\n$`\\]*)"|\\?([A-Za-z0-9_.,:@%+=-]+))/.exec(s.slice(i));
  if (!m) return undefined;
  const quoted = m[1] ?? m[2];
  const literal = quoted !== undefined || m[0].startsWith('\\');
  return { heredoc: { delimiter: quoted ?? m[3]!, literal, tabs }, end: i + m[0].length };
}

/** Skips the bodies of the here-documents started on the line that ended at `from`; returns where the command goes on. */
function bodies(s: string, from: number, docs: Heredoc[], mark: (from: number, to: number, literal: boolean) => void): number {
  let i = from;
  for (const doc of docs) {
    const start = i;
    for (;;) {
      const nl = s.indexOf('\n', i);
      const end = nl === -1 ? s.length : nl;
      const line = doc.tabs ? s.slice(i, end).replace(/^\t+/, '') : s.slice(i, end);
      if (line === doc.delimiter) {
        mark(start, i, doc.literal);
        i = nl === -1 ? s.length : nl + 1;
        break;
      }
      if (nl === -1) {
        mark(start, s.length, doc.literal);
        return s.length;
      }
      i = nl + 1;
    }
  }
  return i;
}

/**
 * `value` written so that the shell reads it back exactly, as one word, in `context`;
 * undefined when that cannot be done there (then the caller must refuse).
 */
export function quoteForShell(value: string, context: ShellContext): string | undefined {
  if (INERT.test(value)) return value;
  switch (context) {
    case 'plain':
      return `'${value.replace(/'/g, `'\\''`)}'`;
    case 'double':
      return value.replace(/[$`"\\]/g, '\\$&');
    case 'single':
      return value.replace(/'/g, `'\\''`);
    case 'ansi':
      return value.replace(/[\\']/g, '\\$&');
    case 'comment':
      // Text in a comment is never run; only a line break would end the comment.
      return value.replace(/[\r\n]/g, ' ');
    case 'heredoc':
      // A line of the value could equal the delimiter and end the document early.
      return value.includes('\n') ? undefined : value.replace(/[$`\\]/g, '\\$&');
    case 'literal-heredoc':
      return value.includes('\n') ? undefined : value;
    case 'backtick':
    case 'unknown':
    case 'heredoc-unknown':
    case 'sh-ansi':
      return undefined;
    default: {
      const never: never = context;
      return never;
    }
  }
}

/** What a reference stands for: its text, and whether it comes from outside the file and must be quoted. */
export interface CommandValue {
  text: string;
  quote: boolean;
}

/** A reference whose value could not be quoted where it stands. */
export interface Unquotable {
  expr: string;
  context: ShellContext;
}

export type CommandResult = { ok: true; command: string } | { ok: false; error: Unquotable };

/**
 * Substitutes every `${{ expr }}` of a shell command; values marked `quote` are quoted for
 * their context. Unknown expressions stay as written, as `interpolate` leaves them.
 */
export function interpolateCommand(command: string, resolve: (parts: string[]) => CommandValue | undefined, dialect: ShellDialect = 'bash'): CommandResult {
  if (!command.includes('${{')) return { ok: true, command };
  let contexts: readonly ShellContext[] | undefined;
  let k = -1;
  let error: Unquotable | undefined;
  const out = command.replace(REFS, (whole, inner: string) => {
    k++;
    const expr = inner.trim();
    const v = resolve(expr.split('.').map((s) => s.trim()));
    if (v === undefined) return whole;
    if (!v.quote || INERT.test(v.text)) return v.text;
    contexts ??= referenceContexts(command, dialect);
    const context = contexts[k] ?? 'unknown';
    const quoted = quoteForShell(v.text, context);
    if (quoted === undefined) {
      error ??= { expr, context };
      return whole;
    }
    return quoted;
  });
  return error ? { ok: false, error } : { ok: true, command: out };
}

/** What `context` means, for messages: "inside backquotes". */
export function describeContext(context: ShellContext): string {
  switch (context) {
    case 'plain':
      return 'as an unquoted word';
    case 'double':
      return 'inside double quotes';
    case 'single':
      return 'inside single quotes';
    case 'ansi':
      return "inside $'…' quotes";
    case 'comment':
      return 'in a comment';
    case 'heredoc':
    case 'literal-heredoc':
      return 'in a here-document';
    case 'backtick':
      return 'inside backquotes';
    case 'unknown':
      return 'after a case statement inside $( )';
    case 'heredoc-unknown':
      return 'after a here-document whose end marker cannot be read';
    case 'sh-ansi':
      return "after $'…', which sh reads differently in dash and busybox";
  }
}

/** The environment variable a param is exported as: `lr` → `MLOPS_PARAM_LR`. */
export function paramEnvName(name: string): string {
  return `MLOPS_PARAM_${name.toUpperCase()}`;
}

/**
 * How to write "the value of param `name`" in `context` through its environment variable —
 * the quick fix for a string param pasted into a command; undefined where there is no safe
 * spelling. `next` is the character after the reference (braces keep `$X_suffix` apart).
 */
export function envReference(name: string, context: ShellContext, next: string): string | undefined {
  const v = paramEnvName(name);
  switch (context) {
    case 'plain':
    case 'backtick':
      return `"$${v}"`;
    case 'double':
      return /[A-Za-z0-9_]/.test(next) ? `\${${v}}` : `$${v}`;
    case 'single':
      return `'"$${v}"'`;
    case 'ansi':
      return `'"$${v}"$'`;
    case 'heredoc':
      return `\${${v}}`;
    case 'comment':
    case 'literal-heredoc':
    case 'unknown':
    case 'heredoc-unknown':
    case 'sh-ansi':
      return undefined;
  }
}
