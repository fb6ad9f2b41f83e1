import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, Emitter, StreamMessageReader, StreamMessageWriter, Trace, type Event, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  AgentInfoResult,
  LogsReadParams,
  LogsReadResult,
  RunCancelResult,
  RunEvent,
  RunRequest,
  RunsListParams,
  RunsListResult,
  RunsShowResult,
  RunStartResult,
  SchedulesNextParams,
  SchedulesNextResult,
} from '../../../core/src/browser';
import { DEFAULT_BACKOFF, RestartBackoff, type BackoffOptions } from './backoff';
import type { AgentLaunch } from './launch';
import { AgentInfoRequest, LogsReadRequest, RunCancelRequest, RunEventNotification, RunsListRequest, RunsShowRequest, RunStartRequest, SchedulesNextRequest } from '../../../core/src/node';

/**
 * - `stopped`: not started yet;
 * - `starting`: spawned, waiting for its first answer;
 * - `running`: answering requests;
 * - `restarting`: exited on its own, waiting out the backoff before the next start;
 * - `failed`: gave up restarting (see `failure`);
 * - `disposed`: shut down for good.
 */
export type AgentState = 'stopped' | 'starting' | 'running' | 'restarting' | 'failed' | 'disposed';

/** Where the client's own lines and the agent's stderr go. */
export interface AgentLog {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export interface AgentClientOptions {
  /** What to start; a function is asked again at every (re)start, so changed settings apply. */
  launch: AgentLaunch | (() => AgentLaunch);
  log: AgentLog;
  backoff?: BackoffOptions;
  trace?: 'off' | 'messages' | 'verbose';
  /** How long the first answer (`mlops/agent.info`) may take before the start counts as failed. */
  startTimeoutMs?: number;
  /** On shutdown, how long the agent has to cancel its runs and leave before it is killed. */
  killGraceMs?: number;
}

/** The agent cannot be reached: it failed to start, gave up restarting, or was shut down. */
export class AgentUnavailableError extends Error {}

interface Session {
  child: ChildProcess;
  conn: MessageConnection;
  startedAt: number;
  info?: AgentInfoResult;
  ended: boolean;
  /** Ended on purpose (dispose, restart): no backoff restart. */
  stopping: boolean;
  exit: Promise<void>;
}

const STDERR_TAIL_LINES = 12;

/**
 * One workspace folder's `mlops agent --stdio`: owns the child process, the JSON-RPC
 * connection over its stdin/stdout, and the restarts. An agent that exits on its own is
 * started again with exponential backoff; one that keeps dying right after it starts is
 * given up on, and `failure` says why. No network port is opened.
 *
 * Independent of the `vscode` module, so process tests can drive it directly.
 */
export class AgentClient {
  private readonly stateEmitter = new Emitter<AgentState>();
  private readonly eventEmitter = new Emitter<RunEvent>();
  private readonly startEmitter = new Emitter<AgentInfoResult>();
  /** The state changed. */
  readonly onDidChangeState: Event<AgentState> = this.stateEmitter.event;
  /** A `mlops/run.event` notification. */
  readonly onRunEvent: Event<RunEvent> = this.eventEmitter.event;
  /** A (re)started agent answered: anything read from an earlier one may be stale. */
  readonly onDidStart: Event<AgentInfoResult> = this.startEmitter.event;

  private current: AgentState = 'stopped';
  private session: Session | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff: RestartBackoff;
  private waiters: { resolve: (c: MessageConnection) => void; reject: (e: Error) => void }[] = [];
  private failureText: string | undefined;
  private readonly active = new Set<string>();
  private stderrTail: string[] = [];

  constructor(private readonly options: AgentClientOptions) {
    this.backoff = new RestartBackoff(options.backoff ?? DEFAULT_BACKOFF);
  }

  get state(): AgentState {
    return this.current;
  }

  /** What the running agent said about itself. */
  get info(): AgentInfoResult | undefined {
    return this.session?.info;
  }

  /** Why the agent is `failed`. */
  get failure(): string | undefined {
    return this.failureText;
  }

