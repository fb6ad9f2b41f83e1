/**
 * A `setup.py`, read as text and never run: the literal `install_requires`, `python_requires`
 * and `extras_require` most projects write, and the common `install_requires=<name>` where
 * `<name>` is a list literal above or the lines of a requirements file the script opens.
 */
import { parseRequirement, type Requirement } from './requirements';

/** What a static reading of setup.py found. */
export interface SetupPy {
  requirements: Requirement[];
  /** Extras by name. */
  extras: Record<string, Requirement[]>;
  python?: string;
  /** 1-based line of `python_requires`. */
  pythonLine?: number;
  /** A requirements file setup.py reads its dependencies from, project-relative. */
  readsFile?: string;
  /** 1-based line of the `install_requires` keyword, when present. */
  installLine?: number;
  /** Why part of the file could not be read statically, in one sentence. */
  problems: string[];
}

/** The offset just past the bracket that closes the one at `open` (strings skipped); -1 when unbalanced. */
function closing(text: string, open: number): number {
  const pairs: Record<string, string> = { '[': ']', '(': ')', '{': '}' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const end = triple ? text.indexOf(c.repeat(3), i + 3) : text.indexOf(c, i + 1);
      if (end === -1) return -1;
      i = end + (triple ? 2 : 0);
    } else if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
    } else if (pairs[c]) stack.push(pairs[c]);
    else if (c === ']' || c === ')' || c === '}') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/** The string literals of a list literal `[ "a>=1", 'b' ]`, or undefined when it holds anything else. */
function stringList(src: string): string[] | undefined {
  const body = src.trim().replace(/^[[(]|[\])]$/g, '');
  const out: string[] = [];
  const re = /\s*(?:#[^\n]*\n\s*)*(?:("""|'''|"|')((?:(?!\1)[\s\S])*)\1)\s*(?:#[^\n]*)?(,|$)/y;
  let i = 0;
  const rest = body.replace(/#[^\n]*/g, '').trim();
  if (rest === '') return [];
  while (i < rest.length) {
    re.lastIndex = i;
    const m = re.exec(rest);
    if (!m || m.index !== i) return undefined;
    out.push(m[2]!);
    i = re.lastIndex;
    while (i < rest.length && /[\s,]/.test(rest[i]!)) i++;
  }
  return out;
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

function reqs(list: string[]): Requirement[] {
  return list.map((s) => parseRequirement(s)).filter((r): r is Requirement => r !== undefined);
}

/** The value expression of keyword `name=` inside the setup(...) call text, with its offset. */
function keyword(text: string, name: string): { expr: string; at: number } | undefined {
  const re = new RegExp(`\\b${name}\\s*=\\s*`, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const start = m.index + m[0].length;
    const c = text[start];
    if (c === '[' || c === '(' || c === '{') {
      const end = closing(text, start);
      if (end === -1) return undefined;
      return { expr: text.slice(start, end), at: m.index };
    }
    const word = /^[A-Za-z_][\w.]*(\(\s*\))?|^(['"])[^'"]*\2/.exec(text.slice(start));
    if (word) return { expr: word[0], at: m.index };
  }
  return undefined;
}

/** Reads setup.py statically. */
export function readSetupPy(text: string): SetupPy {
  const out: SetupPy = { requirements: [], extras: {}, problems: [] };
  const install = keyword(text, 'install_requires');
  if (install) {
    out.installLine = lineAt(text, install.at);
    const literal = /^[[(]/.test(install.expr) ? stringList(install.expr) : undefined;
    if (literal) out.requirements = reqs(literal);
    else {
      // A name: a list literal assigned above, or a helper that reads a requirements file.
      const name = /^[A-Za-z_]\w*/.exec(install.expr)?.[0];
      const assigned = name ? new RegExp(`^${name}\\s*=\\s*\\[`, 'm').exec(text) : null;
      const listAt = assigned ? assigned.index + assigned[0].length - 1 : -1;
      const list = listAt >= 0 ? stringList(text.slice(listAt, closing(text, listAt))) : undefined;
      const file = /open\(\s*(?:os\.path\.join\([^)]*?)?['"]([^'"]*requirements[^'"]*\.txt)['"]/.exec(text);
      if (list) out.requirements = reqs(list);
      else if (file) out.readsFile = file[1]!.replace(/^\.\//, '');
      else out.problems.push(`setup.py computes install_requires (line ${out.installLine}) in a way that cannot be read without running it; list the dependencies in a requirements file or pyproject.toml.`);
    }
  }
  const py = /\bpython_requires\s*=\s*(['"])([^'"]+)\1/.exec(text);
  if (py) {
    out.python = py[2]!;
    out.pythonLine = lineAt(text, py.index);
  }
  const extras = keyword(text, 'extras_require');
  if (extras && extras.expr.startsWith('{')) {
    const body = extras.expr.slice(1, -1);
    const re = /(['"])([^'"]+)\1\s*:\s*/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(body))) {
      const start = m.index + m[0].length;
      if (body[start] !== '[') continue;
      const end = closing(body, start);
      const list = end > 0 ? stringList(body.slice(start, end)) : undefined;
      if (list) out.extras[m[2]!] = reqs(list);
      if (end > 0) re.lastIndex = end;
    }
  }
  return out;
}
