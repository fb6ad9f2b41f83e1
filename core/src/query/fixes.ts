/**
 * Quick fixes for diagnostics, as text edits: the rules attach FixData, this module turns
 * it into edits that respect the file's layout, and adds fixes that need a look at other
 * tasks (which task probably writes a missing input).
 */
import type { Diagnostic, DiagnosticCode, FixData } from '../diagnostics';
import { findReferences, REFERENCE_PATTERN } from '../pipeline/interpolation';
import type { Pipeline, Task } from '../pipeline/model';
import { commandContexts } from '../pipeline/process-rules';
import { envReference, paramEnvName } from '../pipeline/shell';
import { TASK_ID } from '../pipeline/rules';
import { normalize } from '../util/paths';
import type { Analysis } from '../workspace';
import type { YMap, YSeq } from '../yaml/tree';
import { appendItem, insertEntry, isFlow, removeEntry, removeItem, setEntry, type SpanEdit } from './edits';
import { nodeAt } from './node-at';

/** One fix: a title for the light bulb and the edits to one document. */
export interface QuickFix {
  title: string;
  code: DiagnosticCode;
  edits: SpanEdit[];
  /** The fix to apply with "auto fix". */
  preferred: boolean;
}

/** Every fix for a diagnostic of an analysed document, best first. */
export function quickFixes(a: Analysis, d: Diagnostic): QuickFix[] {
  const span: [number, number] = [a.parsed.lines.offset(d.range.start), a.parsed.lines.offset(d.range.end)];
  const out: QuickFix[] = [];
  const producers = d.code === 'missing-input' ? likelyProducers(a, span) : undefined;
  // Declaring the output is the real fix: it also creates the dependency.
  if (producers)
    for (const t of producers.tasks) {
      const edit = addOutput(a.parsed.text, t, producers.input);
      if (edit) out.push({ title: `Declare '${producers.input}' as an output of '${t.id}'`, code: d.code, edits: [edit], preferred: false });
    }
  const fixes: FixData[] = [...(d.fixes ?? []), ...(producers ? producers.tasks.map((t): FixData => ({ kind: 'add-need', task: producers.task, need: t.id })) : [])];
  for (const fix of fixes) {
    const made = fixEdits(a, d, span, fix);
    if (made) out.push({ title: made.title, code: d.code, edits: made.edits, preferred: false });
  }
  if (out.length > 0) out[0]!.preferred = true;
  return out;
}

function fixEdits(a: Analysis, d: Diagnostic, span: [number, number], fix: FixData): { title: string; edits: SpanEdit[] } | undefined {
  const text = a.parsed.text;
  const p = a.pipeline;
  switch (fix.kind) {
    case 'replace': {
      if (d.code === 'unpinned-image') return cacheOff(a, span, fix.title);
      const target: [number, number] = fix.range ? [a.parsed.lines.offset(fix.range.start), a.parsed.lines.offset(fix.range.end)] : span;
      return { title: fix.title, edits: [{ span: target, newText: fix.newText }] };
    }
    case 'remove-need': {
      const edit = p && removeNeed(text, p, span);
      const need = text.slice(span[0], span[1]);
      return edit ? { title: `Remove '${unquote(need)}' from needs`, edits: [edit] } : undefined;
    }
    case 'add-need': {
      const task = p?.tasks.get(fix.task);
      const edit = task && addNeed(text, task, fix.need);
      return edit ? { title: `Add '${fix.need}' to the needs of '${fix.task}'`, edits: [edit] } : undefined;
    }
    case 'create-task': {
      if (!p || !TASK_ID.test(fix.id) || p.tasks.has(fix.id)) return undefined;
      const edit = createTask(text, p, fix.id);
      return edit ? { title: `Create task '${fix.id}'`, edits: [edit] } : undefined;
    }
    case 'env-param':
      return envParamFix(a, span, fix.param);
    default: {
      const never: never = fix;
      return never;
    }
  }
}

/**
 * `string-param-in-run`: `${{ params.X }}` becomes "$MLOPS_PARAM_X", spelled for where it
 * stands in the shell command and written in the YAML scalar's own style.
 */
