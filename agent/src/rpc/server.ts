import * as path from 'node:path';
import { ErrorCodes, ResponseError, type MessageConnection, type RequestType } from 'vscode-jsonrpc/node';
import type { LogsReadResult, RunEvent, RunsShowResult, RunStartResult } from '../../../core/src/protocol/agent';
import { AgentInfoRequest, LogsReadRequest, RunCancelRequest, RunEventNotification, RunsListRequest, RunsShowRequest, RunStartRequest, SchedulesNextRequest } from '../../../core/src/node';
import type { AgentHost } from '../host';
import { problemsOf } from '../runner';
import { readTaskLog } from '../state/logs';
import { realFile } from '../util/files';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.1.0';
const MAX_LOG_CHUNK = 1 << 20;

/**
 * Serves the agent protocol (core/src/protocol/agent.ts) on a connection; returns the event
 * sink. Params arrive checked against their declared shapes (see ./reader.ts); a handler
 * that throws anyway answers -32603 without its internal message, which goes to the log.
 */
export function serveAgentProtocol(conn: MessageConnection, host: AgentHost, stateDir: string, log: (message: string) => void): (events: RunEvent[]) => void {
  const store = host.store;
  const resolveFile = (file: string) => realFile(host.root, file);
  const root = realFile(host.root, '.');
  const on = <P, R>(type: RequestType<P, R, void>, handler: (params: P) => NoInfer<R> | Promise<NoInfer<R>>) =>
    conn.onRequest(type.method, async (params: unknown): Promise<unknown> => {
      try {
        return await handler(params as P);
      } catch (e) {
        log(`${type.method} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        throw new ResponseError(ErrorCodes.InternalError, `The agent could not answer ${type.method}; its log (the "MLOps Workbench" output) has the details.`);
      }
    });

  on(RunStartRequest, async (params): Promise<RunStartResult> => {
    const file = resolveFile(params.file);
    // The editor's agent runs the workspace's pipelines, not any file a message names.
    if (!inside(root, file)) {
      return { ok: false, message: `${params.file} is outside the workspace folder ${host.root}; the agent runs only pipelines inside it.`, problems: [] };
    }
    const r = await host.start({ ...params, file }, 'rpc');
    return r.ok ? { ok: true, runId: r.value.id } : { ok: false, message: r.error.message, problems: problemsOf(r.error) };
  });

  on(RunCancelRequest, ({ runId }) => {
    return { cancelled: host.active.get(runId)?.cancel() ?? false };
  });

  on(RunsListRequest, async ({ file, limit, mine }) => ({
    runs: await store.runs({ ...(file ? { file: resolveFile(file) } : {}), ...(limit ? { limit } : {}), ...(mine ? { user: store.actor.user } : {}) }),
  }));

  on(RunsShowRequest, async ({ runId }): Promise<RunsShowResult> => {
    const id = await store.resolveRunId(runId);
    const run = id ? await store.run(id) : undefined;
    return run ? { ok: true, run: run.record, summary: run.summary } : { ok: false, message: `There is no run '${runId}'.` };
  });

  on(LogsReadRequest, async ({ runId, task, offset, limit }): Promise<LogsReadResult> => {
    const id = await store.resolveRunId(runId);
    const chunk = id ? await readTaskLog(store, id, task, offset ?? 0, Math.min(limit ?? MAX_LOG_CHUNK, MAX_LOG_CHUNK)) : undefined;
    if (!chunk) return { ok: false, message: `Run '${runId}' has no task '${task}'.` };
    return { ok: true, text: chunk.text, nextOffset: chunk.nextOffset, complete: chunk.ended && chunk.text === '' };
  });

  on(SchedulesNextRequest, ({ file }) => ({ schedules: host.triggers.next(file ? resolveFile(file) : undefined) }));

  on(AgentInfoRequest, () => ({
    version: VERSION,
    pid: process.pid,
    stateDir: path.resolve(stateDir),
    store: { kind: store.kind, location: store.location, artifacts: store.artifacts, user: store.actor.user, host: store.actor.host },
    root: host.root,
    capacity: { cpu: host.pool.capacity.cpu, memoryBytes: host.pool.capacity.memory, gpus: host.pool.capacity.gpus.length },
  }));

  return (events) => {
    for (const event of events) void conn.sendNotification(RunEventNotification, { event }).catch(() => undefined);
  };
}

/** Whether `file` (absolute, symlinks resolved) lies in `root`. */
function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
