/** PEP 508 requirement strings and pip's requirements-file syntax, read well enough to find frameworks. */

/** One dependency as a manifest names it. */
export interface Requirement {
  /** The name as written, e.g. `Scikit_Learn`. */
  name: string;
  /** PEP 503 normalised name: lower case, runs of `-_.` folded to `-` (`scikit-learn`). */
  key: string;
  extras: string[];
  /** Version specifier as written without spaces (`>=1.2,<2`, `==2.1.0+cu121`); empty when unconstrained. */
  spec: string;
  /** A direct reference (`name @ https://…`), when given. */
  url?: string;
  /** The environment marker after `;`, when given. */
  marker?: string;
  /** The 1-based line of the manifest that names it, when known. */
  line?: number;
}

/** A line of a file that names something, for messages (`--explain` prints `file:line  text`). */
export interface LineRef {
  line: number;
  text: string;
}

/** What a requirements file says besides its requirements. */
export interface RequirementsFile {
  requirements: Requirement[];
  /** `--index-url` / `-i` values. */
  indexUrls: string[];
  /** `--extra-index-url` and `--find-links` / `-f` values (where CUDA wheels usually come from). */
  extraIndexUrls: string[];
  /** Files pulled in with `-r` (requirements) or `-c` (constraints), as written, with their line. */
  includes: { path: string; constraint: boolean; line: number }[];
  /** Lines that install local code (`-e .`, `./pkg`, `file:`); they need the source, not just the manifest. */
  local: string[];
  /** Where each `local` entry is, in the same order. */
  localLines: LineRef[];
  /** Lines of index options (`--index-url`, `--extra-index-url`, `--find-links`), by URL. */
  indexLines: Record<string, LineRef>;
}

/** PEP 503 name normalisation. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;

/** Parses one PEP 508 requirement (`torch[cuda]>=2.1; python_version>"3.8"`), or undefined when it is not one. */
export function parseRequirement(text: string): Requirement | undefined {
  const m = NAME.exec(text);
  if (!m) return undefined;
  const name = m[1]!;
  let rest = text.slice(m[0].length);
  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) return undefined;
    extras = rest
      .slice(1, close)
      .split(',')
      .map((e) => normalizeName(e.trim()))
      .filter((e) => e !== '');
    rest = rest.slice(close + 1).trimStart();
  }
  let marker: string | undefined;
  const semi = rest.indexOf(';');
  if (semi !== -1) {
    marker = rest.slice(semi + 1).trim();
    rest = rest.slice(0, semi).trim();
  }
  let url: string | undefined;
  if (rest.startsWith('@')) {
    url = rest.slice(1).trim();
    rest = '';
  }
  // `name (>=1.0)` is the older parenthesised form.
  let spec = rest
    .trim()
    .replace(/^\((.*)\)$/, '$1')
    .replace(/\s+/g, '');
  if (spec !== '' && !/^(~=|==|!=|<=|>=|<|>|===)/.test(spec)) return undefined;
  spec = spec.replace(/,+$/, '');
  return {
    name,
    key: normalizeName(name),
    extras,
    spec,
    ...(url ? { url } : {}),
    ...(marker ? { marker } : {}),
  };
}

/** The version a specifier pins exactly (`==2.1.0+cu121` → `2.1.0+cu121`), if it does. */
export function pinnedVersion(spec: string): string | undefined {
  for (const part of spec.split(',')) {
    const m = /^===?\s*([0-9][^,*]*)$/.exec(part.trim());
    if (m) return m[1];
  }
  return undefined;
}

/** The lowest version a specifier admits, as written (`>=2.2,<3` → `2.2`; `^1.4` → `1.4`; `==2.*` → `2`). */
export function lowerBound(spec: string): string | undefined {
  for (const part of spec.split(',')) {
    const m = /^(?:===?|>=|~=|\^|~)?\s*([0-9]+(?:\.[0-9]+)*)/.exec(part.trim());
    if (m && !/^(<|!=|>(?!=))/.test(part.trim())) return m[1];
  }
  return undefined;
}

