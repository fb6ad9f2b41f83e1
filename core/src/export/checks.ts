import { effective, effectiveEnv } from '../pipeline/load';
import type { Located, Task } from '../pipeline/model';
import type { Problems } from '../rules/problem';
import type { Span } from '../text/range';
import { isAbsolute } from '../util/paths';
import { get } from '../yaml/tree';
import type { ExportSource } from './target';

/**
 * Checks every engine needs: each runs tasks in containers, in a pod that is not this
 * machine, with only the environment the export gives it. A target passes what differs
 * (its name, the image it falls back to, which variables it sets).
 */
export interface CommonCheckOptions {
  /** The engine's name in messages. */
  title: string;
  /** The image for tasks that name none (`--image`). */
  imageFallback?: string;
  /** Whether the export sets this `MLOPS_*` variable in every task. */
  setsVariable(name: string): boolean;
  /** Whether the export keeps the pipeline's schedule (a CronWorkflow, a scheduled DAG). */
  schedules: boolean;
}

/** Runs the shared checks in file order of the tasks. */
export function commonChecks(src: ExportSource, o: CommonCheckOptions, out: Problems): void {
  const p = src.pipeline;
  const pathsOnce = firstTime();
  const variablesOnce = firstTime();
  const envOnce = firstTime();
  const executorOnce = firstTime();
  for (const t of p.tasks.values()) {
    if (!effective(p, t, 'image') && !o.imageFallback) {
      out.error('export-no-image', t.keySpan, `Task '${t.id}' has no image, and ${o.title} runs every task in a container. Set image: on the task or under defaults:, or export with --image.`);
    }
    // The command and the variables: where a path of this machine or an unset variable may hide.
    const env = effectiveEnv(p, t);
    const scalars: Located<string>[] = t.run ? [t.run, ...env.values()] : [...env.values()];
    localPaths(src, t, scalars, pathsOnce, out);
    hostEnv(src, t, env, envOnce, out);
    unsetVariables(src, scalars, o, variablesOnce, out);
    const executor = effective(p, t, 'executor');
    if (executor?.value === 'slurm' && executorOnce(executor.span)) {
      out.warning(
        'export-lossy',
        executor.span,
        `Here this task runs as a Slurm batch job; ${o.title} runs it in a pod with its image, and the slurm settings (partition, account, qos…) do not apply. Its resources become the pod's requests.`,
      );
    }
    const model = t.node ? get(t.node, 'model') : undefined;
    if (model) {
      out.warning(
        'export-lossy',
        model.keySpan,
        `${o.title} runs the task but does not register model '${t.model?.name?.value ?? t.id}' in this workspace's model store: the model file stays on the export's volume. Register it from there, or keep this pipeline for local runs.`,
      );
    }
  }
  // With a zone on some schedule, a zoneless one is a target's problem (one zone per CronWorkflow).
  if (o.schedules && !p.schedules.some((s) => s.timezone)) {
    for (const s of p.schedules) {
      if (s.cron && !s.timezone) {
        out.warning(
          'export-lossy',
          s.cron.span,
          `This schedule has no time zone: the local agent fires it in this machine's zone, ${o.title} in its controller's (often UTC). Add timezone:, e.g. {cron: "${s.cron.value}", timezone: Europe/Berlin}.`,
        );
      }
    }
  }
}

