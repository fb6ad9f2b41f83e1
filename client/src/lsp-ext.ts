/** The server's LSP extensions (declared once in core/src/protocol/lsp.ts) as the language client types them. */
import { NotificationType, RequestType } from 'vscode-languageclient/node';
import { dagRequest, statusNotification, type DagParams, type DagResult, type StatusParams } from '../../core/src/browser';

export const DagRequest = new RequestType<DagParams, DagResult, void>(dagRequest.method);
export const StatusNotification = new NotificationType<StatusParams>(statusNotification.method);
