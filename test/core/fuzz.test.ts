import assert from 'node:assert/strict';
import { parseYaml, Workspace, type Diagnostic } from '../../core/src/index';
import { assertWellFormed, CHURN_FEATURES, CHURN_PIPELINE, mulberry32, shift, timed } from './helpers';

/** Characters and fragments that mean something to YAML or to the validator. */
const SIGNIFICANT = [':', ': ', '-', '- ', '[', ']', '{', '}', ',', '&', '&a ', '*', '*a', '!', '!!str ', '|', '>', '#', ' #', "'", '"', '?', '%', '@', '`', '\\', '${{', '}}', '${{ params.lr }}', '${{ tasks.x.outputs.y }}', '\t', '\n', '\r', ' ', '  ', '---\n', '...\n', '~', '0x', '.inf', 'é', '\u2028', '\ufeff'];

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

function mutate(text: string, rnd: () => number): { text: string; steps: string[] } {
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

const PIPELINE = '/ws/churn.pipeline.yaml';
const FEATURES = '/ws/churn.features.yaml';

/** Analyses a mutant with the other (clean) file beside it, in a fresh Workspace. */
function fresh(path: string, text: string): Diagnostic[] {
  const ws = new Workspace({ root: '/ws' });
  ws.set(path === PIPELINE ? FEATURES : PIPELINE, path === PIPELINE ? CHURN_FEATURES : CHURN_PIPELINE);
  ws.set(path, text);
  return ws.analyze(path)!.diagnostics;
}

describe('core: fuzz', function () {
  // A safety net: the test asserts each mutant under 2 s and is meant to finish in ~20 s.
  this.timeout(120_000);

  // Fixed by default; MLOPS_FUZZ_SEED and MLOPS_FUZZ_COUNT explore further by hand.
  const MUTANTS_PER_FILE = Number(process.env.MLOPS_FUZZ_COUNT) || 600;
  const extraSeed = Number(process.env.MLOPS_FUZZ_SEED) || 0;

  for (const [path, original, seed] of [
    [PIPELINE, CHURN_PIPELINE, 0x5eed1 + extraSeed],
    [FEATURES, CHURN_FEATURES, 0x5eed2 + extraSeed],
  ] as const) {
    it(`analyses ${MUTANTS_PER_FILE} mutants of ${path.slice(4)} without throwing, in bounds, with documented codes and sentences`, () => {
      const rnd = mulberry32(seed);
      // One long-lived Workspace sees the mutants as a series of edits (the language server's case).
      const live = new Workspace({ root: '/ws' });
      live.set(path === PIPELINE ? FEATURES : PIPELINE, path === PIPELINE ? CHURN_FEATURES : CHURN_PIPELINE);
      let slowest = 0;
      const seenCodes = new Set<string>();
      for (let i = 0; i < MUTANTS_PER_FILE; i++) {
        const { text, steps } = mutate(original, rnd);
        const context = `mutant #${i} (${steps.join(', ')}) of ${path}: ${JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text)}`;
        let diags: Diagnostic[] = [];
        const { ms } = timed(() => {
          try {
            live.set(path, text);
            diags = live.analyze(path)!.diagnostics;
          } catch (err) {
            assert.fail(`threw on ${context}: ${(err as Error).stack}`);
          }
        });
        slowest = Math.max(slowest, ms);
        assert.ok(ms < 2000, `${ms.toFixed(0)} ms for ${context}`);
        assertWellFormed(text, diags, context);
        for (const d of diags) {
          assert.ok(!/[\r\n]/.test(d.message), `message spans lines: ${JSON.stringify(d.message)} in ${context}`);
          seenCodes.add(d.code);
        }
        // Incremental analysis must agree with a fresh one.
        assert.deepEqual(diags, fresh(path, text), `incremental and fresh analyses differ for ${context}`);
        // Piecewise and whole-document parsing must agree (a `---` line forces the whole parse).
        // Only for mappings: for an empty or scalar document the marker itself changes the result.
        if (i % 3 === 0 && !text.startsWith('\ufeff') && parseYaml(text).root?.kind === 'map') {
          const whole = fresh(path, `---\n${text}`).map((d) => ({ ...d, range: shift(d.range, -1) }));
          assert.deepEqual(diags, whole, `piecewise and whole parses differ for ${context}`);
        }
      }
      // The mutants must actually exercise the validator, not only the parser.
      assert.ok(seenCodes.size >= 6, `only ${[...seenCodes].join(', ')}`);
      assert.ok(slowest < 2000);
    });
  }
});