/** A value inherited from `defaults` is checked once, on the defaults, not once per task. */
function firstTime(): (span: Span) => boolean {
  const seen = new Set<number>();
  return (span) => {
    // Both offsets in one number, exactly: a document has at most MAX_FILE_CHARS (2^21) characters.
    const key = span[0] * 0x400000 + span[1];
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}

/** Absolute paths: a `workdir` or an input that only this machine has, or the workspace's own path in a command or variable. */
function localPaths(src: ExportSource, t: Task, scalars: readonly Located<string>[], once: (s: Span) => boolean, out: Problems): void {
  const p = src.pipeline;
  const workdir = effective(p, t, 'workdir');
  if (workdir && isAbsolute(workdir.value) && once(workdir.span)) {
    out.error('export-local-path', workdir.span, `workdir '${workdir.value}' is a path on this machine; in a pod the workspace is elsewhere. Write it relative to the pipeline's folder.`);
  }
  for (const i of t.inputs) {
    if (isAbsolute(i.path.value) && once(i.path.span)) {
      out.error('export-local-path', i.path.span, `Input '${i.path.value}' is a path on this machine, which a pod does not have. Put the file in the workspace and name it relative to the pipeline's folder.`);
    }
  }
  for (const s of scalars) {
    if (!once(s.span)) continue;
    for (const hit of machinePaths(src.text, s.span, src.root)) {
      out.error('export-local-path', hit.span, `'${hit.path}' is a path on this machine; a pod sees the workspace at another path and has no home folder of yours. Use a path relative to the task's working directory.`);
    }
  }
}

const PATH_CHARS = /[^\s'"`;|&<>(){}$,]*/y;
const HOME = /(?:^|[^\w./-])((?:\/home|\/Users)\/[^\s/'"`;|&<>(){}$,]+)/g;

/** Paths in a scalar's source that start with the workspace root or a home folder. */
function machinePaths(text: string, span: Span, root: string | undefined): { path: string; span: Span }[] {
  const source = text.slice(span[0], span[1]);
  const starts = new Set<number>();
  if (root && root !== '/') {
    for (let i = source.indexOf(root); i !== -1; i = source.indexOf(root, i + 1)) {
      const after = source[i + root.length];
      const before = i === 0 ? '' : source[i - 1]!;
      if ((after === undefined || !/[\w.-]/.test(after)) && !/[\w./-]/.test(before)) starts.add(i);
    }
  }
  // Exec loops, not matchAll (which copies the regular expression), and none without a home folder in sight.
  if (source.includes('/home/') || source.includes('/Users/')) {
    HOME.lastIndex = 0;
    for (let m = HOME.exec(source); m !== null; m = HOME.exec(source)) starts.add(m.index + m[0].length - m[1]!.length);
  }
  const hits: { path: string; span: Span }[] = [];
  let covered = -1;
  for (const start of [...starts].sort((a, b) => a - b)) {
    if (start < covered) continue;
    PATH_CHARS.lastIndex = start;
    const path = PATH_CHARS.exec(source)![0];
    covered = start + path.length;
    hits.push({ path, span: [span[0] + start, span[0] + covered] });
  }
  return hits;
}

/** `${{ env.X }}` for an X the task does not declare: locally it is read from the agent's environment. */
function hostEnv(src: ExportSource, t: Task, declared: ReadonlyMap<string, Located<string>>, once: (s: Span) => boolean, out: Problems): void {
  const refs = src.graph.refs.get(t.id);
  if (!refs) return;
  const check = (list: typeof refs.run, inEnv: boolean) => {
    for (const r of list) {
      const name = r.parts[1];
      if (r.parts[0] !== 'env' || name === undefined) continue;
      // Env values cannot read other env values; a command can read declared ones.
      if ((!inEnv && declared.has(name)) || !once(r.outer)) continue;
      out.error('export-host-env', r.outer, `\${{ env.${name} }} is read from the environment of the machine that runs the pipeline; a pod has a different one. Declare ${name} under env: with the value the task needs.`);
    }
  };
  check(refs.run, false);
  check(refs.image, false);
  check(refs.env, true);
}

const MLOPS_VARIABLE = /\$\{?(MLOPS_[A-Za-z0-9_]+)/g;

/** `$MLOPS_X` that the export will not set (locally such a variable may come from the agent's environment). */
function unsetVariables(src: ExportSource, scalars: readonly Located<string>[], o: CommonCheckOptions, once: (s: Span) => boolean, out: Problems): void {
  for (const s of scalars) {
    if (!once(s.span)) continue;
    const source = src.text.slice(s.span[0], s.span[1]);
    if (!source.includes('MLOPS_')) continue;
    MLOPS_VARIABLE.lastIndex = 0;
    for (let m = MLOPS_VARIABLE.exec(source); m !== null; m = MLOPS_VARIABLE.exec(source)) {
      const name = m[1]!;
      if (o.setsVariable(name)) continue;
      const start = s.span[0] + m.index + m[0].length - name.length;
      out.warning(
        'export-unset-env',
        [start, start + name.length],
        `${o.title} will not set ${name}: an export sets MLOPS_RUN_ID, MLOPS_TASK and MLOPS_PARAM_<NAME> for each declared param, nothing else. Declare the param, or set the variable under env:.`,
      );
    }
  }
}
