import * as path from 'node:path';
import { makePlan, type DetectedFacts, type GenerateOptions } from '../../../core/src/devcontainer/index';
import {
  offeredPythonVersions,
  parseDevcontainerMessage,
  type DevcontainerHostMessage,
  type PreviewFile,
  type WizardOptions,
} from '../../../core/src/protocol/devcontainer';
import { propose, writeProposal } from './project';

/** What the wizard needs from its surroundings: the webview, a modal question, and the editor. */
export interface WizardHost {
  post(message: DevcontainerHostMessage): void;
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
  return { python: facts.python.version, gpu: 'auto', baseImage: '', groups: [], jupyter: facts.jupyter, mlflow: facts.mlflow };
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
 * Free of `vscode` so it is tested directly.
 */
export class WizardSession {
  private writing = false;

  constructor(
    private readonly dir: string,
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
          project: path.basename(path.resolve(this.dir)),
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
    return { ...toGenerate(o), ...(this.extensionId ? { extensionId: this.extensionId } : {}) };
  }

  private preview(o: WizardOptions) {
    const p = propose(this.dir, this.facts, this.options(o));
    const plan = makePlan(this.facts, { name: path.basename(this.dir), ...this.options(o) });
    const files: PreviewFile[] = p.changes.map((c) => ({ path: c.path, status: c.status, text: p.files[c.path]!, ...(c.diff ? { diff: c.diff } : {}) }));
    return { files, summary: { baseImage: plan.baseImage, python: plan.python, gpu: plan.gpu, ...(plan.cuda ? { cuda: plan.cuda } : {}) } };
  }

  private async write(o: WizardOptions): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      const p = propose(this.dir, this.facts, this.options(o));
      const changed = p.changes.filter((c) => c.status === 'changed').map((c) => c.path);
      if (changed.length > 0 && !(await this.host.confirmOverwrite(changed))) {
        this.host.post({ type: 'declined' });
        return;
      }
      // Compare again after the question: the files may have changed while it was open.
      const fresh = propose(this.dir, this.facts, this.options(o));
      const surprise = fresh.changes.filter((c) => c.status === 'changed' && !changed.includes(c.path));
      if (surprise.length > 0) {
        this.host.post({ type: 'error', message: `${surprise.map((c) => c.path).join(' and ')} changed on disk meanwhile; review the new diff and write again.` });
        return;
      }
      const paths = writeProposal(fresh);
      this.host.post({ type: 'written', paths });
      this.host.written(paths);
    } catch (e) {
      this.host.post({ type: 'error', message: `Could not write the files (${(e as Error).message}); check the folder's permissions.` });
    } finally {
      this.writing = false;
    }
  }
}
