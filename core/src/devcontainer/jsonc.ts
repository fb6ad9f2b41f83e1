/** Writing JSON with comments (as devcontainer.json allows) and reading it back. */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One property of a commented object; the comment is written on the lines above it. */
export interface JsoncProp {
  key: string;
  value: JsonValue | JsoncObject;
  comment?: string;
}

/** An object whose properties may carry comments; plain objects inside are written without any. */
export class JsoncObject {
  constructor(readonly props: JsoncProp[]) {}
}

const WIDTH = 100;

function render(value: JsonValue | JsoncObject, indent: string): string {
  if (value instanceof JsoncObject) {
    if (value.props.length === 0) return '{}';
    const inner = `${indent}  `;
    const lines = value.props.map((p) => {
      const comment = p.comment
        ? wrap(p.comment, WIDTH - inner.length - 3)
            .map((l) => `${inner}// ${l}\n`)
            .join('')
        : '';
      return `${comment}${inner}${JSON.stringify(p.key)}: ${render(p.value, inner)}`;
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = value.every((v) => v === null || typeof v !== 'object');
    const inline = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    if (flat && indent.length + inline.length < WIDTH - 20) return inline;
    const inner = `${indent}  `;
    return `[\n${value.map((v) => `${inner}${render(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    return render(new JsoncObject(Object.entries(value).map(([key, v]) => ({ key, value: v }))), indent);
  }
  return JSON.stringify(value);
}

/** Breaks a comment into lines of at most `width` characters at spaces. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter((w) => w !== '')) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

/** Renders a commented object as JSONC text, with `header` comment lines first. */
export function renderJsonc(root: JsoncObject, header: string[] = []): string {
  return `${header
    .flatMap((h) => wrap(h, WIDTH - 3))
    .map((l) => `// ${l}\n`)
    .join('')}${render(root, '')}\n`;
}

/** JSONC text → plain JSON text: comments and trailing commas removed, strings left intact. */
export function stripJsonc(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      // A comma before a closing bracket is a trailing comma; strings were copied whole, so it is outside one.
      if (c === '}' || c === ']') out = out.replace(/,(\s*)$/, '$1');
      out += c;
      i++;
    }
  }
  return out;
}

/** Parses JSONC; throws a SyntaxError like JSON.parse when the text is not valid. */
export function parseJsonc(text: string): unknown {
  return JSON.parse(stripJsonc(text));
}
