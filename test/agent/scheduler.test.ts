import assert from 'node:assert/strict';
import type { RunEvent } from '../../core/src/protocol/agent';
import type { AttemptListener, Executor, Exit, Launch, TaskHandle } from '../../agent/src/execute/executor';
import type { Plan, PlannedTask, ResourceRequest } from '../../agent/src/plan';
import { ResourcePool, type Capacity } from '../../agent/src/schedule/capacity';
import { Scheduler, type Decide, type DecideContext, type Decision, type SchedulerClock } from '../../agent/src/schedule/scheduler';
import { ok } from '../../core/src/result';
import { formatDuration } from '../../agent/src/util/time';
import { FakeClock } from '../clock';

/** An executor whose tasks end when the test says so. */
class FakeExecutor implements Executor {
  readonly kind = 'local' as const;
  readonly running = new Map<string, { launch: Launch; listener: AttemptListener; stopped: boolean }>();
  readonly log: string[] = [];
  maxRunning = 0;

  async prepare() {
    return ok(undefined);
  }
  start(launch: Launch, listener: AttemptListener): TaskHandle {
    const id = launch.task.id;
    this.log.push(`start ${id}#${launch.attempt}`);
    const entry = { launch, listener, stopped: false };
    this.running.set(id, entry);
    this.maxRunning = Math.max(this.maxRunning, this.running.size);
    queueMicrotask(() => listener.started(1000 + this.log.length));
    return {
      stop: () => {
        entry.stopped = true;
        this.end(id, { code: null, signal: 'SIGTERM', error: null });
      },
    };
  }
  async dispose() {}
  /** Ends a running task. */
  end(id: string, exit: Exit = { code: 0, signal: null, error: null }): void {
    const e = this.running.get(id);
    assert.ok(e, `${id} is not running (running: ${[...this.running.keys()].join(', ')})`);
    this.running.delete(id);
    this.log.push(`end ${id}`);
    queueMicrotask(() => e.listener.exited(exit));
  }
  fail(id: string, code = 1): void {
    this.end(id, { code, signal: null, error: null });
  }
}

const NONE: ResourceRequest = { cpu: 0, memory: 0, gpu: 0 };

function taskOf(id: string, upstream: string[] = [], extra: Partial<PlannedTask> = {}): PlannedTask {
  return {
    id,
    command: `run ${id}`,
    executor: 'local',
    image: null,
    workdir: '/tmp',
    root: '/tmp',
    share: false,
    env: {},
    upstream,
    inputs: [],
    outputs: [],
    usedParams: {},
    resources: NONE,
    retries: { limit: 0, backoffMs: 10, factor: 1 },
    timeoutMs: null,
    cache: true,
    slurm: null,
    ...extra,
  };
}

function planOf(tasks: PlannedTask[], extra: Partial<Plan> = {}): Plan {
  return {
    runId: 'r1',
    loaded: { file: '/tmp/p.pipeline.yaml', name: 'p', order: tasks.map((t) => t.id) } as Plan['loaded'],
    params: {},
    tasks,
    carried: new Map(),
    external: new Map(),
    force: false,
    resumedFrom: null,
    ...extra,
  };
}

const CAPACITY: Capacity = { cpu: 4, memory: 8 * 2 ** 30, gpus: [] };

/** The scheduler's time in these tests: a fake clock, on which `soon` is a 0 ms timer. */
function schedulerClock(clock: FakeClock): SchedulerClock {
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (t) => clock.clearTimeout(t),
    soon: (fn) => void clock.setTimeout(fn, 0),
  };
}

function scheduler(plan: Plan, opts: { parallel?: number; keepGoing?: boolean; capacity?: Capacity; pool?: ResourcePool; decide?: Decide; clock?: FakeClock } = {}) {
  const ex = new FakeExecutor();
  const events: RunEvent[] = [];
  const commits: number[] = [];
  const clock = opts.clock ?? new FakeClock();
  const s = new Scheduler(
    plan,
    { parallel: opts.parallel ?? 4, remoteParallel: Infinity, keepGoing: opts.keepGoing ?? false, pool: opts.pool ?? new ResourcePool(opts.capacity ?? CAPACITY), trigger: 'cli' },
    {
      executors: { local: ex },
      decide: opts.decide ?? ((t) => ({ fingerprint: `fp-${t.id}`, cached: false })),
      logPath: (t) => `/nonexistent/${t}.log`,
      commit: (e) => {
        commits.push(e.length);
        events.push(...e);
      },
      clock: schedulerClock(clock),
    },
  );
  return { s, ex, events, commits, clock };
}

