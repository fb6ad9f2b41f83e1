/** Model store and feature catalog: the pure parts shared by the agent, the CLI and the extension. */
export * from './version';
export * from './model-ref';
export * from './fingerprint';
export * from './staleness';
export * from './diff';
export * from './mlflow';
export { sha256Text, sha256Bytes } from './sha256';
export * from './reports';
export * from './display';
