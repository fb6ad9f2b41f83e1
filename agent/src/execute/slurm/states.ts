import * as os from 'node:os';
import type { Exit } from '../executor';

/** A job as one status query reports it. */
export interface JobReport {
  jobId: string;
  /** Slurm's state name, upper case (`RUNNING`, `CANCELLED`, …; sacct's `CANCELLED by 0` is split). */
  state: string;
  node: string | null;
  reason: string | null;
  /** The raw wait status (squeue) or exit code and signal (sacct). */
  code: number | null;
  signal: number | null;
  /** Who cancelled it, when accounting says (a uid). */
  cancelledBy: string | null;
}

/**
 * What the agent passes to squeue: every state (finished jobs stay listed while the
 * controller remembers them, MinJobAge, 300 s by default) and the fields it reads.
 */
export const SQUEUE_FORMAT = 'JobID:|,State:|,NodeList:|,Reason:|,exit_code:|';
export const SACCT_FORMAT = 'JobID,State,ExitCode,NodeList';

const nullish = (s: string | undefined) => (!s || s === '(null)' || s === 'None' || s === 'N/A' ? null : s);

/** `squeue --noheader --Format=SQUEUE_FORMAT` lines. The exit code there is a wait status: code << 8 | signal. */
export function parseSqueue(stdout: string): JobReport[] {
  const out: JobReport[] = [];
  for (const line of stdout.split('\n')) {
    const [jobId, state, node, reason, status] = line.split('|').map((f) => f.trim());
    if (!jobId || !state) continue;
    const wait = status && /^\d+$/.test(status) ? Number(status) : null;
    out.push({
      jobId,
      state: state.toUpperCase(),
      node: nullish(node),
      reason: nullish(reason),
      code: wait === null ? null : (wait >> 8) & 0xff,
      signal: wait === null ? null : wait & 0x7f,
      cancelledBy: null,
    });
  }
  return out;
}

/** `sacct --noheader --parsable2 --allocations --format=SACCT_FORMAT` lines (`ExitCode` is `code:signal`). */
export function parseSacct(stdout: string): JobReport[] {
  const out: JobReport[] = [];
  for (const line of stdout.split('\n')) {
    const [jobId, stateField, exit, node] = line.split('|').map((f) => f.trim());
    if (!jobId || !stateField || !/^\d+$/.test(jobId)) continue;
    const by = /^(\S+) by (\S+)$/.exec(stateField);
    const [code, signal] = (exit ?? '').split(':').map((n) => (/^\d+$/.test(n) ? Number(n) : null));
    out.push({ jobId, state: (by ? by[1]! : stateField).toUpperCase(), node: nullish(node), reason: null, code: code ?? null, signal: signal ?? null, cancelledBy: by ? by[2]! : null });
  }
  return out;
}

/** States in which a job is still the cluster's: queued, running, or on its way back to the queue. */
const LIVE = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'STOPPED',
  'SIGNALING',
  'STAGE_OUT',
  'RESIZING',
  'REQUEUED',
  'REQUEUE_FED',
  'REQUEUE_HOLD',
  'RESV_DEL_HOLD',
  // Preempted jobs are requeued on clusters that preempt (PreemptMode=REQUEUE): they come back as PENDING.
  'PREEMPTED',
]);

export function isLive(state: string): boolean {
  return LIVE.has(state);
}

/** What the agent asked of the job, to word how it ended. */
export interface JobContext {
  /** The agent cancelled it (run cancelled). */
  cancelledByUs: boolean;
  /** The options mapped from the task's settings, e.g. `--mem=1024M`, for messages. */
  mem: string | null;
  time: string | null;
  timeoutText: string | null;
}

/** How an ended job's attempt ended, in the executor's terms. Only for states where `isLive` is false. */
export function exitOf(r: JobReport, ctx: JobContext): Exit {
  switch (r.state) {
    case 'COMPLETED':
      return { code: r.code ?? 0, signal: null, error: null };
    case 'FAILED':
      if (r.code !== null && r.code !== 0) return { code: r.code, signal: null, error: null };
      return { code: null, signal: signalName(r.signal), error: r.signal ? null : `Slurm reports the job FAILED${r.reason ? ` (${r.reason})` : ''}` };
    case 'CANCELLED':
      if (ctx.cancelledByUs) return { code: null, signal: 'SIGTERM', error: null };
      return {
        code: null,
        signal: null,
        error: `cancelled outside mlops ${r.cancelledBy !== null ? `by ${userName(r.cancelledBy)}` : '(scancel by a user or an administrator; Slurm says who only when accounting is enabled)'}`,
      };
    case 'TIMEOUT':
    case 'DEADLINE':
      return { code: null, signal: null, error: `killed by Slurm: time limit reached (${ctx.time ? `--time=${ctx.time}${ctx.timeoutText ? `, from timeout: ${ctx.timeoutText}` : ''}` : "the partition's limit"})` };
    case 'OUT_OF_MEMORY':
      return { code: null, signal: null, error: `killed by Slurm: out of memory (${ctx.mem ? `--mem=${ctx.mem}` : "the cluster's default memory per job"})` };
    case 'NODE_FAIL':
      return { code: null, signal: null, error: `killed by Slurm: node ${r.node ?? '(unknown)'} failed` };
    case 'BOOT_FAIL':
      return { code: null, signal: null, error: `Slurm could not boot node ${r.node ?? '(unknown)'} for the job` };
    default:
      return { code: null, signal: null, error: `Slurm ended the job in state ${r.state}${r.reason ? ` (${r.reason})` : ''}` };
  }
}

const SIGNALS = new Map(Object.entries(os.constants.signals).map(([name, n]) => [n, name]));

function signalName(n: number | null): string | null {
  return n ? (SIGNALS.get(n) ?? `signal ${n}`) : null;
}

/** A uid as `name (uid N)` when this machine knows it. */
function userName(uid: string): string {
  if (!/^\d+$/.test(uid)) return uid;
  try {
    if (Number(uid) === os.userInfo().uid) return `${os.userInfo().username} (uid ${uid})`;
  } catch {
    // No passwd entry for this process.
  }
  return uid === '0' ? 'root (uid 0)' : `uid ${uid}`;
}
