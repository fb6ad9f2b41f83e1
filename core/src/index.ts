/** The public surface of core/: what the server, the agent and the client import. */
export * from './diagnostics';
export * from './text/range';
export * from './workspace';
export { parseYaml, ParseCache, MAX_FILE_CHARS, type ParsedYaml } from './yaml/parse';
export * from './yaml/tree';
export * from './pipeline/model';
export { loadPipeline, effective, effectiveEnv, effectiveResources, effectiveFeatures } from './pipeline/load';
export * from './pipeline/graph';
export * from './pipeline/interpolation';
export { PIPELINE_NAME, TASK_ID, PARAM_NAME } from './pipeline/rules';
export * from './features/model';
export { FEATURE_TYPES, isFeatureType } from './features/rules';
export { SCHEMAS, type SchemaKind } from './schema/validate';
export * from './graph/dag';
export * from './schedule/cron';
export * from './util/values';
export * from './util/closest';
export type { FileHost } from './rules/problem';
