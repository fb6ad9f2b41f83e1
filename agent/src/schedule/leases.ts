import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { LeaseHolder, Store } from '../state/store';

/** How long a schedule's lease lasts without renewal; an agent that dies loses it after this. */
export function leaseTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.MLOPS_LEASE_TTL_MS);
  return Number.isFinite(v) && v >= 100 ? v : 30_000;
}

/**
 * The name of a schedule in the store: the pipeline's path in the repository and its cron
 * expression, the same in every working copy, so agents serving copies of one repository
 * share its fires and its lease.
 */
export function scheduleKey(root: string, file: string, cron: string): string {
  return `schedule:${path.relative(root, file).split(path.sep).join('/')}#${cron}`;
}

/**
 * The leases of the schedules an agent serves. Only the agent holding a schedule's lease
 * fires it; the holder renews its leases every third of their lifetime, so another agent
 * takes a schedule over once its holder has stopped renewing — it died, even by SIGKILL —
 * and the lease ran out. The fire itself is also claimed in the store, once per time.
 */
export class ScheduleLeases {
  /** This agent's identity in lease rows (pid alone may repeat across machines). */
  readonly holder = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | null = null;
  private readonly ttl = leaseTtlMs();
  /** Who held each schedule's lease when last seen, to log only changes. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly root: string,
    /** The schedules to hold now (they change while the agent runs). */
    private readonly schedules: () => { file: string; cron: string }[],
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    void this.renew();
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.ttl / 3)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.schedules().map((s) => this.store.releaseLease(scheduleKey(this.root, s.file, s.cron), this.holder).catch(() => undefined)));
  }

  /** Whether this agent fires the schedule now: it holds (or just took) its lease and claimed the time. */
  async claim(file: string, cron: string, fireAt: Date): Promise<boolean> {
    const key = scheduleKey(this.root, file, cron);
    const lease = await this.take(key);
    if (lease.holder !== this.holder) return false;
    return this.store.claimFire(key, fireAt.toISOString());
  }

  private async renew(): Promise<void> {
    for (const s of this.schedules()) {
      const key = scheduleKey(this.root, s.file, s.cron);
      try {
        await this.take(key);
      } catch (e) {
        this.log(`cannot renew the lease of ${key}: ${(e as Error).message}`);
      }
    }
  }

  /** Takes or renews a lease, and says so when its holder changed since last seen. */
  private async take(key: string): Promise<LeaseHolder> {
    const lease = await this.store.lease(key, this.holder, this.ttl);
    const before = this.seen.get(key);
    if (before !== lease.holder) {
      this.seen.set(key, lease.holder);
      if (lease.holder === this.holder) this.log(`${key}: this agent fires it${before ? ' (the agent that did stopped renewing its lease)' : ''}`);
      else this.log(`${key}: fired by the agent of ${lease.user}@${lease.host} (pid ${lease.pid}), which holds its lease`);
    }
    return lease;
  }
}