const LOCAL_REF = /^(\.{1,2}(\/|\[|$)|\/|file:|git\+file:)/;

/** Reads a pip requirements file: one requirement per line, `#` comments, `\` continuations and options. */
export function parseRequirementsFile(text: string, firstLine = 1): RequirementsFile {
  const out: RequirementsFile = { requirements: [], indexUrls: [], extraIndexUrls: [], includes: [], local: [], localLines: [], indexLines: {} };
  const physical = text.split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const lineNo = i + firstLine;
    let raw = physical[i]!;
    // A trailing backslash continues the logical line on the next physical one.
    while (/\\$/.test(raw) && i + 1 < physical.length) raw = raw.slice(0, -1) + ' ' + physical[++i]!;
    // A `#` starts a comment only at the line start or after whitespace (URLs keep their fragments).
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const ref = { line: lineNo, text: physical[lineNo - firstLine]!.trim() };
    if (line.startsWith('-')) {
      const m = /^(--?[A-Za-z-]+)(?:\s*=\s*|\s+)?(.*)$/.exec(line);
      const opt = m?.[1] ?? line;
      const value = (m?.[2] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
      switch (opt) {
        case '-i':
        case '--index-url':
        case '--extra-index-url':
        case '-f':
        case '--find-links':
          if (value) {
            (opt === '-i' || opt === '--index-url' ? out.indexUrls : out.extraIndexUrls).push(value);
            out.indexLines[value] = ref;
          }
          break;
        case '-r':
        case '--requirement':
        case '-c':
        case '--constraint':
          if (value) out.includes.push({ path: value, constraint: opt === '-c' || opt === '--constraint', line: lineNo });
          break;
        case '-e':
        case '--editable':
          if (LOCAL_REF.test(value)) {
            out.local.push(line);
            out.localLines.push(ref);
          } else {
            const egg = /#egg=([A-Za-z0-9._-]+)/.exec(value);
            if (egg) out.requirements.push({ name: egg[1]!, key: normalizeName(egg[1]!), extras: [], spec: '', url: value, line: lineNo });
          }
          break;
        default:
          // Other global options (--pre, --no-binary, --trusted-host …) do not name packages.
          break;
      }
      continue;
    }
    if (LOCAL_REF.test(line)) {
      out.local.push(line);
      out.localLines.push(ref);
      continue;
    }
    // Per-requirement options such as `--hash=…` follow the requirement.
    const req = parseRequirement(line.replace(/\s--[a-z-]+(=\S*|\s+\S+)?/g, ''));
    if (req) out.requirements.push({ ...req, line: lineNo });
  }
  return out;
}

/** True for a requirements entry that installs code from the project itself (`-e .`, `.`, `./pkg[x]`, `file:…`). */
export function isLocalEntry(entry: string): boolean {
  return LOCAL_REF.test(entry.replace(/^(-e|--editable)(\s+|=)/, '').trim());
}

/** The 1-based line of `text` where `find` first matches, with the line's text; undefined when none does. */
export function lineWhere(text: string, find: (line: string) => boolean, from = 0): LineRef | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = from; i < lines.length; i++) if (find(lines[i]!)) return { line: i + 1, text: lines[i]!.trim() };
  return undefined;
}

/** The line that names package `key` (PEP 503 normalised) in a manifest's text: the first line where the name stands as a word. */
export function lineOfPackage(text: string, name: string): LineRef | undefined {
  const words = name.split(/[-_.]+/).map((w) => w.replace(/[^A-Za-z0-9]/g, ''));
  const re = new RegExp(`(^|[^A-Za-z0-9_.-])${words.join('[-_.]+')}([^A-Za-z0-9_-]|$)`, 'i');
  return lineWhere(text, (l) => re.test(l.replace(/#.*$/, '')));
}
