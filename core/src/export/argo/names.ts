/**
 * Argo's names for a pipeline's tasks. Template and DAG task names may hold letters,
 * digits and '-', at most 128 characters (workflow/validate in argo-workflows), and a DAG
 * task that has dependencies may not start with a digit.
 */
export const MAX_ARGO_NAME = 128;

/** A task id as an Argo name: `_` becomes `-`; a leading digit gets a `t-` prefix. */
export function argoName(id: string): string {
  const dashed = id.replace(/_/g, '-');
  return /^[0-9]/.test(dashed) ? `t-${dashed}` : dashed;
}

/** Every task's Argo name, and the names two or more tasks would share. */
export interface TaskNames {
  byTask: Map<string, string>;
  /** Argo name → the task ids that map to it, when more than one does. */
  clashes: Map<string, string[]>;
}

/** The names of a pipeline's tasks, made once for the export's checks and its mapping (read-only). */
export function pipelineTaskNames(tasks: ReadonlyMap<string, unknown>): TaskNames {
  let names = byPipeline.get(tasks);
  if (!names) byPipeline.set(tasks, (names = taskNames(tasks.keys())));
  return names;
}

const byPipeline = new WeakMap<ReadonlyMap<string, unknown>, TaskNames>();

export function taskNames(ids: Iterable<string>): TaskNames {
  const byTask = new Map<string, string>();
  const byName = new Map<string, string[]>();
  for (const id of ids) {
    const name = argoName(id);
    byTask.set(id, name);
    const list = byName.get(name);
    if (list) list.push(id);
    else byName.set(name, [id]);
  }
  const clashes = new Map<string, string[]>();
  for (const [name, list] of byName) if (list.length > 1) clashes.set(name, list);
  return { byTask, clashes };
}

/** `base`, or `base-2`, `base-3`… whichever no task took: the export's own templates never take a task's name. */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/**
 * A Kubernetes label value (63 characters of `[A-Za-z0-9._-]`, alphanumeric at both ends),
 * or undefined when `value` cannot be one as it is; annotations carry the full text.
 */
export function labelValue(value: string): string | undefined {
  return value.length <= 63 && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value) ? value : undefined;
}
