import { AgentHost } from '../host';
import { detectCapacity } from '../schedule/capacity';
import { openState, stateDirFor } from '../state/open';
import { format, option, parseArgs } from '../util/args';
import { palette } from '../util/colors';
import { LineView } from '../view/terminal';
import type { Command } from './command';
import { onInterrupt } from './run';

export const serveCommand: Command = {
  name: 'serve',
  summary: "Run the workspace's scheduled pipelines at their cron times until stopped (Ctrl-C)",
  usage: 'mlops serve [--state-dir DIR] [--format text|json]',
  async run(argv) {
    const args = parseArgs(argv, { values: ['state-dir', 'format'] });
    const fmt = format(args, ['text', 'json'] as const, 'text');
    const root = process.cwd();
    const store = await openState(stateDirFor(root, option(args, 'state-dir')));
    const c = palette(process.stdout);
    const view = new LineView(process.stdout, c, root);
    const log = (m: string) => process.stderr.write(`mlops serve: ${m}\n`);
    const host = new AgentHost(
      store,
      root,
      detectCapacity(),
      (events) => {
        if (fmt === 'json') process.stdout.write(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
        else view.onEvents(events);
      },
      log,
    );
    const stopped = new Promise<void>((resolve) => {
      const stop = onInterrupt((force) => {
        host.triggers.stop();
        for (const run of host.active.values()) run.cancel(force);
        void host.idle().then(() => {
          stop();
          resolve();
        });
      });
    });
    const schedules = host.triggers.next();
    if (schedules.length === 0) log(`no pipeline under ${root} has a schedule; waiting for one to appear`);
    for (const s of schedules) log(`${s.pipeline} (${s.cron}, ${s.timezone}) next at ${s.next ?? 'never'}`);
    host.triggers.start();
    await stopped;
    store.close();
    return 0;
  },
};
