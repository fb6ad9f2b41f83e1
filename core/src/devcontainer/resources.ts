/** The largest cpu, memory and gpu any task of any pipeline in the project requests. */
import { effectiveResources } from '../pipeline/load';
import { parseQuantity } from '../util/values';
import { documentKind } from '../project';
import { Workspace } from '../workspace';

/** cpu in cores, memory in bytes, gpu in devices, each with the `file#task` that asks for it. */
export interface PipelineResources {
  cpu?: number;
  memory?: number;
  gpu?: number;
  from: Record<string, string>;
}

/** The 1-based line of each request in `from` (the `gpu: 1` of that task, or of the defaults). */
export type ResourceLines = Record<string, { file: string; line: number }>;

export function pipelineResources(files: ReadonlyMap<string, string>, paths: string[], lines: ResourceLines = {}): PipelineResources {
  const out: PipelineResources = { from: {} };
  const ws = new Workspace();
  for (const p of paths) {
    if (documentKind(p) !== 'pipeline') continue;
    ws.set(`/${p}`, files.get(p)!);
    const pipeline = ws.analyze(`/${p}`)?.pipeline;
    if (!pipeline) continue;
    for (const task of pipeline.taskOrder) {
      const r = effectiveResources(pipeline, task);
      for (const k of ['cpu', 'memory', 'gpu'] as const) {
        const q = r[k] ? parseQuantity(r[k].value) : undefined;
        if (!q || q.value < 0) continue;
        if (out[k] === undefined || q.value > out[k]!) {
          out[k] = q.value;
          out.from[k] = `${p}#${task.id}`;
          lines[k] = { file: p, line: files.get(p)!.slice(0, r[k]!.span[0]).split('\n').length };
        }
      }
    }
  }
  return out;
}
