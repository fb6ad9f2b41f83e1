import type { RunEndStatus, RunEvent, RunRecord, RunSummary } from '../../../core/src/protocol/agent';
import { adoptRun } from '../reattach';
import { detectCapacity, ResourcePool } from '../schedule/capacity';
import { STORE_OPTIONS, STORE_USAGE, storeConfig, type StoreConfig } from '../state/config';
import { openState } from '../state/open';
import { readTaskLogBytes } from '../state/logs';
import { isAlive } from '../util/process';
import { LineView } from '../view/terminal';
import { onInterrupt } from './run';
import type { Store } from '../state/store';
import { flag, format, noExtra, option, parseSubcommand, UsageError } from '../util/args';
import { palette, type Palette } from '../util/colors';
import { realFile } from '../util/files';
import { outputClosed, writeOut } from '../util/output';
import { formatDuration } from '../util/time';
import type { Command } from './command';

const USAGE = `mlops runs list [--pipeline FILE] [--limit N] [--mine] | show RUN|last | logs RUN|last TASK [--follow] | reattach RUN|last  [--format text|json] ${STORE_USAGE}`;
const FOLLOW_POLL_MS = 200;

export const runsCommand: Command = {
  name: 'runs',
  summary: 'Recorded runs: list them, show one with its tasks, print or follow a task log, take over a run whose agent died while its Slurm jobs ran',
  usage: USAGE,
  async run(argv) {
    const { sub, args } = parseSubcommand(argv, {
      list: { flags: ['mine'], values: ['format', 'pipeline', 'limit', ...STORE_OPTIONS] },
      show: { values: ['format', ...STORE_OPTIONS] },
      logs: { flags: ['follow'], values: STORE_OPTIONS },
      reattach: { values: ['format', ...STORE_OPTIONS] },
    });
    const fmt = format(args, ['text', 'json'] as const, 'text');
    const rest = args.positionals;
    if (sub === 'list') noExtra(rest, 'runs list takes options only');
    if (sub === 'show') noExtra(rest.slice(1), 'runs show takes one run');
    if (sub === 'logs') noExtra(rest.slice(2), 'runs logs takes one run and one task');
    if (sub === 'reattach') noExtra(rest.slice(1), 'runs reattach takes one run');
    const cwd = process.cwd();
    // `reattach` is itself what other commands start to take a run over in the background.
    const config = storeConfig(cwd, args);
    const store = await openState(config, { reattach: sub === 'reattach' ? 'none' : 'background' });
    const c = palette(process.stdout);
    try {
      switch (sub) {
        case 'list': {
          const limit = Number(option(args, 'limit') ?? 20);
          if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit takes a whole number of at least 1.');
          const pipeline = option(args, 'pipeline');
          const runs = await store.runs({ limit, ...(pipeline ? { file: realFile(cwd, pipeline) } : {}), ...(flag(args, 'mine') ? { user: store.actor.user } : {}) });
          process.stdout.write(fmt === 'json' ? `${JSON.stringify(runs, null, 2)}\n` : listText(runs, c));
          return 0;
        }
        case 'show': {
          const run = await findRun(store, rest[0]);
          if (!run) return missing(rest[0]!);
          process.stdout.write(fmt === 'json' ? `${JSON.stringify(run.record, null, 2)}\n` : showText(run.record, run.summary, c));
          return 0;
        }
        case 'logs':
          return await logs(store, rest[0], rest[1], flag(args, 'follow'));
        case 'reattach':
          return await reattach(store, config, rest[0], fmt, cwd);
      }
    } finally {
      await store.close();
    }
  },
};

async function findRun(store: Store, ref: string | undefined): Promise<{ record: RunRecord; summary: RunSummary } | undefined> {
  if (!ref) throw new UsageError('Name a run (an id from mlops runs list) or last.');
  const id = await store.resolveRunId(ref);
  return id ? store.run(id) : undefined;
}

function missing(ref: string): number {
  process.stderr.write(ref === 'last' ? 'mlops runs: no runs recorded here yet; start one with mlops run FILE.\n' : `mlops runs: there is no run '${ref}'; see mlops runs list.\n`);
  return 1;
}

async function logs(store: Store, ref: string | undefined, task: string | undefined, follow: boolean): Promise<number> {
  const run = await findRun(store, ref);
  if (!run) return missing(ref!);
  if (!task) throw new UsageError('Name the task whose log to print.');
  const t = run.record.tasks.find((x) => x.id === task);
  if (!t) {
    process.stderr.write(`mlops runs: run ${run.record.id} has no task '${task}'; its tasks are ${run.record.tasks.map((x) => x.id).join(', ')}.\n`);
    return 1;
  }
  let offset = 0;
  for (;;) {
    // Bytes as written (no re-encoding), one chunk at a time: the next is read only once the
    // reader has taken this one, so a slow reader holds the command back instead of its memory.
    const chunk = (await readTaskLogBytes(store, run.record.id, task, offset, 1 << 20))!;
    if (chunk.text.length > 0) {
      if (!(await writeOut(chunk.text))) return 0;
      offset = chunk.nextOffset;
      continue;
    }
    if (chunk.ended && !chunk.ran) {
      process.stderr.write(`mlops runs: task '${task}' did not run in ${run.record.id} (${t.status}), so it has no log.\n`);
      return 1;
    }
    if (!follow || chunk.ended || outputClosed()) return 0;
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
  }
}

