import type { Param, Pipeline, Task } from '../../pipeline/model';
import { resolveTask } from '../../pipeline/resolve';
import { envReference, inertForShell, paramEnvName, type ShellDialect } from '../../pipeline/shell';

/**
 * A task's command, environment and image as an Argo container template carries them.
 *
 * The local agent substitutes `${{ }}` before the shell runs; Argo substitutes its own
 * `{{…}}` tags when a pod starts, and then the kubelet expands `$(VAR)` and `$$` in the
 * container's args and env values. Everything written here goes through both, so that the
 * shell in the pod reads what the shell on this machine read.
 */
export interface ArgoCommand {
  /** The script `sh -c` / `bash -c` runs (the container's single arg). */
  script: string;
  /** The declared environment, defaults overlaid by the task's own, escaped likewise. */
  env: { name: string; value: string }[];
  image: string | null;
  /** The params the task reads (`${{ params.X }}` or `$MLOPS_PARAM_X`), in declaration order: its template inputs. */
  inputs: string[];
}

/**
 * Argo's tag for a param's value. Where the kubelet expands the result (args and env
 * values), a text value's `$` are doubled by an expression (expr's `replace`), so that a
 * `$$` or `$(NAME)` in it arrives as written; numbers, booleans and enum values known to
 * hold no `$` need no such care.
 */
export function paramTag(param: Param, scope: 'inputs' | 'workflow', expanded: boolean): string {
  const ref = `${scope}.parameters.${param.name}`;
  return expanded && mayHoldDollar(param) ? `{{=replace(${ref}, '$', '$$')}}` : `{{${ref}}}`;
}

function mayHoldDollar(param: Param): boolean {
  if (param.effectiveType !== 'string') return false;
  return !param.enum || param.enum.some((e) => String(e.value).includes('$'));
}

export const WORKFLOW_NAME_TAG = '{{workflow.name}}';

/**
 * True when a param's value goes into a command as one shell word whatever it holds: text,
 * unless every value its `enum` allows means nothing to a shell (the local run pastes those
 * as they are). Numbers, integers and booleans are checked before a run and go in as they are.
 */
export function quotedForShell(param: Param): boolean {
  if (param.effectiveType !== 'string') return false;
  return !param.enum || param.enum.some((e) => !inertForShell(String(e.value)));
}

// Markers for what Argo fills in later; NUL cannot occur in a YAML scalar, so no text collides.
// eslint-disable-next-line no-control-regex -- it looks for control characters on purpose
const MARK = /\u0000(?:p(\d+)|r)\u0000/g;
const RUN_MARK = '\u0000r\u0000';

export function argoCommand(p: Pipeline, t: Task, dialect: ShellDialect): ArgoCommand {
  const names = [...p.params.keys()];
  const used = new Set<string>();
  const mark = (name: string) => {
    used.add(name);
    return `\u0000p${names.indexOf(name)}\u0000`;
  };
  const resolved = resolveTask(
    p,
    t,
    {
      param: mark,
      runId: () => RUN_MARK,
      // The export checks refuse such references (export-host-env); they stay as written.
      outsideEnv: () => undefined,
      // A text param is read through its MLOPS_PARAM_X variable, spelled for where it stands:
      // the shell then sees the value as one word, as the local run's quoting makes it. Where
      // nothing expands (a quoted here-doc, a comment) Argo's tag pastes the value, as locally.
      commandParam: (name, where) => {
        if (!quotedForShell(p.params.get(name)!)) return mark(name);
        used.add(name);
        if (where.context === 'literal-heredoc' || where.context === 'comment') return mark(name);
        // 'unknown' stays as written; the export checks refuse it (export-unsupported).
        return envReference(name, where.context, where.next);
      },
    },
    dialect,
  );
  // Nothing is quoted when commandParam spells every param, so nothing can be refused.
  if (!resolved.ok) throw new Error(`unexpected: ${resolved.error.expr} refused in an export`);
  const values = [...resolved.env.values()];
  for (const name of names) {
    const variable = paramEnvName(name);
    if (resolved.command.includes(variable) || values.some((v) => v.includes(variable))) used.add(name);
  }
  const tag = (expanded: boolean) => (i: string | undefined) => (i === undefined ? WORKFLOW_NAME_TAG : paramTag(p.params.get(names[Number(i)]!)!, 'inputs', expanded));
  const expandedTag = tag(true);
  return {
    script: argoText(escapeKubeExpansion(resolved.command), expandedTag),
    env: [...resolved.env].map(([name, value]) => ({ name, value: argoText(escapeKubeExpansion(value), expandedTag) })),
    // The kubelet does not expand an image reference.
    image: resolved.image === null ? null : argoText(resolved.image, tag(false)),
    inputs: names.filter((n) => used.has(n)),
  };
}

/**
 * Kubernetes expands `$(VAR)` and reduces `$$` to `$` in a container's args and env
 * values; doubling each `$` that comes before `$` or `(` leaves the text as written.
 */
export function escapeKubeExpansion(s: string): string {
  return s.includes('$') ? s.replace(/\$(?=[$(])/g, '$$$$') : s;
}

/**
 * Writes `text` for Argo: every literal `{{` becomes the expression tag `{{='{{'}}` (which
 * Argo evaluates to `{{`), and each mark becomes its tag. A `{` right before a tag is
 * written the same way, or Argo would read `{{{` as the start of a different tag.
 */
export function argoText(text: string, tag: (param: string | undefined) => string): string {
  // Most values hold no mark: no search (matchAll also copies its regular expression each call).
  if (!text.includes('\u0000')) return escapeArgoTags(text);
  let out = '';
  let last = 0;
  MARK.lastIndex = 0;
  for (let m = MARK.exec(text); m !== null; m = MARK.exec(text)) {
    out += escapeArgoTags(text.slice(last, m.index));
    if (out.endsWith('{')) out = `${out.slice(0, -1)}{{='{'}}`;
    out += tag(m[1]);
    last = m.index + m[0].length;
  }
  return out + escapeArgoTags(text.slice(last));
}

export function escapeArgoTags(s: string): string {
  return s.includes('{{') ? s.replace(/\{\{/g, "{{='{{'}}") : s;
}
