import * as path from 'node:path';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { LogsReadResult, RunEvent } from '../../../core/src/protocol/agent';
import {
  AgentInfoRequest,
  LogsReadRequest,
  RunCancelRequest,
  RunEventNotification,
  RunsListRequest,
  RunsShowRequest,
  RunStartRequest,
  SchedulesNextRequest,
} from '../../../core/src/protocol/agent-rpc';
import type { AgentHost } from '../host';
import { readTaskLog } from '../state/logs';
import { realFile } from '../util/files';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.1.0';
const MAX_LOG_CHUNK = 1 << 20;

/** Serves the agent protocol (core/src/protocol/agent.ts) on a connection; returns the event sink. */
export function serveAgentProtocol(conn: MessageConnection, host: AgentHost, stateDir: string): (events: RunEvent[]) => void {
  const store = host.store;
  const resolveFile = (file: string) => realFile(host.root, file);

  conn.onRequest(RunStartRequest, async (params) => {
    const r = await host.start({ ...params, file: resolveFile(params.file) }, 'rpc');
    return r.ok ? { ok: true, runId: r.value.id } : { ok: false, message: r.error.message, problems: r.error.problems };
  });

  conn.onRequest(RunCancelRequest, ({ runId }) => {
    const run = host.active.get(runId);
    run?.cancel();
    return { cancelled: run !== undefined };
  });

  conn.onRequest(RunsListRequest, ({ file, limit }) => ({
    runs: store.runs({ ...(file ? { file: resolveFile(file) } : {}), ...(limit ? { limit } : {}) }),
  }));

  conn.onRequest(RunsShowRequest, ({ runId }) => {
    const id = store.resolveRunId(runId);
    const run = id ? store.run(id) : undefined;
    return run ? { ok: true, run: run.record, summary: run.summary } : { ok: false, message: `There is no run '${runId}'.` };
  });

  conn.onRequest(LogsReadRequest, ({ runId, task, offset, limit }): LogsReadResult => {
    const id = store.resolveRunId(runId);
    const chunk = id ? readTaskLog(store, id, task, offset ?? 0, Math.min(limit ?? MAX_LOG_CHUNK, MAX_LOG_CHUNK)) : undefined;
    if (!chunk) return { ok: false, message: `Run '${runId}' has no task '${task}'.` };
    return { ok: true, text: chunk.text, nextOffset: chunk.nextOffset, complete: chunk.ended && chunk.text === '' };
  });

  conn.onRequest(SchedulesNextRequest, ({ file }) => ({ schedules: host.triggers.next(file ? resolveFile(file) : undefined) }));

  conn.onRequest(AgentInfoRequest, () => ({
    version: VERSION,
    pid: process.pid,
    stateDir: path.resolve(stateDir),
    root: host.root,
    capacity: { cpu: host.pool.capacity.cpu, memoryBytes: host.pool.capacity.memory, gpus: host.pool.capacity.gpus.length },
  }));

  return (events) => {
    for (const event of events) void conn.sendNotification(RunEventNotification, { event }).catch(() => undefined);
  };
}
