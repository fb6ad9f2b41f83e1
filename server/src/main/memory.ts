import * as path from 'node:path';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { RequestType, type Connection } from 'vscode-languageserver/node';
import { heapReportRequest, type HeapReportParams, type ThreadHeap } from '../../../core/src/index';
import type { Router } from './router';

const HeapReportRequest = new RequestType<HeapReportParams, ThreadHeap[], void>(heapReportRequest.method);

/**
 * Answers `mlops/heapReport` (for scripts/lsp-memory.mjs): the heap of this thread and of
 * each running lane, with heap snapshots when asked. Registered only on request
 * (MLOPS_LSP_MEMORY_REPORT=1), because a snapshot pauses the thread it is taken of.
 */
export function registerHeapReport(connection: Connection, router: Router): void {
  connection.onRequest(HeapReportRequest, async (p) => {
    const dir = p.dir && path.isAbsolute(p.dir) ? p.dir : undefined;
    const h = getHeapStatistics();
    const main: ThreadHeap = { thread: 'main', used: h.used_heap_size, total: h.total_heap_size, external: h.external_memory };
    if (dir) main.snapshot = writeHeapSnapshot(path.join(dir, 'main.heapsnapshot'));
    return [main, ...(await router.fast.heaps(dir)), ...(await router.slowLane.heaps(dir))];
  });
}
