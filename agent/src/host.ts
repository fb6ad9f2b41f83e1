import type { RunEvent, RunRequest, RunTrigger } from '../../core/src/protocol/agent';
import { adoptableRuns, adoptRun } from './reattach';
import { startRun, type ActiveRun, type RunHost, type StartError } from './runner';
import { ResourcePool, type Capacity } from './schedule/capacity';
import { ScheduleLeases } from './schedule/leases';
import type { StoreConfig } from './state/config';
import { explainStateError } from './state/errors';
import type { Store } from './state/store';
import { Triggers } from './triggers';
import type { Result } from '../../core/src/result';

/**
 * A long-lived agent (`mlops agent --stdio`, `mlops serve`): runs started on request or by
 * schedule, side by side, and their events to one listener.
 */
export class AgentHost {
  readonly active = new Map<string, ActiveRun>();
  readonly triggers: Triggers;
  /** One pool for all runs: together they stay within the machine's capacity. */
  readonly pool: ResourcePool;
  /** The schedules' leases: among agents serving one repository, only the holder fires. */
  readonly leases: ScheduleLeases;

  constructor(
    readonly store: Store,
    readonly config: StoreConfig,
    /** The workspace folder: relative pipeline paths and schedules are looked up here. */
    readonly root: string,
    capacity: Capacity,
    private readonly onEvents: (events: RunEvent[]) => void,
    private readonly log: (message: string) => void,
  ) {
    this.pool = new ResourcePool(capacity);
    // Tests move the schedule clock (and only it) to just before a fire time.
    const offset = Number(process.env.MLOPS_CLOCK_OFFSET_MS) || 0;
    this.leases = new ScheduleLeases(store, root, () => this.triggers.schedules(), log);
    this.triggers = new Triggers({
      root,
      now: () => new Date(Date.now() + offset),
      claim: async (file, cron, at) => {
        const mine = await this.leases.claim(file, cron, at);
        if (!mine) this.log(`schedule of ${file} at ${at.toISOString()}: another agent fires it`);
        return mine;
      },
      fire: (file, at) => void this.fire(file, at),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (t) => clearTimeout(t),
    });
  }

  async start(req: RunRequest, trigger: RunTrigger): Promise<Result<ActiveRun, StartError>> {
    const r = await startRun(this.runHost(), req, trigger);
    if (r.ok) this.track(r.value);
    return r;
  }

  /**
   * Takes over the runs whose agent died while their Slurm jobs ran on (reattach.ts); called
   * once the agent is up, so their events reach the editor like those of its own runs.
   */
  async reattachOrphans(): Promise<void> {
    for (const owner of await adoptableRuns(this.store)) {
      const r = await adoptRun(this.runHost(), owner);
      if (r.ok) {
        this.track(r.value);
        this.log(`took over run ${owner.id}: its agent (pid ${owner.agentPid}) stopped while its Slurm jobs ran`);
      } else this.log(`cannot take over run ${owner.id}: ${r.error.message}`);
    }
  }

  private runHost(): RunHost {
    return { store: this.store, config: this.config, cwd: this.root, pool: this.pool, onEvents: this.onEvents };
  }

  private track(run: ActiveRun): void {
    this.active.set(run.id, run);
    void run.done.then(
      () => this.active.delete(run.id),
      (e: Error) => {
        this.active.delete(run.id);
        this.log(`run ${run.id} stopped: ${(explainStateError(e) ?? e).message}`);
      },
    );
  }

  /** Fires scheduled pipelines from now on, taking their leases. */
  serveSchedules(): void {
    this.triggers.start();
    this.leases.start();
  }

  /** Stops firing and gives the leases up, so another agent takes over at once. */
  async stopSchedules(): Promise<void> {
    this.triggers.stop();
    await this.leases.stop();
  }

  /** Resolves once no run is active. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()].map((r) => r.done));
  }

  private async fire(file: string, at: Date): Promise<void> {
    const busy = [...this.active.values()].find((r) => r.plan.loaded.file === file);
    if (busy) {
      this.log(`schedule of ${file} at ${at.toISOString()} skipped: run ${busy.id} of it is still going`);
      return;
    }
    const r = await this.start({ file }, 'schedule');
    if (r.ok) this.log(`schedule of ${file} at ${at.toISOString()} started run ${r.value.id}`);
    else this.log(`schedule of ${file} at ${at.toISOString()} could not start: ${r.error.message}`);
  }
}
