/**
 * core's Node entry: what needs Node's APIs — walking and reading the file system, the
 * agent's JSON-RPC types over stdio (vscode-jsonrpc/node), who is running. The agent, the
 * language server and the extension import it besides ./index; a webview never does.
 */
export * from './node/walk';
export * from './node/read';
export * from './node/actor';
export * from './node/agent-rpc';
