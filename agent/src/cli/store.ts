import * as path from 'node:path';
import { STORE_OPTIONS, STORE_USAGE, storeConfig } from '../state/config';
import { openStore } from '../state/open';
import type { StoreInfo } from '../state/store';
import { format, option, parseSubcommand, UsageError } from '../util/args';
import { palette, type Palette } from '../util/colors';
import type { Command } from './command';

const USAGE = [
  `mlops store info ${STORE_USAGE} [--format text|json]`,
  '       mlops store migrate --from DIR --to postgresql://USER@HOST:PORT/DATABASE [--from-artifacts DIR] [--artifacts DIR] [--format text|json]',
].join('\n');

export const storeCommand: Command = {
  name: 'store',
  summary: 'The store runs and models are recorded in: show what it holds, or copy a local history into a team store',
  usage: USAGE,
  async run(argv) {
    const { sub, args } = parseSubcommand(argv, {
      info: { values: [...STORE_OPTIONS, 'format'] },
      migrate: { values: ['from', 'to', 'from-artifacts', 'artifacts', 'state-dir', 'format'] },
    });
    const cwd = process.cwd();
    switch (sub) {
      case 'info': {
        const fmt = format(args, ['text', 'json'] as const, 'text');
        if (args.positionals.length > 0) throw new UsageError(`Unexpected argument '${args.positionals[0]}'; info takes none.`);
        const store = await openStore(storeConfig(cwd, args));
        try {
          const info = await store.info();
          process.stdout.write(fmt === 'json' ? `${JSON.stringify(info, null, 2)}\n` : infoText(info, palette(process.stdout)));
          return 0;
        } finally {
          await store.close();
        }
      }
      case 'migrate': {
        const fmt = format(args, ['text', 'json'] as const, 'text');
        if (args.positionals.length > 0) throw new UsageError(`Unexpected argument '${args.positionals[0]}'; migrate takes none.`);
        const from = path.resolve(cwd, option(args, 'from') ?? '.mlops');
        const to = option(args, 'to');
        if (to !== undefined) args.options.set('store', [to]);
        const config = storeConfig(cwd, args);
        const { migrateStore } = await import('../state/migrate-store.js');
        const r = await migrateStore(from, path.resolve(cwd, option(args, 'from-artifacts') ?? from), config);
        if (fmt === 'json') process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else {
          process.stdout.write(
            `${r.from} → ${r.to}\n  runs: ${r.runs.copied} copied, ${r.runs.present} already there\n  model versions: ${r.modelVersions.copied} copied, ${r.modelVersions.present} already there\n  files: ${r.files} copied to ${config.artifacts}\n`,
          );
        }
        return 0;
      }
    }
  },
};

function infoText(i: StoreInfo, c: Palette): string {
  const lines = [
    `${c.bold(i.kind === 'postgres' ? 'PostgreSQL team store' : 'SQLite store')} ${i.location} ${c.dim(`(schema ${i.schemaVersion})`)}`,
    `  artifacts       ${i.artifacts}`,
    `  runs            ${i.counts.runs} (${i.counts.tasks} tasks, ${i.counts.attempts} attempts)`,
    `  models          ${i.counts.models} (${i.counts.modelVersions} versions)`,
    `  cache           ${i.counts.cacheEntries} entries, ${i.counts.sharedCacheEntries} with uploaded outputs`,
    `  recorded by     ${i.users.join(', ') || '—'}`,
  ];
  for (const l of i.leases) lines.push(`  lease           ${l.name} held by ${l.user}@${l.host} (pid ${l.pid}) until ${new Date(l.expiresAt).toISOString()}`);
  return `${lines.join('\n')}\n`;
}
