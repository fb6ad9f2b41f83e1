/**
 * core's browser-safe entry: what runs anywhere, with no Node API and no analysis engine —
 * the protocols, the project-file rules, settings, results and small utilities. The
 * webviews import only this (ESLint enforces it); the extension and the processes get it
 * through ./index as well.
 */
export * from './protocol/lsp';
export * from './protocol/agent';
export * from './protocol/webview';
export * from './protocol/dag-wire';
export * from './protocol/webview-html';
export * from './protocol/devcontainer';
export * from './protocol/settings';
export * from './project';
export * from './result';
export * from './text/range';
export * from './util/arrays';
export * from './util/clock';
export * from './util/debounce';
export * from './catalog/display';
export type { DetectedFacts } from './devcontainer/detect';
export { GPU_MODES, type GpuMode } from './devcontainer/plan';
