/**
 * core's main entry: the pure core — parsing, every rule, queries, catalogs, dev container
 * planning — plus the browser-safe part (./browser). No Node API and no editor API: the
 * language server, the agent, the CLI and the extension share it. Node-only helpers are in
 * ./node.
 */
export * from './browser';
export * from './diagnostics';
export * from './workspace';
export { parseYaml, ParseCache, MAX_FILE_CHARS, type ParsedYaml } from './yaml/parse';
export * from './yaml/tree';
export * from './pipeline/model';
export { loadPipeline, effective, effectiveEnv, effectiveResources, effectiveFeatures, effectiveSlurm } from './pipeline/load';
export * from './pipeline/graph';
export * from './pipeline/interpolation';
export * from './pipeline/resolve';
export { PIPELINE_NAME, TASK_ID, PARAM_NAME } from './pipeline/rules';
export * from './features/model';
export { FEATURE_TYPES, isFeatureType } from './features/rules';
export { SCHEMAS, type SchemaKind } from './schema/validate';
export * from './graph/dag';
export * from './schedule/cron';
export * from './util/values';
export * from './util/closest';
export type { FileHost, FileText } from './rules/problem';
export { FEATURE_NAME } from './features/rules';
export * from './query/node-at';
export * from './query/cursor';
export * from './query/schema';
export * from './query/symbols';
export * from './query/edits';
export * from './query/fixes';
export * from './query/dag';
export * from './query/impact';
export * from './pipeline/shell';
export * from './export/index';
export * from './catalog/index';
export * from './devcontainer/index';
