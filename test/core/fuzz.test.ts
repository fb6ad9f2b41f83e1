import assert from 'node:assert/strict';
import { parseYaml, Workspace, type Diagnostic } from '../../core/src/index';
import { assertWellFormed, CHURN_FEATURES, CHURN_PIPELINE, mulberry32, shift, timed } from './helpers';
import { mutate } from './mutants';

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
        assert.ok(ms < 2000, `${ms.toFixed(0)} ms of CPU time for ${context}`);
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
