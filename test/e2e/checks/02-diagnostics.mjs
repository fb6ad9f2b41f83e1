// Typing an unknown id into `needs` shows an error squiggle under it and a Problems entry
// with the rule's code and the suggested id; fixing the typo clears both.
import { expect, waitFor } from '../harness/wait.mjs';

const TYPO = 'trian';
const SUGGESTED = 'train';
const EDITOR = '.part.editor .editor-group-container.active .monaco-editor';

/** The report task's `needs: [evaluate]`: where the typo goes (after "evaluate"). */
function typoSite(ctx) {
  const at = ctx.locate(ctx.pipeline.text, 'needs: [evaluate]');
  const col = at.col + 'needs: [evaluate'.length;
  return { line: at.line, col, typoCol: col + 2 };
}

async function unknownNeedRows(vs) {
  return (await vs.problems()).filter((r) => r.text.includes('unknown-need'));
}

export const checks = [
  {
    name: 'unknown-need-shows-squiggle-and-problem',
    async run(ctx) {
      const { vs } = ctx;
      await ctx.openPipeline();
      expect((await vs.squiggles('error')) === 0, 'the unedited churn pipeline already shows error squiggles');

      const site = typoSite(ctx);
      await vs.goto(site.line, site.col);
      await vs.keyboard.type(`, ${TYPO}`);

      // The squiggle ends where the typed word ends: at the cursor. Both are read in one go,
      // since code lenses appearing above can still shift the lines.
      const geometry = () =>
        vs.page.evaluate((editor) => {
          const box = (e) => {
            const r = e.getBoundingClientRect();
            return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
          };
          const cursor = document.querySelector(`${editor} .cursors-layer .cursor`);
          return { cursor: cursor && box(cursor), squiggles: [...document.querySelectorAll(`${editor} .squiggly-error`)].map(box) };
        }, EDITOR);
      await waitFor(
        async () => {
          const { cursor, squiggles } = await geometry();
          return cursor && squiggles.some((b) => b.top < cursor.bottom && b.bottom > cursor.top && Math.abs(b.right - cursor.left) <= 3);
        },
        { timeout: 20_000, what: `an error squiggle ending at the cursor, under '${TYPO}' (Ln ${site.line})`, describe: async () => JSON.stringify(await geometry()) },
      );

      const rows = await waitFor(
        async () => {
          const r = await unknownNeedRows(vs);
          return r.length && r;
        },
        {
          timeout: 20_000,
          what: 'a Problems entry with code unknown-need',
          describe: async () => JSON.stringify(await vs.problems()),
        },
      );
      expect(rows.length === 1, `expected exactly one unknown-need entry, got ${rows.length}: ${JSON.stringify(rows)}`);
      const text = rows[0].text;
      expect(text.includes(`'${TYPO}'`), `the Problems entry does not name '${TYPO}': ${text}`);
      expect(text.includes(`'${SUGGESTED}'`), `the Problems entry does not suggest '${SUGGESTED}': ${text}`);
      expect(text.includes(`[Ln ${site.line}, Col ${site.typoCol}]`), `the Problems entry is not at Ln ${site.line}, Col ${site.typoCol}: ${text}`);
    },
  },
  {
    name: 'fixing-the-need-clears-the-problem',
    async run(ctx) {
      const { vs, pipeline } = ctx;
      try {
        await vs.quickOpen(pipeline.name);
        const site = typoSite(ctx);
        const line = (await vs.visibleLines()).find((l) => l.includes('needs: [evaluate'));
        expect(line?.includes(`, ${TYPO}]`), `the editor no longer holds the typo to fix (line reads ${JSON.stringify(line)})`);
        expect((await unknownNeedRows(vs)).length === 1, 'the Problems panel shows no unknown-need entry to clear');
        // Select the typo by keyboard and type the right id over it.
        await vs.goto(site.line, site.typoCol);
        for (let i = 0; i < TYPO.length; i++) await vs.keyboard.press('Shift+ArrowRight');
        await vs.keyboard.type(SUGGESTED);
        await waitFor(async () => (await vs.squiggles('error')) === 0, { timeout: 20_000, what: 'the error squiggle to disappear after the fix' });
        await waitFor(async () => (await unknownNeedRows(vs)).length === 0, {
          timeout: 20_000,
          what: 'the unknown-need entry to leave the Problems panel',
          describe: async () => JSON.stringify(await vs.problems()),
        });
      } finally {
        await vs.revertIfDirty();
      }
    },
  },
];
