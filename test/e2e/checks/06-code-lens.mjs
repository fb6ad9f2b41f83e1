// Every task carries the code lenses Run task | Run from here | Show in DAG above its key.
import { expect, expectEqual, waitFor } from '../harness/wait.mjs';

const TITLES = ['Run task', 'Run from here', 'Show in DAG'];

export const checks = [
  {
    name: 'code-lenses-above-every-task',
    async run(ctx) {
      const { vs, pipeline } = ctx;
      await ctx.openPipeline();
      for (const id of ctx.taskIds(pipeline.text)) {
        const line = ctx.taskKeyLine(pipeline.text, id);
        await vs.goto(line, 3);
        // The lens sits in a view zone directly above the key's line. Lenses arriving push the
        // lines down, so the cursor is measured again each time.
        const lens = await waitFor(
          async () => {
            const cursor = await vs.cursorBox();
            const lenses = (await vs.codeLenses()).filter((l) => l.top < cursor.y && cursor.y - l.top < cursor.height * 2.5);
            return lenses.length === 1 && lenses[0].links.length ? lenses[0] : undefined;
          },
          { timeout: 20_000, what: `code lenses above task '${id}' (Ln ${line})`, describe: async () => JSON.stringify(await vs.codeLenses()) },
        );
        expectEqual(lens.links, TITLES, `code lenses above task '${id}'`);
      }
      const all = await vs.codeLenses();
      expect(
        all.every((l) => l.links.length === 0 || l.links.join('|') === TITLES.join('|')),
        `unexpected code lens titles: ${JSON.stringify(all.map((l) => l.links))}`,
      );
    },
  },
];
