/**
 * A YAML writer for manifests: plain JSON data (objects, arrays, strings, numbers,
 * booleans) in block style, as people write Kubernetes files. The `yaml` package's general
 * stringify builds a node tree first and takes over a second for a 5,000-task manifest;
 * this writes the text directly. Tests read every manifest back with the `yaml` parser.
 */
export function toYaml(value: unknown): string {
  const w = new Writer();
  if (isObject(value)) w.map(value, 0);
  else if (Array.isArray(value)) w.seq(value, 0);
  else w.text += `${scalar(value, 0)}\n`;
  w.cut();
  return w.chunks.length === 1 ? w.chunks[0]! : w.chunks.join('');
}

type Data = Record<string, unknown>;

function isObject(v: unknown): v is Data {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when an object has a key with a value (JSON drops undefined ones; so does YAML here). */
function hasEntries(v: Data): boolean {
  for (const k in v) if (v[k] !== undefined) return true;
  return false;
}

/** Keys as written: a manifest repeats a few dozen keys thousands of times. */
const KEYS = new Map<string, string>();
function keyText(k: string): string {
  let s = KEYS.get(k);
  if (s === undefined) {
    s = scalar(k, 0, true);
    if (KEYS.size < 10_000) KEYS.set(k, s);
  }
  return s;
}

/** About how long the text grows before it is made flat (see Writer.cut). */
const CHUNK = 64 * 1024;

const PADS: string[] = [];
function pad(n: number): string {
  return (PADS[n] ??= ' '.repeat(n));
}

/** Appends to one string: V8 keeps repeated appends cheap, and no array of lines is built. */
class Writer {
  /** The text since the last cut: each append adds a piece that stays alive until the text is made flat. */
  text = '';
  /** Flat pieces of the text, in order. */
  readonly chunks: string[] = [];

  /**
   * Makes the text so far one flat string and starts a new piece. Without cuts, the pieces of a
   * 5,000-task manifest (a million of them) all stayed alive until the end and the young
   * generation's collector copied each of them twice; a flat chunk is copied as one block.
   */
  cut(): void {
    const t = this.text;
    // Reading a character makes V8 flatten the string in place; the pieces become garbage.
    t.charCodeAt(0);
    this.chunks.push(t);
    this.text = '';
  }

  /** `key: value` lines at `indent`; nested collections go below, indented by two. `lead` replaces the first line's indentation (`- `). */
  map(map: Data, indent: number, lead = pad(indent)): void {
    let prefix = lead;
    let any = false;
    for (const k in map) {
      const v = map[k];
      if (v === undefined) continue;
      any = true;
      const key = prefix + keyText(k);
      prefix = pad(indent);
      if (isObject(v) && hasEntries(v)) {
        this.text += `${key}:\n`;
        this.map(v, indent + 2);
      } else if (Array.isArray(v) && v.length > 0) {
        this.text += `${key}:\n`;
        this.seq(v, indent + 2);
      } else this.text += `${key}: ${scalar(v, indent + 2)}\n`;
    }
    if (!any) this.text += `${lead}{}\n`;
  }

  /** `- item` lines; a mapping item starts on the dash's line. */
  seq(seq: unknown[], indent: number): void {
    const dash = `${pad(indent)}- `;
    for (const item of seq) {
      if (isObject(item) && hasEntries(item)) this.map(item, indent + 2, dash);
      else if (Array.isArray(item) && item.length > 0) {
        this.text += `${pad(indent)}-\n`;
        this.seq(item, indent + 2);
      } else this.text += `${dash}${scalar(item, indent + 2)}\n`;
      if (this.text.length > CHUNK) this.cut();
    }
  }
}

// Plain scalars we write: nothing a YAML 1.1 or 1.2 reader could take for a number, a
// boolean, null, a date, an anchor, a tag, a comment or a flow collection.
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

/**
 * Whether `s` is written plain: words of `[-A-Za-z0-9_./]` separated by single spaces, the
 * first starting with a letter, `_` or `/` (that is /^[A-Za-z_/][-A-Za-z0-9_./]*(?: [-A-Za-z0-9_./]+)*$/),
 * and not a reserved word. A loop, not a regular expression: a manifest has a million scalars.
 */
function plain(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  let c = s.charCodeAt(0);
  if (!(isLetter(c) || c === 0x5f /* _ */ || c === 0x2f) /* / */) return false;
  for (let i = 1; i < n; i++) {
    c = s.charCodeAt(i);
    if (c === 0x20) {
      // One space between words: never two, never at the end.
      if (i + 1 === n || s.charCodeAt(i + 1) === 0x20) return false;
    } else if (!(isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d /* - */ || c === 0x5f || c === 0x2e /* . */ || c === 0x2f)) return false;
  }
  return n > 5 || !RESERVED.test(s);
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

// Characters YAML's double-quoted style must escape, beyond what JSON escapes.
const NON_PRINTABLE = /[\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/;
const NON_PRINTABLE_ALL = new RegExp(NON_PRINTABLE.source, 'g');

function scalar(v: unknown, indent: number, key = false): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[]';
  if (isObject(v)) return '{}';
  const s = String(v);
  if (plain(s)) return s;
  if (!key && s.includes('\n') && literalSafe(s)) return literal(s, indent);
  return quoted(s);
}

/** A JSON string is a YAML double-quoted scalar, once the characters YAML wants escaped are. */
function quoted(s: string): string {
  const json = JSON.stringify(s);
  return NON_PRINTABLE.test(json) ? json.replace(NON_PRINTABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

/** A block literal keeps a script as it reads; it cannot hold control characters or a lone CR. */
function literalSafe(s: string): boolean {
  // A first line starting with a blank or a line break would need an indentation indicator: quote those instead.
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/.test(s) && !/[ \t]\n|[ \t]$/.test(s) && !/^[\s]/.test(s);
}

function literal(s: string, indent: number): string {
  const p = pad(indent);
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  // Chomping: '-' strips the final newline, nothing keeps exactly one, '+' keeps them all.
  const chomp = !s.endsWith('\n') ? '-' : body.endsWith('\n') ? '+' : '';
  const lines = (chomp === '+' ? s.slice(0, -1) : body).split('\n').map((l) => (l === '' ? '' : p + l));
  return `|${chomp}\n${lines.join('\n')}`;
}