/**
 * The barrier: lets the scheduler do everything it can without time passing — the
 * executor's reports (microtasks), the ticks they queue (0 ms timers on the fake clock), the
 * reactions to those — until only timers in the future are left. After it, whatever has not
 * happened will not, until the test ends a task or moves the clock.
 */
async function react(clock: FakeClock): Promise<void> {
  for (let round = 0; round < 1000; round++) {
    await new Promise((r) => setImmediate(r)); // every microtask queued so far has run
    if (clock.due === 0) return;
    clock.advance(0);
  }
  throw new Error('the scheduler keeps reacting without time passing');
}

const runningIds = (ex: FakeExecutor) => [...ex.running.keys()];

const finishedStatus = (events: RunEvent[]) => Object.fromEntries(events.flatMap((e) => (e.type === 'task-finished' ? [[e.task, e.status]] : [])));

describe('scheduler', () => {
  it('runs a diamond in dependency order, and times each task by its clock', async () => {
    const { s, ex, events, clock } = scheduler(planOf([taskOf('a'), taskOf('b', ['a']), taskOf('c', ['a']), taskOf('d', ['b', 'c'])]));
    const done = s.run();
    await react(clock);
    assert.deepEqual(runningIds(ex), ['a']);
    clock.advance(1500);
    ex.end('a');
    await react(clock);
    assert.deepEqual(runningIds(ex), ['b', 'c']);
    ex.end('c');
    await react(clock);
    assert.deepEqual(runningIds(ex), ['b'], 'd waits for b');
    ex.end('b');
    await react(clock);
    assert.deepEqual(runningIds(ex), ['d']);
    ex.end('d');
    await react(clock);
    assert.equal(await done, 'succeeded');
    assert.equal(events[0]!.type, 'run-started');
    assert.equal(events.at(-1)!.type, 'run-finished');
    assert.deepEqual(finishedStatus(events), { a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
    const a = events.find((e) => e.type === 'task-finished' && e.task === 'a') as Extract<RunEvent, { type: 'task-finished' }>;
    assert.equal(a.durationMs, 1500);
    assert.equal(a.at, new Date(clock.now()).toISOString());
  });

  it('honours the parallel limit and the machine capacity', async () => {
    const cpu2 = { ...NONE, cpu: 2 };
    const tasks = ['a', 'b', 'c', 'd'].map((id) => taskOf(id, [], { resources: cpu2 }));
    const { s, ex, clock } = scheduler(planOf([...tasks, taskOf('e'), taskOf('f')]), { parallel: 3 });
    const done = s.run();
    const seen: string[][] = [];
    for (let i = 0; i < 20 && (ex.running.size > 0 || i === 0); i++) {
      await react(clock);
      seen.push(runningIds(ex));
      const cpus = [...ex.running.values()].reduce((n, r) => n + r.launch.task.resources.cpu, 0);
      assert.ok(cpus <= 4, `at most 4 cores in use, not ${cpus}`);
      assert.ok(ex.running.size <= 3);
      const first = [...ex.running.keys()][0];
      if (first) ex.end(first);
    }
    await react(clock);
    assert.equal(await done, 'succeeded');
    assert.equal(ex.maxRunning, 3);
    // Two 2-core tasks fill the 4 cores; the slot left goes to a task that needs none.
    assert.deepEqual(seen[0], ['a', 'b', 'e']);
  });

  it('shares the machine between runs: a run waiting for room starts when another run releases it', async () => {
    const pool = new ResourcePool({ cpu: 2, memory: 2 ** 30, gpus: ['0'] });
    const gpu = { cpu: 1, memory: 0, gpu: 1 };
    const clock = new FakeClock();
    const first = scheduler(planOf([taskOf('a', [], { resources: gpu })], { runId: 'r1' }), { pool, clock });
    const second = scheduler(planOf([taskOf('b', [], { resources: gpu })], { runId: 'r2' }), { pool, clock });
    const done1 = first.s.run();
    const done2 = second.s.run();
    await react(clock);
    assert.deepEqual([...first.ex.running.keys(), ...second.ex.running.keys()], ['a'], 'one GPU, one task');
    assert.equal(first.ex.running.get('a')!.launch.gpus[0], '0');
    first.ex.end('a');
    await react(clock);
    assert.deepEqual(runningIds(second.ex), ['b'], 'b starts once a has released the GPU');
    second.ex.end('b');
    await react(clock);
    assert.deepEqual(await Promise.all([done1, done2]), ['succeeded', 'succeeded']);
  });

  it('fails a task that can never fit at once, naming the request and the capacity', async () => {
    const { s, events, ex } = scheduler(planOf([taskOf('big', [], { resources: { cpu: 64, memory: 0, gpu: 1 } }), taskOf('next', ['big'])]));
    assert.equal(await s.run(), 'failed');
    assert.equal(ex.log.length, 0);
    const big = events.find((e) => e.type === 'task-finished' && e.task === 'big');
    assert.ok(big?.type === 'task-finished');
    assert.equal(big.message, "Task 'big' requests cpu 64, memory 0B, gpu 1 but this machine has cpu 4, memory 8Gi, gpu 0; lower its resources or run it on a bigger machine.");
    assert.deepEqual(finishedStatus(events), { big: 'failed', next: 'skipped' });
  });

  it('retries with growing backoff: each attempt starts when its wait is over, not a millisecond before; then fails', async () => {
    const { s, ex, events, clock } = scheduler(planOf([taskOf('flaky', [], { retries: { limit: 2, backoffMs: 5000, factor: 3 } })]));
    const done = s.run();
    await react(clock);
    assert.deepEqual(ex.log, ['start flaky#1']);
    for (const [attempt, wait] of [
      [2, 5000],
      [3, 15_000],
    ] as const) {
      ex.fail('flaky', 4);
      await react(clock);
      clock.advance(wait - 1);
      await react(clock);
      assert.deepEqual(runningIds(ex), [], `attempt ${attempt} waits ${wait} ms`);
      clock.advance(1);
      await react(clock);
      assert.equal(ex.log.at(-1), `start flaky#${attempt}`, `attempt ${attempt} starts after ${wait} ms`);
    }
    ex.fail('flaky', 4);
    await react(clock);
    assert.equal(await done, 'failed');
    assert.deepEqual(ex.log, ['start flaky#1', 'end flaky', 'start flaky#2', 'end flaky', 'start flaky#3', 'end flaky']);
    const retries = events.flatMap((e) => (e.type === 'task-retrying' ? [[e.attempt, e.delayMs, e.reason]] : []));
    assert.deepEqual(retries, [
      [1, 5000, 'exit 4'],
      [2, 15_000, 'exit 4'],
    ]);
    const last = events.find((e) => e.type === 'task-finished');
    assert.ok(last?.type === 'task-finished');
    assert.deepEqual([last.status, last.attempts, last.exitCode], ['failed', 3, 4]);
  });

  it('stops a task at its timeout, not a millisecond before, and says so', async () => {
    const { s, ex, events, clock } = scheduler(planOf([taskOf('slow', [], { timeoutMs: 90_000 })]));
    const done = s.run();
    await react(clock);
    const attempt = ex.running.get('slow')!;
    clock.advance(89_999);
    await react(clock);
    assert.equal(attempt.stopped, false);
    clock.advance(1);
    await react(clock);
    assert.equal(attempt.stopped, true);
    assert.equal(await done, 'failed');
    const slow = events.find((e) => e.type === 'task-finished') as Extract<RunEvent, { type: 'task-finished' }>;
    assert.deepEqual([slow.status, slow.message, slow.durationMs], ['failed', `timed out after ${formatDuration(90_000)}`, 90_000]);
  });

  it('stops launching after a failure but lets running tasks finish', async () => {
    const { s, ex, events, clock } = scheduler(planOf([taskOf('a'), taskOf('b'), taskOf('c'), taskOf('d', ['b'])]), { parallel: 2 });
    const done = s.run();
    await react(clock);
    assert.deepEqual(runningIds(ex), ['a', 'b']);
    ex.fail('a');
    await react(clock);
    assert.deepEqual(runningIds(ex), ['b'], 'c is not started');
    ex.end('b');
    await react(clock);
    assert.equal(await done, 'failed');
    assert.deepEqual(finishedStatus(events), { a: 'failed', b: 'succeeded', c: 'skipped', d: 'skipped' });
  });

  it('with keep-going, skips only what depends on the failure', async () => {
    const { s, ex, events, clock } = scheduler(planOf([taskOf('a'), taskOf('b', ['a']), taskOf('c'), taskOf('d', ['c'])]), { parallel: 1, keepGoing: true });
    const done = s.run();
    await react(clock);
    assert.deepEqual(runningIds(ex), ['a']);
    ex.fail('a');
    await react(clock);
    assert.deepEqual(runningIds(ex), ['c']);
    ex.end('c');
    await react(clock);
    assert.deepEqual(runningIds(ex), ['d']);
    ex.end('d');
    await react(clock);
    assert.equal(await done, 'failed');
    assert.deepEqual(finishedStatus(events), { a: 'failed', b: 'skipped', c: 'succeeded', d: 'succeeded' });
  });

  it('cancels: stops running tasks and marks the rest cancelled', async () => {
    const { s, ex, events, clock } = scheduler(planOf([taskOf('a'), taskOf('b'), taskOf('c', ['a'])]), { parallel: 2 });
    const done = s.run();
    await react(clock);
    assert.deepEqual(runningIds(ex), ['a', 'b']);
    s.cancel();
    await react(clock);
    assert.equal(await done, 'cancelled');
    assert.deepEqual([...ex.running.keys()], []);
    assert.deepEqual(finishedStatus(events), { c: 'cancelled', a: 'cancelled', b: 'cancelled' });
  });

  it('reuses cached tasks without running them and passes their fingerprints downstream', async () => {
    const seen: Record<string, Record<string, string | null>> = {};
    const decide: Decide = (t, upstream) => {
      seen[t.id] = upstream;
      return { fingerprint: `fp-${t.id}`, cached: t.id === 'a' };
    };
    const { s, ex, events, clock } = scheduler(planOf([taskOf('a'), taskOf('b', ['a', 'x'])], { external: new Map([['x', 'fp-x']]) }), { decide });
    const done = s.run();
    await react(clock);
    assert.deepEqual(runningIds(ex), ['b']);
    ex.end('b');
    await react(clock);
    assert.equal(await done, 'succeeded');
    assert.deepEqual(seen.b, { a: 'fp-a', x: 'fp-x' });
    assert.deepEqual(finishedStatus(events), { a: 'cached', b: 'succeeded' });
  });

  it('records the run before starting anything, then commits a task start together with its end', async () => {
    const { s, ex, commits, events, clock } = scheduler(planOf([taskOf('a')]));
    const done = s.run();
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-started'],
      'committed before the first launch',
    );
    assert.deepEqual(ex.log, ['start a#1']);
    await react(clock);
    clock.advance(9);
    await react(clock);
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-started'],
      'the start waits for the commit window',
    );
    ex.end('a');
    await react(clock);
    assert.equal(await done, 'succeeded');
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-started', 'task-started', 'task-finished', 'run-finished'],
    );
    assert.deepEqual(commits, [1, 3]);
  });

  it('commits a start on its own once the commit window (10 ms) is over', async () => {
    const { s, ex, commits, events, clock } = scheduler(planOf([taskOf('a')]));
    const done = s.run();
    await react(clock);
    clock.advance(10);
    await react(clock);
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-started', 'task-started'],
    );
    ex.end('a');
    await react(clock);
    assert.equal(await done, 'succeeded');
    assert.deepEqual(commits, [1, 1, 2]);
  });
});

