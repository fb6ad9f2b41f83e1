/**
 * Rules about what reaches a task's process: characters no process can receive, and
 * string params pasted into shell commands (see ./shell.ts for how they are quoted).
 */
import type { Problems } from '../rules/problem';
import type { YValue } from '../yaml/tree';
import { effective } from './load';
import type { Pipeline, Task } from './model';
import type { PipelineContext } from './rules';
import { describeContext, paramEnvName, referenceContexts, type ShellContext } from './shell';

/** Runs the rules of this file. */
export function checkProcessInputs(ctx: PipelineContext, out: Problems): void {
  checkNul(ctx, out);
  checkStringParamsInRun(ctx, out);
}

/**
 * NUL cannot be passed to a process: commands, paths and environment values are C strings
 * (and bash cannot hold one in a variable). YAML can still write it as `"\0"`; the run would
 * otherwise cut or drop the value without a word.
 */
function checkNul({ text, pipeline: p }: PipelineContext, out: Problems): void {
  // Only a file that spells a NUL (an escape or the byte itself) can hold one.
  if (!/\\[0xuU]|\0/.test(text)) return;
  const message = 'contains a NUL character (\\0), which no process can receive in a command, path or environment variable; remove it.';
  const walk = (v: YValue | null): void => {
    if (!v) return;
    if (v.kind === 'scalar') {
      if (typeof v.value === 'string' && v.value.includes('\0')) out.error('nul-character', v.span, `This value ${message}`);
    } else if (v.kind === 'seq') {
      for (const item of v.items) walk(item);
    } else {
      for (const e of v.entries) {
        if (e.key.includes('\0')) out.error('nul-character', e.keySpan, `This key ${message}`);
        walk(e.value);
      }
    }
  };
  walk(p.root);
}

/**
 * A free-text string param written as `${{ params.X }}` in `run`: the agent quotes it for the
 * shell, but the safe habit (the one GitHub recommends for Actions) is to read it from the
 * environment, where its value never becomes part of the command's text.
 */
function checkStringParamsInRun({ pipeline: p, graph }: PipelineContext, out: Problems): void {
  for (const t of p.tasks.values()) {
    if (!t.run) continue;
    const refs = graph.refs.get(t.id)?.run ?? [];
    if (!refs.some((r) => isFreeString(p, r.parts))) continue;
    const contexts = commandContexts(p, t, refs.length);
    refs.forEach((ref, k) => {
      if (!isFreeString(p, ref.parts)) return;
      const context = contexts?.[k] ?? 'plain';
      if (context === 'comment') return;
      const name = ref.parts[1]!;
      const env = paramEnvName(name);
      const quotable = context === 'plain' || context === 'double' || context === 'single' || context === 'ansi';
      const message = quotable
        ? `String param '${name}' is pasted into the shell command: the agent quotes it as one word, but "$${env}" keeps its value out of the command's text; read it from the environment instead.`
        : `String param '${name}' is pasted into the shell command ${describeContext(context)}, where it cannot always be quoted: a value with shell characters is refused at run time. Read "$${env}" from the environment instead.`;
      out.warning('string-param-in-run', ref.outer, message, [{ kind: 'env-param', param: name }]);
    });
  }
}

/** A declared string param without `enum` (enum values are written in the file, so known). */
function isFreeString(p: Pipeline, parts: string[]): boolean {
  if (parts[0] !== 'params' || parts.length !== 2) return false;
  const param = p.params.get(parts[1]!);
  return param !== undefined && param.effectiveType === 'string' && !param.enum;
}

/**
 * The shell context of each reference of the task's command, when the command as YAML read
 * it has as many references as its source text (an escape such as `\x24{{` could differ).
 */
export function commandContexts(p: Pipeline, t: Task, count: number): readonly ShellContext[] | undefined {
  if (!t.run) return undefined;
  const dialect = effective(p, t, 'executor')?.value === 'docker' ? 'sh' : 'bash';
  const contexts = referenceContexts(t.run.value, dialect);
  return contexts.length === count ? contexts : undefined;
}
