import { readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { Workspace } from '../../../core/src/index';
import { Engine } from './engine';
import { IdleGc } from './idle-gc';
import type { LaneReply, LaneRequest } from './lane-protocol';

/** The body of a lane worker: one Engine answering messages in arrival order. */
export function runLane(): void {
  const port = parentPort;
  if (!port) throw new Error('runLane must run in a worker thread');
  const send = (m: LaneReply) => port.postMessage(m);
  let last: string | undefined;
  const engine = new Engine((uri) => {
    // One progress message per document per call is enough to blame a stuck analysis.
    if (uri !== last) {
      last = uri;
      send({ type: 'progress', uri });
    }
  });
  warmUp();
  const gc = new IdleGc();
  const tid = threadId();
  send(tid === undefined ? { type: 'ready' } : { type: 'ready', tid });
  port.on('message', (m: LaneRequest) => {
    gc.cancel();
    switch (m.type) {
      case 'configure':
        engine.configure(m.options);
        return;
      case 'set':
        engine.set(m.uri, m.text);
        return;
      case 'delete':
        engine.delete(m.uri);
        return;
      case 'release':
        engine.release(m.uri);
        return;
      case 'filesChanged':
        engine.filesChanged();
        return;
      case 'call': {
        last = undefined;
        try {
          const fn = engine[m.method] as (...args: unknown[]) => unknown;
          send({ type: 'result', id: m.id, result: fn.apply(engine, m.args) });
        } catch (err) {
          send({ type: 'result', id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        }
        gc.afterCall();
        return;
      }
      default: {
        const never: never = m;
        return never;
      }
    }
  });
}

/** This thread's id in the kernel (Linux: /proc/thread-self is task/<tid>); undefined elsewhere. */
function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Compiles the schemas and loads the rules once, so the first real call is not charged for it. */
function warmUp(): void {
  const ws = new Workspace();
  ws.set('/warm-up/a.pipeline.yaml', 'version: 1\nname: a\ntasks:\n  a: {run: "true", features: [v]}\n');
  ws.set('/warm-up/a.features.yaml', 'version: 1\nfeature_views:\n  v: {features: {f: int64}}\n');
  ws.analyze('/warm-up/a.pipeline.yaml');
  ws.analyze('/warm-up/a.features.yaml');
}
