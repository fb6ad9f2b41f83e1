import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Range } from 'vscode-languageserver';
import { cursorContext, effectiveEnv, FEATURE_TYPES, ITEM, schemaKeysAt, schemaValuesAt, type Analysis, type CursorContext, type Pipeline, type SchemaKey, type YValue } from '../../../core/src/index';
import { oneLine, type FeatureContext } from './context';

/** Completion items at `offset` of an analysed document. */
export function complete(ctx: FeatureContext, a: Analysis, offset: number): CompletionItem[] {
  const text = a.parsed.text;
  const cur = cursorContext(text, offset);
  if (!cur) return [];
  const lines = a.parsed.lines;
  const range = (span: readonly [number, number]): Range => lines.range(span);
  if (cur.expression) return a.pipeline ? expressionItems(a.pipeline, cur, offset, text, range) : [];
  const word = range(cur.word);
  if (a.kind === 'pipeline') {
    if (cur.at === 'key') {
      if (cur.path.length === 1 && cur.path[0] === 'tasks') return [taskSnippet(ctx, word)];
      if (cur.path.length === 1 && cur.path[0] === 'params') return [];
      return keyItems(schemaKeysAt('pipeline', cur.path), siblings(a.parsed.root, cur, offset), word);
    }
    const [root, task, field] = cur.path;
    if (root === 'tasks' && field === 'needs' && cur.path.length === 3 && a.pipeline) return needItems(a.pipeline, task!, cur, word, text);
    if (((root === 'tasks' && field === 'features' && cur.path.length === 3) || (root === 'defaults' && task === 'features' && cur.path.length === 2)) && a.pipeline) {
      return featureItems(ctx, cur, word, text);
    }
    return valueItems(schemaValuesAt('pipeline', cur.inList ? [...cur.path, ITEM] : cur.path), word);
  }
  // Feature catalogs.
  if (cur.at === 'key') return keyItems(schemaKeysAt('features', cur.path), siblings(a.parsed.root, cur, offset), word);
  const [root, , field, , sub] = cur.path;
  if (root === 'feature_views' && field === 'entities' && cur.path.length === 3) {
    return ctx.ws
      .features()
      .entityNames()
      .map((name) => ({ label: name, kind: CompletionItemKind.Struct, detail: 'entity', textEdit: { range: word, newText: name } }));
  }
  if (root === 'feature_views' && field === 'source' && cur.path.length === 3) {
    return ctx.ws
      .features()
      .sourceNames()
      .map((name) => ({ label: name, kind: CompletionItemKind.Interface, detail: 'source', textEdit: { range: word, newText: name } }));
  }
  if (root === 'feature_views' && field === 'features' && (cur.path.length === 4 || (cur.path.length === 5 && sub === 'type'))) {
    return FEATURE_TYPES.map((t) => ({ label: t, kind: CompletionItemKind.EnumMember, textEdit: { range: word, newText: t } }));
  }
  return valueItems(schemaValuesAt('features', cur.inList ? [...cur.path, ITEM] : cur.path), word);
}

/** Keys already written in the mapping the cursor is in (the one being typed excluded). */
function siblings(root: YValue | null, cur: CursorContext, offset: number): Set<string> {
  let node: YValue | null | undefined = root;
  for (const seg of cur.path) {
    if (!node) break;
    if (seg === ITEM) node = node.kind === 'seq' ? (node.items.find((i) => i.span[0] <= offset && offset <= i.span[1]) ?? node.items[node.items.length - 1]) : undefined;
    else node = node.kind === 'map' ? node.entries.find((e) => e.key === seg)?.value : undefined;
  }
  const out = new Set<string>(cur.siblings ?? []);
  if (node?.kind === 'map') for (const e of node.entries) if (!(e.keySpan[0] <= offset && offset <= e.keySpan[1])) out.add(e.key);
  return out;
}

function keyItems(keys: SchemaKey[], taken: Set<string>, range: Range): CompletionItem[] {
  return keys
    .filter((k) => !taken.has(k.name))
    .map((k, i) => {
      const item: CompletionItem = {
        label: k.name,
        kind: CompletionItemKind.Property,
        sortText: String(i).padStart(3, '0'),
        textEdit: { range, newText: `${k.name}: ` },
      };
      if (k.title) item.detail = k.title;
      if (k.description) item.documentation = { kind: MarkupKind.Markdown, value: k.description };
      return item;
    });
}

function valueItems(values: unknown[], range: Range): CompletionItem[] {
  return values.map((v) => ({ label: String(v), kind: CompletionItemKind.EnumMember, textEdit: { range, newText: String(v) } }));
}

function taskSnippet(ctx: FeatureContext, range: Range): CompletionItem {
  const snippet = '${1:task-id}:\n  run: ${2:command}\n  needs: [$3]\n  outputs: [$4]';
  const plain = 'task-id:\n  run: command\n  needs: []\n  outputs: []';
  return {
    label: 'new task',
    kind: CompletionItemKind.Snippet,
    detail: 'A task with run, needs and outputs',
    insertTextFormat: ctx.snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    textEdit: { range, newText: ctx.snippets ? snippet : plain },
  };
}

