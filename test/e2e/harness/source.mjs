// Positions in a file's text as VS Code shows them: 1-based line and column.

/** Where the `occurrence`-th (1-based) `needle` starts in `text`; throws when absent. */
export function locate(text, needle, occurrence = 1) {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`the file has no ${occurrence > 1 ? `${occurrence}th ` : ''}"${needle}"`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  return { line, col };
}

/** The 1-based line of a task's key in a pipeline file (`  <id>:` under `tasks:`). */
export function taskKeyLine(text, id) {
  const lines = text.split('\n');
  const tasksAt = lines.findIndex((l) => /^tasks:\s*(#.*)?$/.test(l));
  if (tasksAt < 0) throw new Error('the pipeline has no top-level tasks: block');
  const re = new RegExp(`^ {2}${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s*(#.*)?$`);
  const i = lines.findIndex((l, n) => n > tasksAt && re.test(l));
  if (i < 0) throw new Error(`the pipeline has no task '${id}'`);
  return i + 1;
}

/** Task ids of a pipeline file in file order (keys indented two spaces under tasks:). */
export function taskIds(text) {
  const lines = text.split('\n');
  const tasksAt = lines.findIndex((l) => /^tasks:\s*(#.*)?$/.test(l));
  const ids = [];
  for (const l of lines.slice(tasksAt + 1)) {
    if (/^\S/.test(l)) break;
    const m = /^ {2}([A-Za-z0-9_-]+):\s*(#.*)?$/.exec(l);
    if (m) ids.push(m[1]);
  }
  return ids;
}
