// The fuzz test's mutant generator (seeded with helpers' mulberry32), shared with the YAML fast-path differential test.

/** Characters and fragments that mean something to YAML or to the validator. */
const SIGNIFICANT = [
  ':',
  ': ',
  '-',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&',
  '&a ',
  '*',
  '*a',
  '!',
  '!!str ',
  '|',
  '>',
  '#',
  ' #',
  "'",
  '"',
  '?',
  '%',
  '@',
  '`',
  '\\',
  '${{',
  '}}',
  '${{ params.lr }}',
  '${{ tasks.x.outputs.y }}',
  '\t',
  '\n',
  '\r',
  ' ',
  '  ',
  '---\n',
  '...\n',
  '~',
  '0x',
  '.inf',
  'é',
  '\u2028',
  '\ufeff',
];

type Mutation = (text: string, rnd: () => number) => string;

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const at = (rnd: () => number, text: string) => Math.floor(rnd() * (text.length + 1));
const splitLines = (text: string) => text.split('\n');

const MUTATIONS: Record<string, Mutation> = {
  deleteChar: (t, r) => {
    const i = at(r, t);
    return t.slice(0, i) + t.slice(i + 1);
  },
  insertSignificant: (t, r) => {
    const i = at(r, t);
    return t.slice(0, i) + pick(r, SIGNIFICANT) + t.slice(i);
  },
  duplicateChar: (t, r) => {
    const i = at(r, t);
    return t.slice(0, i) + t.charAt(i) + t.slice(i);
  },
  swapChars: (t, r) => {
    const i = Math.max(0, at(r, t) - 1);
    return t.slice(0, i) + t.charAt(i + 1) + t.charAt(i) + t.slice(i + 2);
  },
  deleteLine: (t, r) => {
    const lines = splitLines(t);
    lines.splice(Math.floor(r() * lines.length), 1);
    return lines.join('\n');
  },
  duplicateLine: (t, r) => {
    const lines = splitLines(t);
    const i = Math.floor(r() * lines.length);
    lines.splice(i, 0, lines[i]!);
    return lines.join('\n');
  },
  moveLine: (t, r) => {
    const lines = splitLines(t);
    const [line] = lines.splice(Math.floor(r() * lines.length), 1);
    lines.splice(Math.floor(r() * (lines.length + 1)), 0, line!);
    return lines.join('\n');
  },
  swapLines: (t, r) => {
    const lines = splitLines(t);
    const i = Math.floor(r() * lines.length);
    const j = Math.floor(r() * lines.length);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return lines.join('\n');
  },
  truncate: (t, r) => t.slice(0, at(r, t)),
  indent: (t, r) => {
    const lines = splitLines(t);
    const i = Math.floor(r() * lines.length);
    lines[i] = pick(r, [' ', '  ', '    ', '\t']) + lines[i];
    return lines.join('\n');
  },
  dedent: (t, r) => {
    const lines = splitLines(t);
    const i = Math.floor(r() * lines.length);
    lines[i] = lines[i]!.replace(/^ {1,2}/, '');
    return lines.join('\n');
  },
  replaceWord: (t, r) => {
    const words = t.match(/[A-Za-z_][A-Za-z0-9_.-]*/g) ?? [];
    const a = pick(r, words);
    const b = pick(r, words);
    return a ? t.replace(a, b ?? a) : t;
  },
  insertLine: (t, r) => {
    const lines = splitLines(t);
    lines.splice(Math.floor(r() * (lines.length + 1)), 0, pick(r, lines));
    return lines.join('\n');
  },
};

export function mutate(text: string, rnd: () => number): { text: string; steps: string[] } {
  const steps: string[] = [];
  const names = Object.keys(MUTATIONS);
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const name = pick(rnd, names);
    steps.push(name);
    text = MUTATIONS[name]!(text, rnd);
  }
  return { text, steps };
}
