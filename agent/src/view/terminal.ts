import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunEndStatus, RunEvent, TaskEndStatus } from '../../../core/src/protocol/agent';
import type { Palette } from '../util/colors';
import { formatBytes } from '../../../core/src/catalog/display';
import { unreachable } from '../../../core/src/result';
import { formatClock, formatDuration } from '../util/time';

/** The most running tasks listed one per line under the status line. */
const MAX_RUNNING_LINES = 8;
const REDRAW_MS = 100;

/** What the terminal shows of a run, fed with committed events. */
export interface RunView {
  onEvents(events: readonly RunEvent[]): void;
  /** Stops redrawing; leaves the final lines in place. */
  close(): void;
}

interface Counts {
  total: number;
  done: number;
  failed: number;
  cached: number;
  skipped: number;
}

/**
 * Plain lines, one per event that matters (`✓ ingest 0.3s`, `✗ train exit 1 (log: …)`),
 * for logs, CI and pipes. Paths are shown relative to `cwd`.
 */
export class LineView implements RunView {
  protected readonly counts: Counts = { total: 0, done: 0, failed: 0, cached: 0, skipped: 0 };
  protected startedAt = Date.now();
  /** The run was taken over: the counts cover only what ended since. */
  private reattached = false;

  constructor(
    protected readonly out: NodeJS.WritableStream,
    protected readonly c: Palette,
    protected readonly cwd: string,
  ) {}

  onEvents(events: readonly RunEvent[]): void {
    let text = '';
    for (const e of events) text += this.line(e);
    if (text) this.write(text);
  }

  close(): void {}

  protected write(text: string): void {
    this.out.write(text);
  }

  /** The permanent line(s) for an event, with a trailing newline, or ''. */
  protected line(e: RunEvent): string {
    const c = this.c;
    switch (e.type) {
      case 'run-started':
        this.startedAt = Date.parse(e.startedAt);
        this.counts.total = e.tasks.length;
        return c.dim(`▶ ${e.pipeline} · run ${e.runId} · ${plural(e.tasks.length, 'task')}${e.resumedFrom ? ` · resuming ${e.resumedFrom}` : ''}\n`);
      case 'run-reattached':
        this.startedAt = Date.parse(e.at);
        this.reattached = true;
        return c.dim(`↺ reattached run ${e.runId}: ${e.message}\n`);
      case 'task-started':
        return '';
      case 'task-job':
        // One line when a job starts on a node: where it runs is what a cluster user looks for.
        return e.job.state === 'RUNNING' && e.job.node ? c.dim(`▸ ${e.task} job ${e.job.jobId} running on ${e.job.node}\n`) : '';
      case 'task-retrying':
        return `${c.yellow('↻')} ${e.task} ${e.reason}; attempt ${e.attempt + 1} in ${formatDuration(e.delayMs)}\n`;
      case 'task-finished':
        this.count(e.status);
        return this.finishedLine(e);
      case 'run-finished':
        return this.summary(e.status, Date.parse(e.endedAt) - this.startedAt, e.runId);
      case 'task-progress':
        return c.dim(`… ${e.task} ${progressText(e, this.cwd)}\n`);
      default:
        return unreachable(e);
    }
  }

  private count(status: TaskEndStatus): void {
    this.counts.done++;
    if (status === 'failed') this.counts.failed++;
    if (status === 'cached') this.counts.cached++;
    if (status === 'skipped') this.counts.skipped++;
  }

  private finishedLine(e: Extract<RunEvent, { type: 'task-finished' }>): string {
    const c = this.c;
    // A task that printed nothing has no log file to point at.
    const log = e.log && e.status === 'failed' && fs.existsSync(e.log) ? ` (log: ${path.relative(this.cwd, e.log) || e.log})` : '';
    switch (e.status) {
      case 'succeeded':
        return `${c.green('✓')} ${e.task} ${c.dim(formatDuration(e.durationMs ?? 0))}${e.attempts > 1 ? c.dim(` (attempt ${e.attempts})`) : ''}\n`;
      case 'cached':
        // Restored from someone else's upload: say whose, as that is news to this working copy.
        return `${c.blue('○')} ${e.task} ${c.dim(e.message?.startsWith('restored from run ') ? `cached (${e.message})` : 'cached')}\n`;
      case 'failed':
        return `${c.red('✗')} ${e.task} ${e.message ?? 'failed'}${log}\n`;
      case 'skipped':
        return `${c.dim(`- ${e.task} skipped`)}\n`;
      case 'cancelled':
        return `${c.yellow('⊘')} ${e.task} cancelled\n`;
      case 'interrupted':
        return `${c.yellow('!')} ${e.task} interrupted\n`;
      default:
        return unreachable(e.status);
    }
  }

