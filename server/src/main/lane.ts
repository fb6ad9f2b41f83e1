import { createWriteStream } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { ThreadHeap } from '../../../core/src/index';
import type { EngineOptions } from '../engine/engine';
import type { EngineArgs, EngineMethod, EngineResult, LaneReply, LaneRequest } from '../engine/lane-protocol';
import { cpuClock } from './cpu-time';

/** A worker thread of a lane, and what it said about itself. */
interface WorkerSlot {
  worker: Worker;
  ready: boolean;
  /** Its thread id in the kernel, when it could tell (Linux). */
  tid?: number;
}

/** How soon the budget is looked at again when the analysis has not yet had its CPU time. */
const RECHECK_MS = 50;

/** A call waiting for, or running in, a lane. */
export interface LaneCall {
  method: EngineMethod;
  args: unknown[];
  /** The document the call is about, blamed if it gets stuck before any progress report. */
  uri?: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export interface LaneOptions {
  name: string;
  /** The worker script (dist/lane.js), which runs an Engine. */
  script: string;
  /**
   * How much CPU time one document's analysis may use before the lane is restarted. CPU
   * time, not wall time: on a machine busy with other work the analysis gets less of the
   * CPU, and a small document must not be taken for a slow one because of that.
   */
  budgetMs: number;
  /** The wall-time limit for the same, for an analysis that waits without using the CPU. */
  wallLimitMs: number;
  /**
   * Keep a warmed-up worker in reserve once a call has run this long (wall time), so that a
   * restart costs little start-up time. Lanes whose calls stay quick never pay for one.
   */
  spareAfterMs?: number;
  /** Heap limits of each worker (young generation size mostly: it bounds the garbage between scavenges). */
  resourceLimits?: ResourceLimits;
  /**
   * The lane was stuck on `blame` (or crashed) and has been restarted empty: the owner
   * re-seeds its documents and decides what happens to the interrupted call.
   */
  onStuck(lane: Lane, blame: string | undefined, call: LaneCall | undefined, reason: string): void;
  log(line: string): void;
}

/**
 * A worker thread running an Engine. Calls run one at a time so the lane always knows
 * which document is being analysed; document updates made while a call runs are merged
 * and sent just before the next call. A call that uses more than its budget of CPU time
 * (or waits past the wall-time limit) gets the worker terminated and restarted. The worker
 * starts on the first call or `start()`: until then document updates only accumulate, so a
 * lane no document needs costs no thread.
 */
export class Lane {
  private worker: Worker | undefined;
  private workerSlot: WorkerSlot | undefined;
  /** The current analysis' start (or last progress): the worker's CPU time and the wall time then. */
  private meter: { cpu: () => number; cpu0: number; wall0: number } | undefined;
  private readonly queue: LaneCall[] = [];
  private current: { id: number; call: LaneCall } | undefined;
  private blame: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly pendingDocs = new Map<string, string | null>();
  /** Documents closed in the editor since the last flush: the worker drops their analyses. */
  private readonly pendingReleases = new Set<string>();
  private pendingFilesChanged = false;
  private configuration: EngineOptions | undefined;
  private disposed = false;
  /** The current worker has warmed up; calls wait until then (the budget would count the warm-up). */
  private ready = false;
  /** A warmed-up worker that replaces a stuck one at once. */
  private spare: WorkerSlot | undefined;

  private spareTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LaneOptions) {}

  /** Starts the worker if it is not running yet; the documents set so far are sent to it. */
  start(): void {
    if (this.worker || this.disposed) return;
    this.startWorker();
    this.pump();
  }

  configure(options: EngineOptions): void {
    this.configuration = options;
    this.post({ type: 'configure', options });
    this.spare?.worker.postMessage({ type: 'configure', options } satisfies LaneRequest);
  }

  set(uri: string, text: string): void {
    this.pendingDocs.set(uri, text);
    if (!this.current && this.worker) this.flush();
  }

  delete(uri: string): void {
    this.pendingDocs.set(uri, null);
    if (!this.current && this.worker) this.flush();
  }

  /** The document was closed: the worker keeps its text but not what it derived from it. */
  release(uri: string): void {
    this.pendingReleases.add(uri);
    if (!this.current && this.worker) this.flush();
  }

  filesChanged(): void {
    this.pendingFilesChanged = true;
    if (!this.current && this.worker) this.flush();
  }

  call<M extends EngineMethod>(method: M, args: EngineArgs<M>, uri?: string): Promise<EngineResult<M>> {
    this.start();
    return new Promise((resolve, reject) => {
      const call: LaneCall = { method, args, resolve: resolve as (v: unknown) => void, reject };
      if (uri !== undefined) call.uri = uri;
      this.enqueue(call);
    });
  }

  /** Queues a call again, e.g. one taken over from another lane. */
  enqueue(call: LaneCall, first = false): void {
    if (first) this.queue.unshift(call);
    else this.queue.push(call);
    this.pump();
  }

  /** Removes and returns the queued (not yet running) calls that `pred` picks. */
  take(pred: (call: LaneCall) => boolean): LaneCall[] {
    const taken: LaneCall[] = [];
    for (let i = 0; i < this.queue.length; i++) {
      if (pred(this.queue[i]!)) taken.push(...this.queue.splice(i--, 1));
    }
    return taken;
  }

