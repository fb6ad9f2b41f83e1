/**
 * core's Node entry: what needs Node's APIs (the file system, child processes, stdio
 * JSON-RPC). The agent, the server and the client import it besides `./index`; a webview
 * never does.
 */
export * from './node/walk';
export * from './node/read';
