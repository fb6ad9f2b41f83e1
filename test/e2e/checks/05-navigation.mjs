// F12 on an id in `needs` moves the cursor to that task's key.
export const checks = [
  {
    name: 'go-to-definition-on-need-jumps-to-task',
    async run(ctx) {
      const { vs, pipeline } = ctx;
      await ctx.openPipeline();
      const at = ctx.locate(pipeline.text, 'needs: [evaluate]');
      await vs.goto(at.line, at.col + 'needs: [ev'.length);
      await vs.keyboard.press('F12');
      const target = ctx.taskKeyLine(pipeline.text, 'evaluate');
      await vs.expectCursor(target, 3, { timeout: 15_000, what: `F12 on 'evaluate' (Ln ${at.line}) to move the cursor to the task key evaluate: (Ln ${target}, Col 3)` });
    },
  },
];