  private summary(status: RunEndStatus, ms: number, runId: string): string {
    const c = this.c;
    const { total, failed, cached, skipped } = this.counts;
    const extra = [cached ? `${cached} cached` : '', failed ? `${failed} failed` : '', skipped ? `${skipped} skipped` : ''].filter(Boolean).join(', ');
    const head = `${this.reattached ? `${plural(this.counts.done, 'task')} ended after reattaching` : plural(total, 'task')}${extra ? ` (${extra})` : ''} in ${formatDuration(ms)} · run ${runId}`;
    switch (status) {
      case 'succeeded':
        return `${c.green('✓ succeeded')}: ${head}\n`;
      case 'failed':
        return `${c.red('✗ failed')}: ${head}\n${c.dim(`  rerun from the failure: mlops run … --resume ${runId}`)}\n`;
      case 'cancelled':
        return `${c.yellow('⊘ cancelled')}: ${head}\n`;
      case 'interrupted':
        return `${c.yellow('! interrupted')}: ${head}\n`;
      default:
        return unreachable(status);
    }
  }
}

/**
 * A live view for terminals: permanent lines for failures and retries, and below them a
 * block redrawn in place — `▶ 2 running · 5/12 done · 1 failed · 00:07` and one line per
 * running task with its elapsed time.
 */
export class LiveView extends LineView {
  private readonly running = new Map<string, number>();
  /** Tasks whose inputs are being hashed, with how far it has got. */
  private readonly preparing = new Map<string, string>();
  /** Where each running cluster task's job is: `job 42 · n1`, `job 42 · queued (Priority)`. */
  private readonly jobs = new Map<string, string>();
  private drawn = 0;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(out: NodeJS.WriteStream, c: Palette, cwd: string) {
    super(out, c, cwd);
    this.timer = setInterval(() => this.redraw(''), REDRAW_MS);
    this.timer.unref();
  }

  override onEvents(events: readonly RunEvent[]): void {
    let permanent = '';
    for (const e of events) {
      if (e.type === 'task-started') {
        this.running.set(e.task, Date.parse(e.at));
        if (e.jobId) this.jobs.set(e.task, `job ${e.jobId}`);
      } else if (e.type === 'task-finished' || e.type === 'task-retrying') {
        this.running.delete(e.task);
        this.jobs.delete(e.task);
      } else if (e.type === 'task-job') {
        this.jobs.set(e.task, `job ${e.job.jobId} · ${e.job.node ?? `queued${e.job.reason ? ` (${e.job.reason})` : ''}`}`);
      }
      if (e.type === 'task-progress') this.preparing.set(e.task, progressText(e, this.cwd));
      else if (e.type === 'task-started' || e.type === 'task-finished') this.preparing.delete(e.task);
      const line = e.type === 'task-job' ? '' : this.line(e);
      // Successes, cache hits, progress and job moves only change the block below; failures and the summary stay on screen.
      const keep = (e.type !== 'task-finished' || e.status === 'failed') && e.type !== 'task-progress' && e.type !== 'task-job';
      if (keep) permanent += line;
      if (e.type === 'run-finished') this.close();
    }
    this.redraw(permanent);
  }

  override close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private redraw(permanent: string): void {
    const clear = this.drawn > 0 ? `\u001b[${this.drawn}A\r\u001b[J` : '';
    const block = this.closed ? [] : this.block();
    this.drawn = block.length;
    if (!clear && !permanent && block.length === 0) return;
    this.write(clear + permanent + block.map((l) => `${l}\n`).join(''));
  }

  private block(): string[] {
    const c = this.c;
    const now = Date.now();
    const width = (this.out as NodeJS.WriteStream).columns || 80;
    const { total, done, failed } = this.counts;
    const parts = [`${this.running.size} running`, `${done}/${total} done`];
    if (failed) parts.push(c.red(`${failed} failed`));
    parts.push(formatClock(now - this.startedAt));
    const lines = [`${c.bold('▶')} ${parts.join(' · ')}`];
    let shown = 0;
    for (const [task, since] of this.running) {
      if (shown++ === MAX_RUNNING_LINES) {
        lines.push(c.dim(`  … and ${this.running.size - MAX_RUNNING_LINES} more`));
        break;
      }
      const job = this.jobs.get(task);
      lines.push(`  ${truncate(task, width - 12 - (job ? job.length + 1 : 0))} ${c.dim(`${job ? `${job} ` : ''}${formatClock(now - since)}`)}`);
    }
    for (const [task, text] of this.preparing) lines.push(c.dim(truncate(`  ${task} ${text}`, width - 1)));
    return lines;
  }
}

/** `hashing data/big.bin: 1.2 GB of 10 GB` (the path relative to `cwd`). */
function progressText(e: Extract<RunEvent, { type: 'task-progress' }>, cwd: string): string {
  return `hashing ${path.relative(cwd, e.path) || e.path}: ${formatBytes(e.doneBytes)} of ${formatBytes(e.totalBytes)}`;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(1, n - 1))}…`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
