// Ctrl+Space inside `needs` offers the pipeline's task ids, and accepting one inserts it.
import { expectEqual, waitFor } from '../harness/wait.mjs';

/** Opens the pipeline and puts the cursor in report's needs after "evaluate, " + `prefix`. */
async function typeIntoNeeds(ctx, prefix) {
  const { vs, pipeline } = ctx;
  await ctx.openPipeline();
  const at = ctx.locate(pipeline.text, 'needs: [evaluate]');
  await vs.goto(at.line, at.col + 'needs: [evaluate'.length);
  await vs.keyboard.type(`, ${prefix}`);
  await vs.keyboard.press('Control+Space');
  return at;
}

export const checks = [
  {
    name: 'completion-in-needs-offers-task-ids',
    async run(ctx) {
      const { vs, pipeline } = ctx;
      try {
        await typeIntoNeeds(ctx, '');
        // report needs evaluate already and cannot need itself: the rest are offered.
        const expected = ctx
          .taskIds(pipeline.text)
          .filter((id) => id !== 'report' && id !== 'evaluate')
          .sort();
        const offered = await waitFor(
          async () => {
            const rows = await vs.suggestions();
            return rows.length > 0 && rows;
          },
          { timeout: 20_000, what: 'the suggest widget to open after Ctrl+Space in needs' },
        );
        expectEqual([...offered].sort(), expected, 'suggestions in report.needs');
      } finally {
        await vs.revertIfDirty();
      }
    },
  },
  {
    name: 'accepting-a-suggestion-inserts-the-id',
    async run(ctx) {
      const { vs, pipeline } = ctx;
      try {
        const at = await typeIntoNeeds(ctx, 'tra');
        await waitFor(
          async () => {
            const rows = await vs.suggestions();
            return rows.length === 1 && rows[0] === 'train';
          },
          { timeout: 20_000, what: "the suggest list to offer only 'train' for 'tra'", describe: async () => JSON.stringify(await vs.suggestions()) },
        );
        await vs.keyboard.press('Enter');
        const want = pipeline.text.split('\n')[at.line - 1].replace('needs: [evaluate]', 'needs: [evaluate, train]');
        await waitFor(async () => (await vs.visibleLines()).includes(want), {
          timeout: 10_000,
          what: `line ${at.line} to read "${want.trim()}"`,
          describe: async () => JSON.stringify((await vs.visibleLines()).filter((l) => l.includes('needs:'))),
        });
        const col = at.col + 'needs: [evaluate, train'.length;
        await vs.expectCursor(at.line, col, { what: `the cursor to follow the inserted 'train' (Ln ${at.line}, Col ${col})` });
      } finally {
        await vs.revertIfDirty();
      }
    },
  },
];
