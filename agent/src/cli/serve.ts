import { AgentHost } from '../host';
import { detectCapacity } from '../schedule/capacity';
import { STORE_OPTIONS, STORE_USAGE, storeConfig } from '../state/config';
import { openState } from '../state/open';
import { format, noExtra, parseArgs } from '../util/args';
import { palette } from '../util/colors';
import { LineView } from '../view/terminal';
import type { Command } from './command';
import { onInterrupt } from './run';

export const serveCommand: Command = {
  name: 'serve',
  summary: "Run the workspace's scheduled pipelines at their cron times until stopped (Ctrl-C)",
  usage: `mlops serve ${STORE_USAGE} [--format text|json]`,
  async run(argv) {
    const args = parseArgs(argv, { values: [...STORE_OPTIONS, 'format'] });
    noExtra(args.positionals, 'serve runs the scheduled pipelines of the current folder');
    const fmt = format(args, ['text', 'json'] as const, 'text');
    const root = process.cwd();
    const config = storeConfig(root, args);
    const store = await openState(config, { write: true, reattach: 'none' });
    const c = palette(process.stdout);
    const view = new LineView(process.stdout, c, root);
    const log = (m: string) => process.stderr.write(`mlops serve: ${m}\n`);
    const host = new AgentHost(
      store,
      config,
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
        for (const run of host.active.values()) run.cancel(force);
        void Promise.all([host.stopSchedules(), host.idle()]).then(() => {
          stop();
          resolve();
        });
      });
    });
    const schedules = host.triggers.next();
    if (schedules.length === 0) log(`no pipeline under ${root} has a schedule; waiting for one to appear`);
    for (const s of schedules) log(`${s.pipeline} (${s.cron}, ${s.timezone}) next at ${s.next ?? 'never'}`);
    host.serveSchedules();
    void host.reattachOrphans();
    await stopped;
    await store.close();
    return 0;
  },
};