function needItems(p: Pipeline, taskId: string, cur: CursorContext, range: Range, text: string): CompletionItem[] {
  const task = p.tasks.get(taskId);
  const typed = text.slice(cur.word[0], cur.word[1]);
  const listed = new Set((task?.needs ?? []).map((n) => n.value).filter((v) => v !== typed));
  const out: CompletionItem[] = [];
  for (const t of p.tasks.values()) {
    if (t.id === taskId || listed.has(t.id)) continue;
    const item: CompletionItem = { label: t.id, kind: CompletionItemKind.Reference, textEdit: { range, newText: cur.inList ? t.id : `[${t.id}]` } };
    if (t.run) item.detail = oneLine(t.run.value);
    if (t.description) item.documentation = t.description.value;
    out.push(item);
  }
  return out;
}

function featureItems(ctx: FeatureContext, cur: CursorContext, range: Range, text: string): CompletionItem[] {
  const index = ctx.ws.features();
  const wrap = (s: string) => (cur.inList ? s : `[${s}]`);
  const typed = text.slice(cur.word[0], cur.word[1]);
  const dot = typed.indexOf('.');
  const out: CompletionItem[] = [];
  for (const name of index.viewNames()) {
    const view = index.view(name)!;
    if (dot === -1) {
      const item: CompletionItem = { label: name, kind: CompletionItemKind.Module, detail: 'feature view', textEdit: { range, newText: wrap(name) } };
      if (view.description) item.documentation = view.description;
      out.push(item);
    }
    if (dot !== -1 && typed.slice(0, dot) !== name) continue;
    for (const f of view.features.values()) {
      const label = `${name}.${f.name}`;
      const item: CompletionItem = { label, kind: CompletionItemKind.Field, detail: f.type ? `feature: ${f.type.value}` : 'feature', textEdit: { range, newText: wrap(label) } };
      if (f.description) item.documentation = f.description;
      out.push(item);
    }
  }
  return out;
}

const ROOTS: { label: string; detail: string }[] = [
  { label: 'params', detail: 'a pipeline parameter: params.NAME' },
  { label: 'tasks', detail: "another task's output: tasks.ID.outputs.NAME" },
  { label: 'inputs', detail: "this task's named input: inputs.NAME" },
  { label: 'outputs', detail: "this task's named output: outputs.NAME" },
  { label: 'run', detail: 'the run: run.id' },
  { label: 'env', detail: 'an environment variable: env.NAME' },
];

/** Names inside `${{ … }}`: the expression's parts before the cursor choose the list. */
function expressionItems(p: Pipeline, cur: CursorContext, offset: number, text: string, range: (s: readonly [number, number]) => Range): CompletionItem[] {
  const expr = cur.expression!;
  const parts = expr.text.split('.').map((s) => s.trim());
  const lastDot = expr.text.lastIndexOf('.');
  let end = offset;
  while (end < text.length && /[\w-]/.test(text[end]!)) end++;
  const r = range([expr.start + lastDot + 1, end]);
  const task = cur.path[0] === 'tasks' && cur.path[1] !== undefined ? p.tasks.get(cur.path[1]) : undefined;
  const item = (label: string, kind: CompletionItemKind, detail?: string): CompletionItem => {
    const it: CompletionItem = { label, kind, textEdit: { range: r, newText: label } };
    if (detail !== undefined) it.detail = detail;
    return it;
  };
  const [root, a, b] = parts;
  switch (parts.length) {
    case 1:
      return ROOTS.map((x) => item(x.label, CompletionItemKind.Keyword, x.detail));
    case 2:
      if (root === 'params') {
        return [...p.params.values()].map((param) => {
          const def = param.default ? ` = ${JSON.stringify(param.default.value)}` : '';
          const it = item(param.name, CompletionItemKind.Variable, `${param.effectiveType}${def}`);
          if (param.description) it.documentation = param.description;
          return it;
        });
      }
      if (root === 'tasks') return [...p.tasks.values()].filter((t) => t.id !== task?.id).map((t) => item(t.id, CompletionItemKind.Reference, t.run ? oneLine(t.run.value) : undefined));
      if (root === 'inputs' && task) return task.inputs.map((i, n) => item(i.name ?? String(n), CompletionItemKind.File, i.path.value));
      if (root === 'outputs' && task) return task.outputs.map((o, n) => item(o.name ?? String(n), CompletionItemKind.File, o.path.value));
      if (root === 'run') return [item('id', CompletionItemKind.Property, 'the id of this run')];
      if (root === 'env' && task) return [...effectiveEnv(p, task).entries()].map(([name, v]) => item(name, CompletionItemKind.Variable, v.value));
      return [];
    case 3:
      return root === 'tasks' && p.tasks.has(a!) ? [item('outputs', CompletionItemKind.Keyword, `outputs of ${a}`)] : [];
    case 4: {
      const up = root === 'tasks' && b === 'outputs' ? p.tasks.get(a!) : undefined;
      return up ? up.outputs.map((o, n) => item(o.name ?? String(n), CompletionItemKind.File, o.path.value)) : [];
    }
    default:
      return [];
  }
}