function envParamFix(a: Analysis, span: [number, number], name: string): { title: string; edits: SpanEdit[] } | undefined {
  const p = a.pipeline;
  const text = a.parsed.text;
  const task = p && [...p.tasks.values()].find((t) => t.run && t.run.span[0] <= span[0] && span[1] <= t.run.span[1]);
  const run = task?.run;
  if (!task || !run) return undefined;
  const refs = findReferences(text, run.span);
  const k = refs.findIndex((r) => r.outer[0] === span[0]);
  const context = k < 0 ? undefined : commandContexts(p, task, refs.length)?.[k];
  const shell = context && envReference(name, context, text[span[1]] ?? '');
  if (!shell) return undefined;
  const title = `Read the param from $${paramEnvName(name)}`;
  const style = text[run.span[0]];
  if (style === '"') return { title, edits: [{ span, newText: shell.replace(/[\\"]/g, '\\$&') }] };
  if (style === "'") return { title, edits: [{ span, newText: shell.replace(/'/g, "''") }] };
  // Block scalars take any text; so does a plain one, unless a quote would start it. (A plain
  // scalar inside a flow mapping cannot hold `${{` at all, so braces never meet one here.)
  const opensQuote = span[0] === run.span[0] && /^["']/.test(shell);
  if (style === '|' || style === '>' || !opensQuote) return { title, edits: [{ span, newText: shell }] };
  // Otherwise the whole command becomes a double-quoted YAML string (JSON's escapes are YAML's).
  let j = -1;
  const value = run.value.replace(new RegExp(REFERENCE_PATTERN.source, 'g'), (whole) => (++j === k ? shell : whole));
  return { title, edits: [{ span: run.span, newText: JSON.stringify(value) }] };
}

function unquote(s: string): string {
  return s.replace(/^(["'])(.*)\1$/, '$2');
}

/**
 * For a missing input: the tasks whose command mentions the path, which probably write it
 * without declaring it. No single rule can know this; it needs a look at the other tasks.
 */
function likelyProducers(a: Analysis, span: [number, number]): { task: string; input: string; tasks: Task[] } | undefined {
  const p = a.pipeline;
  if (!p) return undefined;
  const hit = nodeAt(p.root, span[0]);
  const taskId = hit?.path[0] === 'tasks' ? hit.path[1] : undefined;
  if (typeof taskId !== 'string' || hit?.node?.kind !== 'scalar') return undefined;
  const task = p.tasks.get(taskId);
  const input = normalize(String(hit.node.value));
  if (!task || input === '.') return undefined;
  const tasks = p.taskOrder.filter((t) => {
    if (t.id === taskId || !t.run || task.needs.some((n) => n.value === t.id)) return false;
    return t.run.value.split(/[\s'"=]+/).some((w) => w !== '' && normalize(w) === input);
  });
  return tasks.length > 0 ? { task: taskId, input, tasks } : undefined;
}

/** Adds a path to a task's outputs, in the style of its outputs (list, map or none yet). */
function addOutput(text: string, t: Task, path: string): SpanEdit | undefined {
  if (!t.node) return undefined;
  const entry = t.node.entries.find((e) => e.key === 'outputs');
  if (entry?.value?.kind === 'seq') return appendItem(text, entry.value, path);
  if (entry?.value?.kind === 'map') {
    const base =
      path
        .slice(path.lastIndexOf('/') + 1)
        .replace(/\.[^.]*$/, '')
        .replace(/[^A-Za-z0-9_]/g, '_') || 'output';
    return insertEntry(text, entry.value, base, path);
  }
  if (entry) return setEntry(text, t.node, 'outputs', `[${path}]`);
  const run = t.node.entries.find((e) => e.key === 'run');
  return insertEntry(text, t.node, 'outputs', `[${path}]`, run);
}

/** The edit that removes the `needs` entry at `span`. */
function removeNeed(text: string, p: Pipeline, span: [number, number]): SpanEdit | undefined {
  const hit = nodeAt(p.root, span[0]);
  if (!hit || hit.path[0] !== 'tasks' || hit.path[2] !== 'needs' || typeof hit.path[3] !== 'number') return undefined;
  const task = p.tasks.get(String(hit.path[1]));
  const entry = task?.node?.entries.find((e) => e.key === 'needs');
  if (!task?.node || entry?.value?.kind !== 'seq') return undefined;
  return removeItem(text, entry.value, hit.path[3]) ?? removeEntry(text, task.node, entry);
}

function addNeed(text: string, task: Task, need: string): SpanEdit | undefined {
  if (!task.node) return undefined;
  const entry = task.node.entries.find((e) => e.key === 'needs');
  if (entry?.value?.kind === 'seq') return appendItem(text, entry.value as YSeq, need);
  if (entry) return setEntry(text, task.node, 'needs', `[${need}]`);
  // A new `needs` goes first in a flow task and after `run` in a block one, where readers look for it.
  if (isFlow(text, task.node)) return { span: [task.node.span[0] + 1, task.node.span[0] + 1], newText: `needs: [${need}], ` };
  const run = task.node.entries.find((e) => e.key === 'run');
  return insertEntry(text, task.node, 'needs', `[${need}]`, run);
}

/** A stub task at the end of `tasks`, in the style of the last task. */
function createTask(text: string, p: Pipeline, id: string): SpanEdit | undefined {
  const tasks = p.tasksNode;
  if (!tasks) return undefined;
  const command = `echo "TODO: write the command of ${id}"`;
  const last = p.taskOrder[p.taskOrder.length - 1];
  if (last && last.node && isFlow(text, last.node)) return insertEntry(text, tasks, id, `{run: '${command}'}`);
  if (isFlow(text, tasks)) return insertEntry(text, tasks, id, `{run: '${command}'}`);
  const indent = childIndent(text, p, tasks);
  return insertEntry(text, tasks, id, `\n${indent}run: ${command}`);
}

/** Indentation of a task's keys: taken from an existing block task, else the tasks' own plus two. */
function childIndent(text: string, p: Pipeline, tasks: YMap): string {
  const col = (o: number) => o - (text.lastIndexOf('\n', o - 1) + 1);
  for (const t of p.taskOrder) {
    const first = t.node?.entries[0];
    if (t.node && first && !isFlow(text, t.node)) return ' '.repeat(col(first.keySpan[0]));
  }
  const first = tasks.entries[0];
  return ' '.repeat((first ? col(first.keySpan[0]) : 2) + 2);
}

/** `unpinned-image`: keep the image, switch caching off where the image is set. */
function cacheOff(a: Analysis, span: [number, number], title: string): { title: string; edits: SpanEdit[] } | undefined {
  const hit = nodeAt(a.parsed.root, span[0]);
  if (!hit?.map || hit.entry?.key !== 'image') return undefined;
  return { title, edits: [setEntry(a.parsed.text, hit.map, 'cache', 'false', hit.entry)] };
}
