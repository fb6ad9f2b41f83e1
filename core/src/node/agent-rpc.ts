/**
 * The agent's JSON-RPC messages (declared in ./agent.ts) as vscode-jsonrpc types them, once
 * for the agent that serves them, the extension that calls them and the tests. Kept apart
 * from ./agent.ts so the webviews, the language server and the agent's other commands,
 * which load that file, do not load vscode-jsonrpc.
 */
import { NotificationType, RequestType } from 'vscode-jsonrpc/node';
import {
  agentInfoRequest,
  logsReadRequest,
  runCancelRequest,
  runEventNotification,
  runsListRequest,
  runsShowRequest,
  runStartRequest,
  schedulesNextRequest,
  type AgentNotification,
  type AgentRequest,
} from '../protocol/agent';

const req = <P, R>(d: AgentRequest<P, R>) => new RequestType<P, R, void>(d.method);
const note = <P>(d: AgentNotification<P>) => new NotificationType<P>(d.method);

export const RunStartRequest = req(runStartRequest);
export const RunCancelRequest = req(runCancelRequest);
export const RunsListRequest = req(runsListRequest);
export const RunsShowRequest = req(runsShowRequest);
export const LogsReadRequest = req(logsReadRequest);
export const SchedulesNextRequest = req(schedulesNextRequest);
export const AgentInfoRequest = req(agentInfoRequest);
export const RunEventNotification = note(runEventNotification);