  /** Runs this agent has started and not yet finished, as its events tell. */
  get activeRuns(): ReadonlySet<string> {
    return this.active;
  }

  /** Starts the agent if it is not running or on its way; a `failed` agent gets a fresh set of attempts. */
  start(): void {
    if (this.current === 'disposed' || this.current === 'starting' || this.current === 'running') return;
    clearTimeout(this.restartTimer);
    this.backoff.reset();
    this.failureText = undefined;
    this.spawnSession();
  }

  /** Stops the agent (cancelling its runs) and starts a fresh one. */
  async restart(): Promise<void> {
    if (this.current === 'disposed') return;
    clearTimeout(this.restartTimer);
    const s = this.session;
    if (s) await this.stop(s);
    this.current = 'stopped';
    this.start();
  }

  startRun(req: RunRequest): Promise<RunStartResult> {
    return this.send((c) => c.sendRequest(RunStartRequest, req));
  }

  cancelRun(runId: string): Promise<RunCancelResult> {
    return this.send((c) => c.sendRequest(RunCancelRequest, { runId }));
  }

  listRuns(params: RunsListParams): Promise<RunsListResult> {
    return this.send((c) => c.sendRequest(RunsListRequest, params));
  }

  showRun(runId: string): Promise<RunsShowResult> {
    return this.send((c) => c.sendRequest(RunsShowRequest, { runId }));
  }

  readLog(params: LogsReadParams): Promise<LogsReadResult> {
    return this.send((c) => c.sendRequest(LogsReadRequest, params));
  }

  nextSchedules(params: SchedulesNextParams): Promise<SchedulesNextResult> {
    return this.send((c) => c.sendRequest(SchedulesNextRequest, params));
  }

  /**
   * Shuts the agent down: stdin closes and SIGTERM asks it to cancel its runs (recorded as
   * cancelled) and leave; after the grace period it is killed.
   */
  async dispose(): Promise<void> {
    if (this.current === 'disposed') return;
    clearTimeout(this.restartTimer);
    this.setState('disposed');
    this.rejectWaiters(new AgentUnavailableError('The MLOps agent was shut down.'));
    const s = this.session;
    if (s) await this.stop(s);
    this.stateEmitter.dispose();
    this.eventEmitter.dispose();
    this.startEmitter.dispose();
  }

  private async send<R>(fn: (c: MessageConnection) => Promise<R>): Promise<R> {
    return fn(await this.connection());
  }

