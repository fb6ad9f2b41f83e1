import { offeredPythonVersions, parseDevcontainerMessage, type DevcontainerHostMessage, type PreviewFile, type WizardOptions } from '../protocol/devcontainer';
import type { DetectedFacts } from './detect';
import { unifiedDiff } from './diff';
import { generate } from './generate';
import type { GenerateOptions } from './plan';
import type { FileText } from '../rules/problem';

/** How one generated file relates to what is on disk. */
export interface FileChange {
  path: string;
  status: 'new' | 'unchanged' | 'changed';
  /** Unified diff from the file on disk to the generated text (changed files only). */
  diff?: string;
}

/** Compares generated files (project-relative path → text) with the disk, read through `read`. */
export function compareWithDisk(files: Record<string, string>, read: (path: string) => FileText): FileChange[] {
  return Object.entries(files).map(([path, text]): FileChange => {
    const old = read(path);
    if (!old.ok && old.missing) return { path, status: 'new' };
    // A file that is there but not read (too large, a FIFO…) differs; overwriting it is the user's call.
    if (!old.ok) return { path, status: 'changed', diff: `--- a/${path}\n+++ b/${path}\n(the existing ${path} ${old.why}, so it was not compared)\n` };
    if (old.text === text) return { path, status: 'unchanged' };
    return { path, status: 'changed', diff: unifiedDiff(path, old.text, text) };
  });
}

/** Project files as the wizard reads and writes them (project-relative paths). */
export interface ProjectFiles {
  /** A file's text within the host's read limits, or why not. */
  read(path: string): FileText;
  /** Creates folders as needed. */
  write(path: string, text: string): void;
}

/** What the wizard needs from its surroundings: the webview, a modal question, the files and the editor. */
export interface WizardHost {
  post(message: DevcontainerHostMessage): void;
  files: ProjectFiles;
  /** Asks before overwriting files that differ; true to go ahead. */
  confirmOverwrite(paths: string[]): Promise<boolean>;
  /** The files were written (the editor may reveal them). */
  written(paths: string[]): void;
  close(): void;
  /** A message from the webview was refused (logged, never shown to the user). */
  refused(reason: string): void;
}

/** The options detection suggests, as the wizard shows them first. */
export function suggestedOptions(facts: DetectedFacts): WizardOptions {
  return { python: facts.python.version, gpu: 'project', baseImage: '', groups: [...facts.defaultGroups], jupyter: facts.jupyter, mlflow: facts.mlflow };
}

function toGenerate(o: WizardOptions): GenerateOptions {
  return {
    python: o.python,
    gpu: o.gpu,
    groups: o.groups,
    jupyter: o.jupyter,
    mlflow: o.mlflow,
    ...(o.baseImage ? { baseImage: o.baseImage } : {}),
  };
}

/**
 * The host side of one wizard: answers the webview's messages with previews computed from
 * the detected facts, and writes the files, asking first when an existing file would change.
 * Free of `vscode` and of Node, so it is tested directly.
 */
export class WizardSession {
  private writing = false;

  constructor(
    /** The project folder's name, for the title and the container name. */
    private readonly project: string,
    private readonly facts: DetectedFacts,
    private readonly host: WizardHost,
    private readonly extensionId?: string,
  ) {}

  /** Handles one raw message from the webview. */
  async handle(raw: unknown): Promise<void> {
    const parsed = parseDevcontainerMessage(raw);
    if (!parsed.ok) {
      this.host.refused(parsed.error);
      return;
    }
    const m = parsed.value;
    switch (m.type) {
      case 'ready':
        this.host.post({
          type: 'init',
          project: this.project,
          facts: this.facts,
          options: suggestedOptions(this.facts),
          pythonVersions: offeredPythonVersions(this.facts.python.version),
        });
        return;
      case 'change':
        this.host.post({ type: 'preview', seq: m.seq, ...this.preview(m.options) });
        return;
      case 'write':
        await this.write(m.options);
        return;
      case 'cancel':
        this.host.close();
        return;
      default: {
        const never: never = m;
        void never;
      }
    }
  }

  private options(o: WizardOptions): GenerateOptions {
    return { name: this.project, ...toGenerate(o), ...(this.extensionId ? { extensionId: this.extensionId } : {}) };
  }

  private propose(o: WizardOptions) {
    const g = generate(this.facts, this.options(o));
    return { ...g, changes: compareWithDisk(g.files, (p) => this.host.files.read(p)) };
  }

  private preview(o: WizardOptions) {
    const { plan, files, changes } = this.propose(o);
    const preview: PreviewFile[] = changes.map((c) => ({ path: c.path, status: c.status, text: files[c.path]!, ...(c.diff ? { diff: c.diff } : {}) }));
    return { files: preview, summary: { baseImage: plan.baseImage, python: plan.python, gpu: plan.gpu, ...(plan.cuda ? { cuda: plan.cuda } : {}), ...(plan.warnings.length ? { warnings: plan.warnings } : {}) } };
  }

  private async write(o: WizardOptions): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      const p = this.propose(o);
      const changed = p.changes.filter((c) => c.status === 'changed').map((c) => c.path);
      if (changed.length > 0 && !(await this.host.confirmOverwrite(changed))) {
        this.host.post({ type: 'declined' });
        return;
      }
      // Compare again after the question: the files may have changed while it was open.
      const fresh = this.propose(o);
      const surprise = fresh.changes.filter((c) => c.status === 'changed' && !changed.includes(c.path));
      if (surprise.length > 0) {
        this.host.post({ type: 'error', message: `${surprise.map((c) => c.path).join(' and ')} changed on disk meanwhile; review the new diff and write again.` });
        return;
      }
      const paths = fresh.changes.filter((c) => c.status !== 'unchanged').map((c) => c.path);
      for (const p of paths) this.host.files.write(p, fresh.files[p]!);
      this.host.post({ type: 'written', paths });
      this.host.written(paths);
    } catch (e) {
      this.host.post({ type: 'error', message: `Could not write the files (${(e as Error).message}); check the folder's permissions.` });
    } finally {
      this.writing = false;
    }
  }
}