/**
 * Takes over a run whose agent died while its Slurm jobs ran on, and follows it to its end
 * (what every `mlops runs` and `mlops run` starts in the background when it finds one).
 */
async function reattach(store: Store, config: StoreConfig, ref: string | undefined, fmt: 'text' | 'json', cwd: string): Promise<number> {
  if (!ref) throw new UsageError('Name the run to take over (an id from mlops runs list) or last.');
  const id = await store.resolveRunId(ref);
  if (!id) return missing(ref);
  const owner = (await store.runningRuns()).find((r) => r.id === id);
  if (!owner) {
    process.stderr.write(`mlops runs: run ${id} is not running; there is nothing to take over.\n`);
    return 1;
  }
  if (isAlive(owner.agentPid, owner.agentStart)) {
    process.stderr.write(`mlops runs: run ${id} is followed by a live agent (pid ${owner.agentPid}); there is nothing to take over.\n`);
    return 1;
  }
  const c = palette(process.stdout);
  const view = fmt === 'text' ? new LineView(process.stdout, c, cwd) : undefined;
  const host = { store, config, cwd, pool: new ResourcePool(detectCapacity()), onEvents: (e: RunEvent[]) => view?.onEvents(e) };
  const run = await adoptRun(host, owner);
  if (!run.ok) {
    process.stderr.write(`mlops runs: cannot take over run ${id}: ${run.error.message}\n`);
    return 1;
  }
  const stop = onInterrupt((force) => run.value.cancel(force));
  let status: RunEndStatus;
  try {
    status = await run.value.done;
  } finally {
    stop();
  }
  if (fmt === 'json') process.stdout.write(`${JSON.stringify((await store.run(id))!.record, null, 2)}\n`);
  return status === 'succeeded' ? 0 : status === 'cancelled' ? 130 : 1;
}

function listText(runs: RunSummary[], c: Palette): string {
  if (runs.length === 0) return c.dim('No runs recorded here yet; start one with mlops run FILE.\n');
  const rows = runs.map((r) => [
    r.id,
    r.pipeline,
    colorStatus(r.status, c),
    r.startedAt.replace('T', ' ').slice(0, 19),
    r.endedAt ? formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '…',
    r.user ? `${r.user}@${r.host ?? '?'}` : '',
    taskCounts(r.counts),
  ]);
  return table(['RUN', 'PIPELINE', 'STATUS', 'STARTED (UTC)', 'TOOK', 'BY', 'TASKS'], rows);
}

function showText(run: RunRecord, s: RunSummary, c: Palette): string {
  const head = [
    `${c.bold(run.id)}  ${run.pipeline}  ${colorStatus(run.status, c)}`,
    c.dim(`${s.file}`),
    c.dim(
      `started ${run.startedAt}${run.endedAt ? ` · took ${formatDuration(Date.parse(run.endedAt) - Date.parse(run.startedAt))}` : ''} · by ${s.trigger}${s.user ? ` (${s.user}@${s.host ?? '?'})` : ''}${s.resumedFrom ? ` · resumes ${s.resumedFrom}` : ''}`,
    ),
  ];
  const params = Object.entries(run.params);
  if (params.length > 0) head.push(c.dim(`params ${params.map(([k, v]) => `${k}=${v}`).join(' ')}`));
  if (s.reattachedAt) head.push(c.yellow(`reattached ${s.reattachedAt}: its agent stopped while its Slurm jobs ran; another agent took the run over`));
  if (s.message) head.push(c.dim(s.message));
  // Cluster tasks add where they ran: the job of the latest attempt and its node.
  const jobs = run.tasks.some((t) => t.jobId !== undefined);
  const rows = run.tasks.map((t) => [
    t.id,
    colorStatus(t.status, c),
    String(t.attempts),
    t.exitCode === null ? '' : String(t.exitCode),
    t.durationMs === null ? '' : formatDuration(t.durationMs),
    ...(jobs ? [t.jobId ?? '', t.node ?? ''] : []),
  ]);
  return `${head.join('\n')}\n\n${table(['TASK', 'STATUS', 'ATTEMPTS', 'EXIT', 'TOOK', ...(jobs ? ['JOB', 'NODE'] : [])], rows)}`;
}

function taskCounts(counts: RunSummary['counts']): string {
  return Object.entries(counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

function colorStatus(status: string, c: Palette): string {
  if (status === 'succeeded' || status === 'cached') return c.green(status);
  if (status === 'failed') return c.red(status);
  if (status === 'running') return c.blue(status);
  if (status === 'skipped' || status === 'pending') return c.dim(status);
  return c.yellow(status);
}

// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell))))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
