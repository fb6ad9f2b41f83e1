/** Graphs for the webview tests: the churn example through core (as the server computes it) and generated large ones. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace } from '../../core/src/workspace';
import { dagOf } from '../../core/src/query/dag';
import { withDetails } from '../../core/src/query/dag-details';
import type { DagResult } from '../../core/src/protocol/lsp';
import type { RunRecord } from '../../core/src/protocol/agent';
import { REPO } from './harness';

export const CHURN_FILE = path.join(REPO, 'examples', 'churn', 'churn.pipeline.yaml');

/** The churn example's graph, optionally with the file text changed first. */
export function churnGraph(edit: (text: string) => string = (t) => t): DagResult {
  const ws = new Workspace();
  ws.set(CHURN_FILE, edit(fs.readFileSync(CHURN_FILE, 'utf8')));
  const a = ws.analyze(CHURN_FILE)!;
  return withDetails(a, dagOf(a, `file://${CHURN_FILE}`));
}

/** A layered graph of `n` tasks in the benchmarks' layered shape: layers of √n, 2–3 needs each. */
export function layeredGraph(n: number, seed = 42): DagResult {
  let a = seed;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const width = Math.max(1, Math.round(Math.sqrt(n)));
  const ids = Array.from({ length: n }, (_, i) => `t${String(i + 1).padStart(4, '0')}`);
  const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const nodes = ids.map((id, i) => ({
    id,
    range: { start: { line: i, character: 2 }, end: { line: i, character: 40 } },
    selectionRange: { start: { line: i, character: 2 }, end: { line: i, character: 2 + id.length } },
    run: 'true',
    diagnostics: i % 97 === 5 ? [{ code: 'unused-param' as const, severity: 'warning' as const, message: 'example warning', range: zero }] : [],
  }));
  const edges: DagResult['edges'] = [];
  for (let start = width; start < n; start += width) {
    for (let i = start; i < Math.min(n, start + width); i++) {
      const pool = ids.slice(start - width, start);
      const k = Math.min(pool.length, 2 + Math.floor(rnd() * 2));
      for (let j = 0; j < k; j++) {
        const from = pool.splice(Math.floor(rnd() * pool.length), 1)[0]!;
        edges.push({ from, to: ids[i]!, kind: j === 0 && i % 3 === 0 ? 'inferred' : 'declared' });
      }
    }
  }
  return { uri: 'file:///bench.pipeline.yaml', nodes, edges };
}

/** A finished run of the churn example: ingest and featurize done, train failed, the rest cancelled. */
export function churnRun(): RunRecord {
  return {
    id: 'r-20261126-0001',
    pipeline: 'churn-train',
    status: 'failed',
    startedAt: '2026-11-26T07:00:00.000Z',
    endedAt: '2026-11-26T07:00:41.000Z',
    params: {},
    tasks: [
      { id: 'ingest', status: 'cached', attempts: 0, exitCode: null, durationMs: 0, cached: true, fingerprint: 'a' },
      { id: 'featurize', status: 'succeeded', attempts: 1, exitCode: 0, durationMs: 3400, cached: false, fingerprint: 'b' },
      { id: 'train', status: 'failed', attempts: 3, exitCode: 1, durationMs: 36200, cached: false, fingerprint: 'c' },
      { id: 'evaluate', status: 'cancelled', attempts: 0, exitCode: null, durationMs: null, cached: false, fingerprint: null },
      { id: 'report', status: 'cancelled', attempts: 0, exitCode: null, durationMs: null, cached: false, fingerprint: null },
    ],
  };
}
