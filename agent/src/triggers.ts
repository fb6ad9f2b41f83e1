import * as fs from 'node:fs';
import { isTimeZone, loadPipeline, nextFire, parseCron, parseYaml, type CronSpec, type ScheduledPipeline } from '../../core/src/index';
import { findProjectFilesSync } from '../../core/src/node';
import { readDocument } from './util/files';

/** How often the workspace is read again for added, changed or removed schedules. */
const RESCAN_MS = 60_000;

interface Schedule {
  file: string;
  pipeline: string;
  cron: string;
  spec: CronSpec;
  timezone: string;
}

export interface TriggerDeps {
  /** The workspace folder whose pipelines are scheduled. */
  root: string;
  now(): Date;
  /**
   * Records a fire; false when another agent on the same store already fired it, or holds
   * the schedule's lease. A store that answers later returns a promise.
   */
  claim(file: string, cron: string, fireAt: Date): boolean | Promise<boolean>;
  /** Starts a scheduled run of the pipeline. */
  fire(file: string, fireAt: Date): void;
  setTimer(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimer(t: NodeJS.Timeout): void;
}

/**
 * Fires the workspace's scheduled pipelines at their cron times, in their time zones,
 * while an agent runs. Fire times that passed while no agent ran are not replayed: only
 * times after the agent started count.
 */
export class Triggers {
  private lastCheck: Date;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  /** The schedules of the last scan of the workspace. */
  private known: Schedule[] | null = null;

  constructor(private readonly deps: TriggerDeps) {
    this.lastCheck = deps.now();
  }

  /** Every valid schedule of the workspace as last scanned (at most a rescan interval old): pipeline file and cron expression. */
  schedules(): { file: string; cron: string }[] {
    return (this.known ?? this.scan()).map((s) => ({ file: s.file, cron: s.cron }));
  }

  /** Every valid schedule of the workspace (or of one file) with its next fire time. */
  next(file?: string): ScheduledPipeline[] {
    const now = this.deps.now();
    return this.scan()
      .filter((s) => !file || s.file === file)
      .map((s) => ({ file: s.file, pipeline: s.pipeline, cron: s.cron, timezone: s.timezone, next: nextFire(s.spec, now, s.timezone)?.toISOString() ?? null }));
  }

  start(): void {
    this.stopped = false;
    this.lastCheck = this.deps.now();
    this.arm(this.scan());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.deps.clearTimer(this.timer);
    this.timer = null;
  }

  /** Fires what came due since the last check (each schedule at most once), then re-arms. */
  check(): void {
    const now = this.deps.now();
    const schedules = this.scan();
    for (const s of schedules) {
      const due = nextFire(s.spec, this.lastCheck, s.timezone);
      if (!due || due.getTime() > now.getTime()) continue;
      const claimed = this.deps.claim(s.file, s.cron, due);
      if (claimed === true) this.deps.fire(s.file, due);
      else if (claimed !== false) {
        // A store that cannot answer now loses this fire rather than risk firing it twice.
        void claimed.then(
          (yes) => yes && !this.stopped && this.deps.fire(s.file, due),
          () => undefined,
        );
      }
    }
    this.lastCheck = now;
    this.arm(schedules);
  }

  /** Sleeps until the next fire time, or at most until the next rescan. */
  private arm(schedules: Schedule[]): void {
    if (this.stopped) return;
    if (this.timer) this.deps.clearTimer(this.timer);
    const now = this.deps.now().getTime();
    let wait = RESCAN_MS;
    for (const s of schedules) {
      const t = nextFire(s.spec, new Date(now), s.timezone);
      if (t) wait = Math.min(wait, t.getTime() - now);
    }
    this.timer = this.deps.setTimer(() => this.check(), Math.max(0, wait));
  }

  private scan(): Schedule[] {
    const out: Schedule[] = [];
    for (const found of findProjectFilesSync(this.deps.root, 'pipeline')) {
      let file: string;
      try {
        file = fs.realpathSync(found); // the spelling runs record, so a fire can find its own runs
      } catch {
        continue;
      }
      // One that cannot be read cannot run either; a run of it says why.
      const text = readDocument(file, [this.deps.root]);
      if (!text.ok) continue;
      const p = loadPipeline(parseYaml(text.value).root);
      for (const s of p.schedules) {
        if (!s.cron) continue;
        const cron = parseCron(s.cron.value);
        const timezone = s.timezone?.value ?? 'UTC';
        // An invalid schedule is an error `mlops validate` reports; it simply never fires.
        if (!cron.ok || !isTimeZone(timezone)) continue;
        out.push({ file, pipeline: p.name?.value ?? file, cron: s.cron.value, spec: cron.value, timezone });
      }
    }
    this.known = out;
    return out;
  }
}