  /** The connection once the agent answers; starts it if needed. */
  private connection(): Promise<MessageConnection> {
    const s = this.session;
    if (s?.info && !s.ended) return Promise.resolve(s.conn);
    if (this.current === 'disposed') return Promise.reject(new AgentUnavailableError('The MLOps agent was shut down.'));
    if (this.current === 'failed') return Promise.reject(new AgentUnavailableError(this.failureText ?? 'The MLOps agent could not start.'));
    if (this.current === 'stopped') this.start();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private spawnSession(): void {
    const { log } = this.options;
    const launch = typeof this.options.launch === 'function' ? this.options.launch() : this.options.launch;
    this.setState('starting');
    this.stderrTail = [];
    let child: ChildProcess;
    try {
      child = spawn(launch.file, launch.args, { cwd: launch.cwd, env: launch.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    } catch (err) {
      // Synchronous spawn failures (bad cwd on some platforms) count like an immediate exit.
      log.error(`Could not start the MLOps agent: ${(err as Error).message}`);
      this.afterExit(Date.now(), `could not be started (${(err as Error).message})`);
      return;
    }
    const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    let exited: () => void = () => undefined;
    const s: Session = { child, conn, startedAt: Date.now(), ended: false, stopping: false, exit: new Promise((r) => (exited = r)) };
    this.session = s;

    let partial = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.stderrLine(line);
    });
    child.stdin!.on('error', () => undefined); // EPIPE after the agent died; the exit handler reports it
    child.once('error', (err) => {
      log.error(`The MLOps agent process failed: ${err.message}`);
      this.ended(s, `could not be started (${err.message})`);
      exited();
    });
    child.once('exit', (code, signal) => {
      if (partial) this.stderrLine(partial);
      this.ended(s, signal ? `was killed by ${signal}` : `exited with code ${code}`);
      exited();
    });

    conn.onNotification(RunEventNotification, ({ event }) => {
      if (event.type === 'run-started') this.active.add(event.runId);
      else if (event.type === 'run-finished') this.active.delete(event.runId);
      this.eventEmitter.fire(event);
    });
    conn.onError(([err]) => {
      if (!s.ended) log.warn(`MLOps agent connection: ${err.message}`);
    });
    conn.listen();
    const trace = this.options.trace ?? 'off';
    if (trace !== 'off') void conn.trace(Trace.fromString(trace), { log: (m: string, d?: string) => log.info(d ? `${m}\n${d}` : m) }, false);

    const timeoutMs = this.options.startTimeoutMs ?? 15_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs)));
    Promise.race([conn.sendRequest(AgentInfoRequest, {}), timeout])
      .then(
        (info) => {
          if (s.ended || this.session !== s) return;
          s.info = info;
          log.info(`MLOps agent ${info.version} (pid ${info.pid}) is running in ${info.root}; history in ${info.stateDir}.`);
          this.setState('running');
          const waiters = this.waiters.splice(0);
          for (const w of waiters) w.resolve(conn);
          this.startEmitter.fire(info);
        },
        (err: unknown) => {
          if (s.ended || this.session !== s) return;
          log.error(`The MLOps agent did not answer: ${(err as Error).message}.`);
          s.child.kill('SIGKILL');
        },
      )
      .finally(() => clearTimeout(timer));
  }

  private stderrLine(line: string): void {
    const text = line.replace(/\s+$/, '');
    if (!text) return;
    this.options.log.info(`[agent] ${text}`);
    this.stderrTail.push(text);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
  }

  /** A session's process is gone (once per session, whichever of exit/error comes first). */
  private ended(s: Session, how: string): void {
    if (s.ended) return;
    s.ended = true;
    s.conn.dispose();
    this.active.clear();
    if (this.session === s) this.session = undefined;
    if (s.stopping || this.current === 'disposed') return;
    this.afterExit(s.startedAt, how);
  }

  /** The agent went away on its own: restart it after a backoff, or give up. */
  private afterExit(startedAt: number, how: string): void {
    const { log } = this.options;
    const uptime = Date.now() - startedAt;
    log.warn(`The MLOps agent ${how} after ${(uptime / 1000).toFixed(1)} s.`);
    const delay = this.backoff.next(uptime);
    if (delay === undefined) {
      const tail = this.stderrTail.length ? ` Its last words: ${this.stderrTail.slice(-3).join(' | ')}` : '';
      this.failureText = `The MLOps agent ${how} ${this.backoff.attempts} times in a row right after starting, so it is not restarted again.${tail}`;
      log.error(this.failureText);
      this.setState('failed');
      this.rejectWaiters(new AgentUnavailableError(this.failureText));
      return;
    }
    log.info(`Restarting the MLOps agent in ${(delay / 1000).toFixed(1)} s.`);
    this.setState('restarting');
    this.restartTimer = setTimeout(() => {
      if (this.current === 'restarting') this.spawnSession();
    }, delay);
  }

  /** Ends a session on purpose: stdin closes, SIGTERM cancels its runs, SIGKILL after the grace period. */
  private async stop(s: Session): Promise<void> {
    s.stopping = true;
    if (!s.ended) {
      s.child.stdin?.end();
      s.child.kill('SIGTERM');
      const grace = this.options.killGraceMs ?? 3000;
      const left = await Promise.race([s.exit.then(() => true), delay(grace).then(() => false)]);
      if (!left) {
        this.options.log.warn(`The MLOps agent (pid ${s.child.pid}) did not stop within ${grace / 1000} s; killing it.`);
        s.child.kill('SIGKILL');
        await Promise.race([s.exit, delay(1000)]);
      }
    }
    s.conn.dispose();
    if (this.session === s) this.session = undefined;
  }

  private rejectWaiters(err: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private setState(state: AgentState): void {
    if (this.current === state) return;
    this.current = state;
    this.stateEmitter.fire(state);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref?.());
}
