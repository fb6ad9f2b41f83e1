import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  detect,
  generate,
  unifiedDiff,
  type DetectedFacts,
  type GenerateOptions,
  type Generated,
} from '../../../core/src/devcontainer/index';
import { probeHostGpu } from './host-gpu';
import { scanProject } from './scan';

/** How one generated file relates to what is on disk. */
export interface FileChange {
  path: string;
  status: 'new' | 'unchanged' | 'changed';
  /** Unified diff from the file on disk to the generated text (changed files only). */
  diff?: string;
}

export interface Proposal extends Generated {
  dir: string;
  facts: DetectedFacts;
  changes: FileChange[];
}

/** Reads a project folder, asks `nvidia-smi` unless the GPU is turned off, and detects. */
export async function detectProject(dir: string, options: { gpu?: GenerateOptions['gpu']; env?: NodeJS.ProcessEnv } = {}): Promise<DetectedFacts> {
  const files = scanProject(dir);
  const hostGpu = options.gpu === 'off' ? undefined : await probeHostGpu(options.env);
  return detect({ files, ...(hostGpu ? { hostGpu } : {}) });
}

/** The files generation would write for a folder, compared with the ones already there. */
export function propose(dir: string, facts: DetectedFacts, options: GenerateOptions): Proposal {
  const generated = generate(facts, { name: path.basename(path.resolve(dir)), ...options });
  const changes: FileChange[] = Object.entries(generated.files).map(([rel, text]) => {
    let old: string | undefined;
    try {
      old = fs.readFileSync(path.join(dir, rel), 'utf8');
    } catch {
      old = undefined;
    }
    if (old === undefined) return { path: rel, status: 'new' };
    if (old === text) return { path: rel, status: 'unchanged' };
    return { path: rel, status: 'changed', diff: unifiedDiff(rel, old, text) };
  });
  return { ...generated, dir, facts, changes };
}

/** Writes the proposal's new and changed files; returns the paths written. */
export function writeProposal(p: Proposal): string[] {
  const written: string[] = [];
  for (const c of p.changes) {
    if (c.status === 'unchanged') continue;
    const abs = path.join(p.dir, c.path);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, p.files[c.path]!);
    written.push(c.path);
  }
  return written;
}
