import type { PipelineGraph } from '../pipeline/graph';
import type { Pipeline } from '../pipeline/model';
import type { Problems } from '../rules/problem';

/** The engines a pipeline exports to; `mlops.export.target` and `mlops export <target>` name them. */
export const EXPORT_TARGET_IDS = ['argo'] as const;
export type ExportTargetId = (typeof EXPORT_TARGET_IDS)[number];

/** What every export reads: the validated pipeline and where it lives. Paths are POSIX. */
export interface ExportSource {
  pipeline: Pipeline;
  graph: PipelineGraph;
  /** The pipeline file's text: spans index into it. */
  text: string;
  /** The pipeline file, relative to the workspace root (`examples/churn/churn.pipeline.yaml`). */
  file: string;
  /** Absolute path of the workspace root on this machine; paths under it do not exist elsewhere. */
  root?: string;
}

/** A document an export writes: its kind (for messages) and the object to serialise. */
export interface ExportManifest {
  kind: string;
  /** The object as the engine reads it (plain JSON data). */
  body: Record<string, unknown>;
  /** A line that says where the manifest came from; written as a comment where the format has them. */
  header: string;
}

/**
 * One export target. A second engine (Kubeflow Pipelines, Airflow) is one more object of
 * this shape in a folder of its own, listed in `EXPORT_TARGETS` (./index.ts).
 */
export interface ExportTarget<Options> {
  readonly id: ExportTargetId;
  /** The engine's name in messages: "Argo Workflows". */
  readonly title: string;
  /** Options the editor checks with: it has no command line, so nothing is overridden. */
  readonly editorOptions: Options;
  /** Reports, on exact spans, what of the pipeline would not survive the trip. */
  check(src: ExportSource, options: Options, out: Problems): void;
  /** The manifest; call only when `check` reported no error. */
  render(src: ExportSource, options: Options): ExportManifest;
}
