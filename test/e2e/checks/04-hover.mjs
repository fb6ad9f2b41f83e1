// Resting the mouse on a key shows the description the JSON Schema gives it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/config.mjs';
import { expect, waitFor } from '../harness/wait.mjs';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'pipeline.schema.json'), 'utf8'));
const normalize = (s) => s.replace(/`/g, '').replace(/\s+/g, ' ').trim();

/** Moves the mouse onto the key at `line`:`col` and returns the hover's text. */
async function hoverKey(vs, line, col, key) {
  await vs.goto(line, col + 1); // the cursor's rectangle tells where the key's 2nd character is drawn
  const box = await vs.cursorBox();
  await vs.page.mouse.move(box.x - 2, box.y + box.height / 2);
  return waitFor(async () => (await vs.hoverText()) || undefined, { timeout: 15_000, what: `a hover over the key '${key}' at Ln ${line}` });
}

export const checks = [
  {
    name: 'hover-on-task-key-shows-schema-description',
    async run(ctx) {
      const { vs, pipeline } = ctx;
      await vs.quickOpen(pipeline.name);
      const want = normalize(schema.$defs.taskSettings.properties.timeout.description);
      const at = ctx.locate(pipeline.text, 'timeout: 2m'); // in task ingest
      const text = await hoverKey(vs, at.line, at.col, 'timeout');
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
      const text = await hoverKey(vs, at.line + 1, 1, 'schedule');
      expect(normalize(text).includes(want), `hover over 'schedule' should contain the schema's "${want}", shows "${text}"`);
      await vs.page.mouse.move(5, 5);
    },
  },
];