describe('scheduler: cache decisions that take a while (hashing large inputs)', () => {
  /** Decisions the test settles by hand; each records its context. */
  function deferred() {
    const pending = new Map<string, { resolve: (d: Decision) => void; ctx: DecideContext }>();
    const decide: Decide = (t, _up, ctx) => new Promise<Decision>((resolve) => pending.set(t.id, { resolve, ctx }));
    return { pending, decide };
  }

  it('launches a task once its decision arrives, and meanwhile decides and runs others', async () => {
    const { pending, decide } = deferred();
    const { s, ex, events, clock } = scheduler(planOf([taskOf('a'), taskOf('b'), taskOf('c', ['a'])]), { decide });
    const done = s.run();
    await react(clock);
    assert.deepEqual([...pending.keys()], ['a', 'b'], 'a and b are being decided');
    assert.deepEqual(runningIds(ex), []);
    pending.get('b')!.resolve({ fingerprint: 'fp-b', cached: false });
    await react(clock);
    assert.deepEqual(runningIds(ex), ['b']);
    pending.get('a')!.resolve({ fingerprint: 'fp-a', cached: true });
    await react(clock);
    assert.ok(pending.has('c'), 'c is being decided once a is done');
    pending.get('c')!.resolve({ fingerprint: 'fp-c', cached: false });
    await react(clock);
    assert.deepEqual(runningIds(ex), ['b', 'c']);
    ex.end('b');
    ex.end('c');
    await react(clock);
    assert.equal(await done, 'succeeded');
    assert.deepEqual(finishedStatus(events), { a: 'cached', b: 'succeeded', c: 'succeeded' });
  });

  it('fails a task whose inputs cannot be hashed, with the reason, and skips what needs it (keep-going)', async () => {
    const decide: Decide = (t) => (t.id === 'a' ? Promise.resolve({ error: 'Input /x/gone is a symbolic link to nothing' }) : { fingerprint: `fp-${t.id}`, cached: false });
    const { s, ex, events, clock } = scheduler(planOf([taskOf('a'), taskOf('b', ['a']), taskOf('c')]), { decide, keepGoing: true });
    const done = s.run();
    await react(clock);
    assert.deepEqual(runningIds(ex), ['c']);
    ex.end('c');
    await react(clock);
    assert.equal(await done, 'failed');
    assert.deepEqual(finishedStatus(events), { a: 'failed', b: 'skipped', c: 'succeeded' });
    const a = events.find((e) => e.type === 'task-finished' && e.task === 'a') as Extract<RunEvent, { type: 'task-finished' }>;
    assert.deepEqual([a.message, a.attempts, a.log], ['Input /x/gone is a symbolic link to nothing', 0, null]);
  });

  it('a decision that cannot be made at once fails the task the same way', async () => {
    const { s, events } = scheduler(planOf([taskOf('a'), taskOf('b', ['a'])]), { decide: () => ({ error: 'Input /x/pipe is a FIFO, not a regular file or folder' }) });
    assert.equal(await s.run(), 'failed');
    assert.deepEqual(finishedStatus(events), { a: 'failed', b: 'skipped' });
  });

  it('a cancel ends the run at once, aborting the decisions in flight', async () => {
    const { pending, decide } = deferred();
    const { s, events, clock } = scheduler(planOf([taskOf('a'), taskOf('b', ['a'])]), { decide });
    const done = s.run();
    await react(clock);
    assert.deepEqual([...pending.keys()], ['a']);
    const { ctx, resolve } = pending.get('a')!;
    assert.equal(ctx.signal.aborted, false);
    s.cancel();
    assert.equal(await done, 'cancelled');
    assert.equal(ctx.signal.aborted, true);
    assert.deepEqual(finishedStatus(events), { a: 'cancelled', b: 'cancelled' });
    // A decision arriving after the end changes nothing.
    resolve({ fingerprint: 'fp-a', cached: false });
    await react(clock);
    assert.equal(events.filter((e) => e.type === 'task-finished').length, 2);
  });

  it('reports progress while a task is pending, and nothing after it ended', async () => {
    const { pending, decide } = deferred();
    const { s, ex, events, clock } = scheduler(planOf([taskOf('a')]), { decide });
    const done = s.run();
    await react(clock);
    const { ctx, resolve } = pending.get('a')!;
    ctx.progress({ path: '/data/big.bin', doneBytes: 0, totalBytes: 100 });
    ctx.progress({ path: '/data/big.bin', doneBytes: 100, totalBytes: 100 });
    resolve({ fingerprint: 'fp-a', cached: false });
    await react(clock);
    assert.deepEqual(runningIds(ex), ['a']);
    ctx.progress({ path: '/data/big.bin', doneBytes: 100, totalBytes: 100 });
    ex.end('a');
    await react(clock);
    assert.equal(await done, 'succeeded');
    const progress = events.filter((e) => e.type === 'task-progress').map((e) => (e.type === 'task-progress' ? [e.task, e.stage, e.path, e.doneBytes, e.totalBytes] : []));
    assert.deepEqual(progress, [
      ['a', 'hashing', '/data/big.bin', 0, 100],
      ['a', 'hashing', '/data/big.bin', 100, 100],
    ]);
  });
});
