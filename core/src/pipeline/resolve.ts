import { resolveInputPath } from './graph';
import { interpolate, REFERENCE_PATTERN } from './interpolation';
import { effective, effectiveEnv } from './load';
import type { Pipeline, Task } from './model';
import { interpolateCommand, referenceContexts, type ShellContext, type ShellDialect, type Unquotable } from './shell';

/**
 * Where the values behind `${{ params.X }}`, `${{ run.id }}` and `${{ env.X }}` come from.
 * A local run gives real values; an export gives placeholders its engine fills in later.
 */
export interface ReferenceValues {
  /** A param's value as text; undefined leaves the reference as written. */
  param(name: string): string | undefined;
  runId(): string | undefined;
  /** A variable the task does not declare in `env` (the agent's own environment, locally). */
  outsideEnv(name: string): string | undefined;
  /**
   * How a param reference in the command is written, knowing where it stands (its quoting
   * context and the character after it). Without this, the param's value goes in, quoted for
   * the shell when it is text — the local run. An export whose engine fills values in later
   * writes its own spelling (an expansion of the param's variable); nothing is quoted then.
   */
  commandParam?(name: string, where: { context: ShellContext; next: string }): string | undefined;
}

/** A task's command, environment and image with every `${{ }}` replaced. */
export type ResolvedTask =
  | {
      ok: true;
      command: string;
      /** The declared environment (defaults overlaid by the task's own), in declaration order. */
      env: Map<string, string>;
      image: string | null;
    }
  /** A text value that cannot be quoted where it stands in the command. */
  | { ok: false; error: Unquotable };

const REFS = new RegExp(REFERENCE_PATTERN.source, 'g');

/**
 * Substitutes the references of one task. The meaning of each root (`params`, `tasks`,
 * `inputs`, `outputs`, `run`, `env`) is decided here, once, for the local run and every
 * export alike. Env values may use everything but other env values, which keeps
 * resolution one pass. `dialect` is the shell that runs the command.
 */
export function resolveTask(p: Pipeline, t: Task, values: ReferenceValues, dialect: ShellDialect): ResolvedTask {
  const output = (task: Task, name: string) => task.outputs.find((o, i) => o.name === name || (o.name === undefined && String(i) === name))?.path.value;
  const inputPath = (name: string) => {
    const i = t.inputs.find((e, k) => e.name === name || (e.name === undefined && String(k) === name));
    return i ? (resolveInputPath(p, i.path.value) ?? i.path.value) : undefined;
  };
  const env = new Map<string, string>();
  const resolve = (parts: string[], envValue: (name: string) => string | undefined): string | undefined => {
    const [root, a, , c] = parts;
    switch (root) {
      case 'params':
        return a !== undefined && p.params.has(a) ? values.param(a) : undefined;
      case 'tasks': {
        const up = a === undefined ? undefined : p.tasks.get(a);
        return up && c !== undefined ? output(up, c) : undefined;
      }
      case 'inputs':
        return a === undefined ? undefined : inputPath(a);
      case 'outputs':
        return a === undefined ? undefined : output(t, a);
      case 'run':
        return a === 'id' ? values.runId() : undefined;
      case 'env':
        return a === undefined ? undefined : envValue(a);
      default:
        return undefined;
    }
  };
  const outside = (name: string) => values.outsideEnv(name);
  const inEnv = (parts: string[]) => resolve(parts, outside);
  for (const [k, v] of effectiveEnv(p, t)) env.set(k, interpolate(v.value, inEnv));
  const inCommand = (parts: string[]) => resolve(parts, (name) => env.get(name) ?? values.outsideEnv(name));
  const run = t.run?.value ?? '';
  // interpolateCommand asks for the references in order: the k-th call is the k-th match.
  const sites = values.commandParam ? [...run.matchAll(REFS)] : [];
  let contexts: readonly ShellContext[] | undefined;
  let k = -1;
  const command = interpolateCommand(
    run,
    (parts) => {
      k++;
      const name = parts[0] === 'params' ? parts[1] : undefined;
      if (values.commandParam && name !== undefined && p.params.has(name)) {
        contexts ??= referenceContexts(run, dialect);
        const m = sites[k]!;
        const text = values.commandParam(name, { context: contexts[k] ?? 'unknown', next: run[m.index + m[0].length] ?? '' });
        return text === undefined ? undefined : { text, quote: false };
      }
      const text = inCommand(parts);
      // String params come from outside the file (a flag, the editor, a schedule): quoted for the shell.
      return text === undefined ? undefined : { text, quote: name !== undefined && p.params.get(name)?.effectiveType === 'string' };
    },
    dialect,
  );
  if (!command.ok) return command;
  const image = effective(p, t, 'image');
  return { ok: true, command: command.command, env, image: image ? interpolate(image.value, inCommand) : null };
}
