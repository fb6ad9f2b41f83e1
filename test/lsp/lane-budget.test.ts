import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cpuClock } from '../../server/src/main/cpu-time';
import { Lane, type LaneCall } from '../../server/src/main/lane';
import { tempDir } from '../files';
import { waitFor } from '../wait';

/**
 * A stand-in lane worker speaking the lane protocol: a call `['wait', ms]` blocks the thread
 * without using the CPU (as a worker does that the machine gives no CPU to), `['spin']` uses
 * the CPU until it is stopped (a document that is really slow to check).
 */
const WORKER = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
let tid;
try { tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop()); } catch {}
parentPort.postMessage(tid === undefined ? { type: 'ready' } : { type: 'ready', tid });
parentPort.on('message', (m) => {
  if (m.type !== 'call') return;
  const [mode, ms] = m.args;
  if (mode === 'wait') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  else for (;;);
  parentPort.postMessage({ type: 'result', id: m.id, result: mode });
});
`;

describe('language server: a lane counts CPU time, not wall time, against its budget', function () {
  this.timeout(60_000);
  const dir = tempDir('mlops-lane-');
  const script = path.join(dir.dir, 'worker.js');
  fs.writeFileSync(script, WORKER);
  after(dir.cleanup);

  function lane(budgetMs: number, wallLimitMs: number) {
    const stuck: { blame: string | undefined; reason: string; call: LaneCall | undefined }[] = [];
    const l = new Lane({
      name: 'test',
      script,
      budgetMs,
      wallLimitMs,
      log: () => undefined,
      onStuck: (_lane, blame, call, reason) => {
        stuck.push({ blame, reason, call });
        call?.reject(new Error(reason));
      },
    });
    return { l, stuck };
  }

  // The engine's call signature does not matter to the lane; the stand-in reads only args.
  const call = (l: Lane, args: unknown[], uri: string) => (l.call as (m: string, a: unknown[], u: string) => Promise<unknown>)('validate', args, uri);

  it('lets an analysis that waits five times its budget without the CPU finish', async () => {
    const { l, stuck } = lane(300, 30_000);
    try {
      assert.equal(await call(l, ['wait', 1500], 'file:///w/small.pipeline.yaml'), 'wait');
      assert.deepEqual(stuck, []);
    } finally {
      l.dispose();
    }
  });

  it('restarts the lane once an analysis has used its budget of CPU time, blaming its document', async () => {
    const { l, stuck } = lane(300, 30_000);
    try {
      await assert.rejects(call(l, ['spin'], 'file:///w/slow.pipeline.yaml'), /^Error: used more than 300 ms of CPU time$/);
      assert.deepEqual(
        stuck.map((s) => [s.blame, s.call?.uri]),
        [['file:///w/slow.pipeline.yaml', 'file:///w/slow.pipeline.yaml']],
      );
      // The restarted lane answers the next call.
      assert.equal(await call(l, ['wait', 10], 'file:///w/small.pipeline.yaml'), 'wait');
    } finally {
      l.dispose();
    }
  });

  it('restarts the lane when an analysis waits past the wall-time limit', async () => {
    const { l, stuck } = lane(300, 600);
    try {
      await assert.rejects(call(l, ['wait', 20_000], 'file:///w/stalled.pipeline.yaml'), /^Error: took longer than 600 ms$/);
      assert.equal(stuck.length, 1);
    } finally {
      l.dispose();
    }
  });

  it('reads a thread’s own CPU time: a spinning thread’s grows, a waiting one’s does not', async function () {
    if (!fs.existsSync('/proc/thread-self')) this.skip(); // not Linux: the lane falls back to the process's CPU time
    const { Worker } = await import('node:worker_threads');
    const code = `
      const { parentPort } = require('node:worker_threads');
      parentPort.postMessage(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()));
      parentPort.on('message', (m) => {
        if (m === 'wait') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
        else { const s = process.cpuUsage(); while ((process.cpuUsage(s).user + process.cpuUsage(s).system) < 200_000); }
        parentPort.postMessage('done');
      });`;
    const w = new Worker(code, { eval: true });
    try {
      const next = () => new Promise<unknown>((r) => w.once('message', r));
      const tid = (await next()) as number;
      const cpu = cpuClock(tid);
      const t0 = cpu();
      w.postMessage('wait');
      await next();
      const t1 = cpu();
      w.postMessage('spin');
      await next();
      const t2 = cpu();
      assert.ok(t1 - t0 <= 30, `waiting 400 ms used ${t1 - t0} ms of CPU time`);
      // The spin ran until the process had used 200 ms; the thread itself at least most of that.
      assert.ok(t2 - t1 >= 100, `spinning used only ${t2 - t1} ms of the thread's CPU time`);
      await w.terminate();
      await waitFor('the thread to be gone', () => !fs.existsSync(`/proc/self/task/${tid}`));
      assert.equal(cpu(), Infinity, 'a thread that has gone has used up any budget');
    } finally {
      await w.terminate();
    }
  });
});
