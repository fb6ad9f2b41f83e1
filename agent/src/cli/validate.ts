import * as fs from 'node:fs';
import * as path from 'node:path';
import { documentKind, skippedFolder, type PipelineProblem } from '../../../core/src/index';
import { describeUnread, kindOf } from '../../../core/src/node/read';
import { addProjectDocuments, jsonDiagnostic, projectWorkspace } from '../load';
import { format, InputError, parseArgs, UsageError } from '../util/args';
import { palette, type Palette } from '../util/colors';
import { findProjectFilesSync } from '../../../core/src/node';
import { readDocument, toPosix, workspaceRoot } from '../util/files';
import type { Command } from './command';

/** One diagnostic as `mlops validate --format json` prints it: 1-based, end column exclusive. */
export type JsonDiagnostic = PipelineProblem;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check pipeline and feature files, as the editor does (exit 1 on errors)',
  usage: 'mlops validate <files|dirs|globs>… [--format text|json]',
  run(argv) {
    const args = parseArgs(argv, { values: ['format'] });
    const fmt = format(args, ['text', 'json'] as const, 'text');
    if (args.positionals.length === 0) throw new UsageError('Name at least one file, folder or glob, e.g. mlops validate .');
    const cwd = process.cwd();
    const targets = expand(args.positionals, cwd);
    // Cross-file rules need every catalog of the workspace, not only the files named, and a
    // catalog's sources may be written by any pipeline (missing-source-path): load those too,
    // so a file validates the same alone as in the editor.
    const root = workspaceRoot(cwd);
    const ws = projectWorkspace(root);
    addProjectDocuments(ws, root, 'pipeline', new Set(targets.keys()));
    // A file named on the command line is read where it is; one found in a folder or by a
    // glob only when it resolves inside the workspace, as the editor does.
    const unread = new Map<string, string>();
    for (const [f, named] of targets) {
      const text = readDocument(f, named ? undefined : [root]);
      if (text.ok) ws.set(toPosix(f), text.value);
      else unread.set(f, describeUnread(text.error));
    }
    const results: JsonDiagnostic[] = [];
    for (const f of targets.keys()) {
      const file = path.relative(cwd, f) || f;
      const why = unread.get(f);
      if (why !== undefined) {
        results.push(unreadDiagnostic(file, why));
        continue;
      }
      const a = ws.analyze(toPosix(f));
      if (!a) continue;
      for (const d of a.diagnostics) results.push(jsonDiagnostic(file, d));
    }
    if (fmt === 'json') process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else process.stdout.write(formatDiagnostics(results, targets.size, palette(process.stdout)));
    return results.some((r) => r.severity === 'error') ? 1 : 0;
  },
};

/** A document that was not read, as an error on its first character (the parser's code for a file too large to check). */
function unreadDiagnostic(file: string, why: string): JsonDiagnostic {
  return {
    file,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    severity: 'error',
    code: 'yaml-syntax',
    message: `${file} ${why}, so it was not checked; split it or point to a regular file inside the workspace.`,
  };
}

/**
 * Files, folders and globs → the pipeline and feature files they name, in order, once each;
 * true for a file named as such (not found in a folder or by a glob).
 */
function expand(patterns: string[], cwd: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const p of patterns) {
    const abs = path.resolve(cwd, p);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(abs);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      const files = findProjectFilesSync(abs);
      if (files.length === 0) throw new UsageError(`${p}: no *.pipeline.yaml or *.features.yaml files in this folder.`);
      files.forEach((f) => out.has(f) || out.set(f, false));
    } else if (stat?.isFile()) {
      if (!documentKind(abs)) throw new UsageError(`${p}: not a *.pipeline.yaml or *.features.yaml file; rename it so its kind is known.`);
      out.set(abs, true);
    } else if (stat) {
      throw new InputError(`${p} is ${kindOf(stat)}, not a regular file; name pipeline and catalog files or the folders holding them.`);
    } else if (/[*?[{]/.test(p)) {
      // Like a folder, a glob skips dependencies and caches unless the pattern names them.
      const named = new Set(p.split(/[/\\]/));
      const exclude = (f: string | fs.Dirent) => {
        const name = typeof f === 'string' ? path.basename(f) : f.name;
        return skippedFolder(name) && !named.has(name);
      };
      const files = fs
        .globSync(p, { cwd, exclude })
        .map((f) => path.resolve(cwd, f))
        .filter((f) => documentKind(f) !== undefined);
      if (files.length === 0) throw new UsageError(`${p}: the pattern matches no *.pipeline.yaml or *.features.yaml file.`);
      files.sort().forEach((f) => out.has(f) || out.set(f, false));
    } else {
      throw new UsageError(`${p}: no such file or folder.`);
    }
  }
  return out;
}

/** Diagnostics as text, one per line, then a summary line; what `mlops validate` prints. */
export function formatDiagnostics(results: JsonDiagnostic[], fileCount: number, c: Palette): string {
  const lines: string[] = [];
  for (const r of results) {
    const sev = r.severity === 'error' ? c.red('error') : r.severity === 'warning' ? c.yellow('warning') : c.blue('info');
    lines.push(`${c.bold(`${r.file}:${r.line}:${r.column}:`)} ${sev} ${c.dim(r.code)}: ${r.message}`);
  }
  const count = (sev: string) => results.filter((r) => r.severity === sev).length;
  const errors = count('error');
  const warnings = count('warning');
  const infos = count('info');
  const files = `${fileCount} file${fileCount === 1 ? '' : 's'}`;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (results.length === 0) lines.push(c.green(`✓ ${files} checked, no problems`));
  else lines.push(`${errors > 0 ? c.red('✗') : c.yellow('!')} ${files} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')}`);
  return `${lines.join('\n')}\n`;
}
