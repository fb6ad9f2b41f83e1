/** The agent's JSON-RPC messages (declared once in core/src/protocol/agent.ts) as vscode-jsonrpc types them. */
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
} from '../../../core/src/protocol/agent';

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