  /** The heap of each worker of this lane (current and spare), with a heap snapshot in `dir` if given. */
  async heaps(dir?: string): Promise<ThreadHeap[]> {
    const out: ThreadHeap[] = [];
    const slots: [string, Worker | undefined][] = [
      [this.options.name, this.worker],
      [`${this.options.name}-spare`, this.spare?.worker],
    ];
    for (const [thread, w] of slots) {
      if (!w) continue;
      const h = await w.getHeapStatistics();
      const entry: ThreadHeap = { thread, used: h.used_heap_size, total: h.total_heap_size, external: h.external_memory };
      if (dir) entry.snapshot = await writeStream(await w.getHeapSnapshot(), path.join(dir, `${thread}.heapsnapshot`));
      out.push(entry);
    }
    return out;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    clearTimeout(this.spareTimer);
    void this.worker?.terminate();
    void this.spare?.worker.terminate();
    for (const c of this.queue.splice(0)) c.reject(new Error('The language server is shutting down.'));
    this.current?.call.reject(new Error('The language server is shutting down.'));
  }

  /** Makes the current worker: the warmed-up spare if there is one, else a new one. */
  private startWorker(): void {
    const slot = this.spare ?? this.spawn();
    this.spare = undefined;
    this.workerSlot = slot;
    this.worker = slot.worker;
    this.ready = slot.ready;
  }

  private spawn(): WorkerSlot {
    const limits = this.options.resourceLimits;
    const slot: WorkerSlot = { worker: new Worker(this.options.script, { workerData: { lane: this.options.name }, ...(limits ? { resourceLimits: limits } : {}) }), ready: false };
    const { worker } = slot;
    worker.on('message', (m: LaneReply) => {
      if (m.type === 'ready') {
        slot.ready = true;
        if (m.tid !== undefined) slot.tid = m.tid;
      }
      if (worker === this.worker) this.onReply(m);
    });
    worker.on('error', (err) => {
      if (worker === this.worker) this.restart(`crashed: ${err.message}`);
      else if (this.spare === slot) this.spare = undefined;
    });
    worker.on('exit', (code) => {
      if (worker === this.worker && !this.disposed) this.restart(`exited with code ${code}`);
      else if (this.spare === slot) this.spare = undefined;
    });
    if (this.configuration) worker.postMessage({ type: 'configure', options: this.configuration } satisfies LaneRequest);
    return slot;
  }

  private post(m: LaneRequest): void {
    this.worker?.postMessage(m);
  }

  private flush(): void {
    for (const [uri, text] of this.pendingDocs) this.post(text === null ? { type: 'delete', uri } : { type: 'set', uri, text });
    this.pendingDocs.clear();
    for (const uri of this.pendingReleases) this.post({ type: 'release', uri });
    this.pendingReleases.clear();
    if (this.pendingFilesChanged) this.post({ type: 'filesChanged' });
    this.pendingFilesChanged = false;
  }

  private pump(): void {
    if (this.current || this.disposed || !this.ready || !this.worker) return;
    this.flush();
    const call = this.queue.shift();
    if (!call) return;
    const id = this.nextId++;
    this.current = { id, call };
    this.blame = call.uri;
    this.post({ type: 'call', id, method: call.method, args: call.args });
    this.arm();
  }

  /** Starts the budget of the current analysis. */
  private arm(): void {
    clearTimeout(this.timer);
    const cpu = cpuClock(this.workerSlot?.tid);
    this.meter = { cpu, cpu0: cpu(), wall0: Date.now() };
    this.timer = setTimeout(() => this.checkBudget(), this.options.budgetMs);
    // A call this slow may well be stuck: have a replacement warming up before the budget runs out.
    clearTimeout(this.spareTimer);
    const after = this.options.spareAfterMs;
    if (after !== undefined && !this.spare) this.spareTimer = setTimeout(() => this.ensureSpare(), after);
  }

  private ensureSpare(): void {
    if (!this.disposed && !this.spare && this.current) this.spare = this.spawn();
  }

  /** Restarts the lane once the analysis has used its CPU time (or waited past the wall limit); else looks again when it could have. */
  private checkBudget(): void {
    const m = this.meter;
    if (!m) return;
    const { budgetMs, wallLimitMs } = this.options;
    const used = m.cpu() - m.cpu0;
    const waited = Date.now() - m.wall0;
    if (used >= budgetMs) this.restart(`used more than ${budgetMs} ms of CPU time`);
    else if (waited >= wallLimitMs) this.restart(`took longer than ${wallLimitMs} ms`);
    else this.timer = setTimeout(() => this.checkBudget(), Math.min(Math.max(budgetMs - used, RECHECK_MS), wallLimitMs - waited));
  }

  private onReply(m: LaneReply): void {
    if (m.type === 'ready') {
      this.ready = true;
      this.pump();
      return;
    }
    if (m.type === 'progress') {
      this.blame = m.uri;
      this.arm();
      return;
    }
    if (!this.current || m.id !== this.current.id) return;
    clearTimeout(this.timer);
    clearTimeout(this.spareTimer);
    this.meter = undefined;
    const { call } = this.current;
    this.current = undefined;
    if (m.error !== undefined) call.reject(new Error(m.error));
    else call.resolve(m.result);
    this.pump();
  }

  private restart(reason: string): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    clearTimeout(this.spareTimer);
    this.meter = undefined;
    const interrupted = this.current?.call;
    const blame = this.blame;
    this.current = undefined;
    this.blame = undefined;
    const old = this.worker;
    this.pendingDocs.clear();
    this.pendingReleases.clear();
    this.pendingFilesChanged = false;
    this.startWorker();
    void old?.terminate();
    this.options.log(`${this.options.name} lane ${reason}${blame ? ` on ${blame}` : ''}; restarted`);
    this.options.onStuck(this, blame, interrupted, reason);
    this.pump();
  }
}

async function writeStream(from: NodeJS.ReadableStream, file: string): Promise<string> {
  await pipeline(from, createWriteStream(file));
  return file;
}
