import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareWithDisk, detect, generate, type DetectedFacts, type FileChange, type GenerateOptions, type Generated } from '../../../core/src/devcontainer/index';
import { fileText, READ_LIMITS } from '../../../core/src/node/read';
import { probeHostGpu } from './host-gpu';
import { scanProject } from './scan';

export interface Proposal extends Generated {
  dir: string;
  facts: DetectedFacts;
  changes: FileChange[];
}

/** Reads a project folder, asks `nvidia-smi` when the GPU mode is auto, and detects. */
export async function detectProject(dir: string, options: { gpu?: GenerateOptions['gpu']; env?: NodeJS.ProcessEnv } = {}): Promise<DetectedFacts> {
  const scanned = scanProject(dir);
  // Only --gpu auto looks at this machine: the default answer must be the same everywhere.
  const hostGpu = options.gpu === 'auto' ? await probeHostGpu(options.env) : undefined;
  return detect({ ...scanned, ...(hostGpu ? { hostGpu } : {}) });
}

/** The files generation would write for a folder, compared with the ones already there. */
export function propose(dir: string, facts: DetectedFacts, options: GenerateOptions): Proposal {
  const generated = generate(facts, { name: path.basename(path.resolve(dir)), ...options });
  const changes = compareWithDisk(generated.files, (rel) => fileText(path.join(dir, rel), { limit: READ_LIMITS.manifest }));
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
