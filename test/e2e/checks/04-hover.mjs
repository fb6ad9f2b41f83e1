// Resting the mouse on a key shows the description the JSON Schema gives it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/config.mjs';
import { expect, waitFor } from '../harness/wait.mjs';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'pipeline.schema.json'), 'utf8'));
const normalize = (s) => s.replace(/`/g, '').replace(/\s+/g, ' ').trim();

/**
 * Rests the mouse on the key at `line`:`col` and returns the hover's text once it holds
 * `want`. Where the key is drawn is measured again while waiting: code lenses arriving push
 * the lines down, and the mouse follows the key.
 */
async function hoverKey(vs, line, col, key, want) {
  await vs.goto(line, col + 1); // the cursor's rectangle tells where the key's 2nd character is drawn
  let at;
  return waitFor(
    async () => {
      const box = await vs.cursorBox();
      const to = { x: box.x - 2, y: box.y + box.height / 2 };
      if (!at || at.x !== to.x || at.y !== to.y) {
        at = to;
        await vs.page.mouse.move(to.x, to.y);
      }
      const text = await vs.hoverText();
      return normalize(text).includes(want) && text;
    },
    { timeout: 15_000, what: `a hover over the key '${key}' at Ln ${line} with "${want}"`, describe: async () => JSON.stringify(await vs.hoverText()) },
  );
}

export const checks = [
  {
    name: 'hover-on-task-key-shows-schema-description',
    async run(ctx) {
      const { vs, pipeline } = ctx;
      await ctx.openPipeline();
      const want = normalize(schema.$defs.taskSettings.properties.timeout.description);
      const at = ctx.locate(pipeline.text, 'timeout: 2m'); // in task ingest
      const text = await hoverKey(vs, at.line, at.col, 'timeout', want);
      expect(normalize(text).includes(want), `hover over 'timeout' should contain the schema's "${want}", shows "${text}"`);
      await vs.page.mouse.move(5, 5);
    },
  },
  {
    name: 'hover-on-top-level-key-shows-schema-description',
    async run(ctx) {
      const { vs, pipeline } = ctx;
      const want = normalize(schema.properties.schedule.description);
      const at = ctx.locate(pipeline.text, '\nschedule:');
      const text = await hoverKey(vs, at.line + 1, 1, 'schedule', want);
      expect(normalize(text).includes(want), `hover over 'schedule' should contain the schema's "${want}", shows "${text}"`);
      await vs.page.mouse.move(5, 5);
    },
  },
];
