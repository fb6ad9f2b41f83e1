import { EXECUTORS, type ExecutorKind, type RunEndStatus, type RunEvent, type RunRequest } from '../../../core/src/protocol/agent';
import { parseSize } from '../execute/log-limit';
import { startRun, type ActiveRun } from '../runner';
import { detectCapacity, ResourcePool } from '../schedule/capacity';
import { STORE_OPTIONS, STORE_USAGE, storeConfig } from '../state/config';
import { explainStateError } from '../state/errors';
import { openState } from '../state/open';
import type { SqliteStore } from '../state/sqlite-store';
import { flag, format, keyValues, option, parseArgs, UsageError, type ParsedArgs } from '../util/args';
import { palette } from '../util/colors';
import { LineView, LiveView, type RunView } from '../view/terminal';
import type { Command } from './command';
import { EXIT } from './dispatch';

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a pipeline on this machine: cached, resumable, recorded in .mlops/ (exit 0 only on success)',
  usage: `mlops run FILE [--param k=v]… [--only t1,t2] [--from t] [--resume RUN|last] [--force] [--parallel N] [--executor local|docker|slurm] [--keep-going] [--pull] [--wait] [--log-limit SIZE] ${STORE_USAGE} [--format text|json]`,
  async run(argv) {
    const args = parseArgs(argv, {
      flags: ['force', 'keep-going', 'pull', 'wait'],
      values: ['param', 'only', 'from', 'resume', 'parallel', 'executor', 'format', 'log-limit', ...STORE_OPTIONS],
    });
    const fmt = format(args, ['text', 'json'] as const, 'text');
    const req = runRequest(args);
    const cwd = process.cwd();
    const config = storeConfig(cwd, args);
    const store = await openState(config, { write: true });
    const c = palette(process.stdout);
    let view: RunView | undefined;
    if (fmt === 'text') view = process.stdout.isTTY ? new LiveView(process.stdout, c, cwd) : new LineView(process.stdout, c, cwd);
    // Ctrl-C is ours from here on: one during preparation cancels the run as soon as it exists.
    let run: ActiveRun | undefined;
    let early: boolean | undefined;
    const stop = onInterrupt((force) => {
      if (!force) process.stderr.write('\nmlops run: cancelling — stopping every running task (Ctrl-C again to kill at once)\n');
      if (run) run.cancel(force);
      else early = force || early === true;
    });
    const host = { store, config, cwd, pool: new ResourcePool(detectCapacity()), onEvents: (e: RunEvent[]) => view?.onEvents(e) };
    let started = await startRun(host, req, 'cli');
    // --wait: while another run holds the pipeline, try again every half second until it is free or Ctrl-C.
    if (!started.ok && started.error.kind === 'busy' && flag(args, 'wait')) {
      process.stderr.write(`mlops run: waiting for run ${started.error.runId} to end before starting (Ctrl-C stops waiting)\n`);
      while (!started.ok && started.error.kind === 'busy' && early === undefined) {
        await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
        if (early === undefined) started = await startRun(host, req, 'cli');
      }
      if (!started.ok && early !== undefined) {
        stop();
        view?.close();
        process.stderr.write('mlops run: stopped waiting; nothing ran.\n');
        await store.close();
        return EXIT.cancelled;
      }
    }
    if (!started.ok) {
      stop();
      view?.close();
      const e = started.error;
      // Loaded only for a refused pipeline: validate.ts brings all of core with it.
      if (e.kind === 'invalid') process.stderr.write((await import('./validate.js')).formatDiagnostics(e.problems, 1, palette(process.stderr)));
      process.stderr.write(`mlops run: ${e.message}\n`);
      await store.close();
      return e.kind === 'busy' ? EXIT.busy : EXIT.usage;
    }
    run = started.value;
    if (early !== undefined) run.cancel(early);
    let status: RunEndStatus;
    try {
      status = await run.done;
    } catch (e) {
      // The store stopped answering for longer than the run may wait: what it holds stays.
      process.stderr.write(`mlops run: run ${run.id} stopped: ${(explainStateError(e) ?? (e as Error)).message}\n`);
      await store.close().catch(() => undefined);
      return 1;
    } finally {
      stop();
      view?.close();
    }
    if (fmt === 'json') {
      // SQLite answers at once; printing without a turn of the event loop keeps the end of a run short.
      const shown = store.kind === 'sqlite' ? (store as SqliteStore).runNow(run.id) : await store.run(run.id);
      process.stdout.write(`${JSON.stringify(shown!.record, null, 2)}\n`);
    }
    await store.close();
    return status === 'succeeded' ? 0 : status === 'cancelled' ? 130 : 1;
  },
};

function runRequest(args: ParsedArgs): RunRequest {
  const [file, ...extra] = args.positionals;
  if (!file) throw new UsageError('Name the pipeline to run, e.g. mlops run train.pipeline.yaml.');
  if (extra.length > 0) throw new UsageError(`Run one pipeline at a time; unexpected ${extra.join(' ')}.`);
  const params = keyValues(args, 'param');
  const req: RunRequest = { file, params, force: flag(args, 'force'), keepGoing: flag(args, 'keep-going'), pull: flag(args, 'pull') };
  const only = args.options.get('only');
  if (only) {
    req.only = only
      .flatMap((o) => o.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    // An empty selection would "succeed" having run nothing.
    if (req.only.length === 0) throw new UsageError('--only needs the ids of the tasks to run, e.g. --only train,evaluate.');
  }
  const from = option(args, 'from');
  if (from !== undefined) {
    if (!from.trim()) throw new UsageError('--from needs the id of the task to start from, e.g. --from train.');
    req.from = from.trim();
  }
  const resume = option(args, 'resume');
  if (resume !== undefined) {
    if (!resume.trim()) throw new UsageError('--resume needs a run id or last.');
    req.resume = resume.trim();
  }
  const parallel = option(args, 'parallel');
  if (parallel !== undefined) {
    if (!/^\d+$/.test(parallel) || Number(parallel) < 1) throw new UsageError('--parallel takes a whole number of at least 1.');
    req.parallel = Number(parallel);
  }
  const limit = option(args, 'log-limit');
  if (limit !== undefined) {
    const bytes = parseSize(limit);
    if (bytes === undefined) throw new UsageError(`--log-limit takes a size such as 100M, 2G or 65536 (bytes), not '${limit}'.`);
    req.logLimit = bytes;
  }
  const executor = option(args, 'executor');
  if (executor !== undefined) {
    if (!(EXECUTORS as readonly string[]).includes(executor)) throw new UsageError(`--executor is ${EXECUTORS.join(', ')}.`);
    req.executor = executor as ExecutorKind;
  }
  return req;
}

/** How often `--wait` tries again. */
const WAIT_POLL_MS = 500;

/** A second signal closer than this to the first is the same keypress delivered twice. */
const REPEAT_MS = 300;

/**
 * Ctrl-C (or SIGTERM/SIGHUP) cancels the run; a second Ctrl-C kills every task at once.
 * Returns a function that removes the handlers. (bin/mlops.js, when it re-runs this on a
 * newer Node, passes a terminal's Ctrl-C on although the terminal sent it here too: that
 * duplicate is not a second press.)
 */
export function onInterrupt(cancel: (force: boolean) => void): () => void {
  let first = 0;
  const handler = () => {
    const now = Date.now();
    if (first === 0) {
      first = now;
      cancel(false);
    } else if (now - first > REPEAT_MS) cancel(true);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
