/**
 * The JSON the `mlops models` and `mlops features` commands print for tools, and what the
 * extension's tree views read. Paths are relative to `root` unless said otherwise; lines
 * and columns are 1-based.
 */
import type { StaleReason } from './staleness';
import type { ModelSource, ModelVersion } from './version';

/** Where something is defined. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A version with what the workspace says about it now. */
export interface VersionEntry {
  version: ModelVersion;
  /** Empty when consistent with the workspace (always empty for MLflow versions). */
  stale: StaleReason[];
}

/** A model and its versions, newest first. */
export interface ModelEntryReport {
  name: string;
  source: ModelSource;
  description: string | null;
  versions: VersionEntry[];
}

/** `mlops models list --format json`. */
export interface ModelsReport {
  /** Absolute workspace root. */
  root: string;
  /** Absolute artifact folder of the store (by default the state folder); `stored` paths of artifacts are relative to it. */
  stateDir: string;
  /** Absolute MLflow file store that was read, or null. */
  mlruns: string | null;
  models: ModelEntryReport[];
  /** Things that could not be read (an MLflow version without meta.yaml…), one sentence each. */
  problems: string[];
}

/** One version checked by `mlops models check`. */
export interface CheckEntry {
  name: string;
  version: number;
  aliases: string[];
  reasons: StaleReason[];
}

/** `mlops models check --format json`. */
export interface CheckReport {
  stale: boolean;
  checked: CheckEntry[];
}

export interface FeatureReport {
  name: string;
  type: string | null;
  description: string | null;
  location: SourceLocation;
}

/** A task that reads a view through its `features:` list. */
export interface TaskUse {
  pipeline: string;
  file: string;
  task: string;
  location: SourceLocation;
}

/** A model version that recorded the view. */
export interface ModelUse {
  name: string;
  version: number;
  aliases: string[];
  /** Whether the view changed since that version recorded it. */
  stale: boolean;
}

export interface FeatureViewReport {
  name: string;
  catalog: string;
  location: SourceLocation;
  description: string | null;
  entities: string[];
  source: string | null;
  ttl: string | number | null;
  transformation: { ref: string; file: string | null; exists: boolean } | null;
  owner: string | null;
  tags: Record<string, string>;
  features: FeatureReport[];
  /** The view's fingerprint now. */
  fingerprint: string;
  usedBy: { tasks: TaskUse[]; models: ModelUse[] };
}

export interface EntityReport {
  name: string;
  joinKeys: string[];
  description: string | null;
  location: SourceLocation;
}

export interface SourceReport {
  name: string;
  path: string | null;
  timestampField: string | null;
  description: string | null;
  location: SourceLocation;
}

export interface CatalogReport {
  file: string;
  project: string | null;
  entities: EntityReport[];
  sources: SourceReport[];
  views: FeatureViewReport[];
}

/** `mlops features list --format json`. */
export interface FeaturesReport {
  root: string;
  catalogs: CatalogReport[];
}
