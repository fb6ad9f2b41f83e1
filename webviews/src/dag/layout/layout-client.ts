/**
 * Chooses and runs the layout engine. ELK (measured against dagre in scripts/bench-dag.mjs,
 * see docs/performance.md) runs in a Web Worker made from its own bundled worker script,
 * so a slow layout never blocks panning or the next message; large graphs use the fast
 * layered engine on this thread. If the worker cannot start, the fast engine does all sizes.
 * The view shows the fast layout first and takes ELK's only if it comes within
 * the refine window (REFINE_WITHIN_MS); a graph size ELK (once warm) did not manage in that time is not sent to
 * ELK again in this view.
 */
import ElkConstructor, { type ELK } from 'elkjs/lib/elk-api';
import elkWorkerSource from 'elkjs/lib/elk-worker.min.js?worker-source';
import { elkLayout } from './elk-layout';
import { layeredLayout } from './layered-layout';
import type { LayoutInput, LayoutResult } from './types';

/** Above this many tasks ELK takes more than about half a second; the fast engine takes over. */
export const ELK_MAX_NODES = 500;

/** ELK's layout replaces the fast one only if it arrives this soon after the graph did. */
export const REFINE_WITHIN_MS = 250;

/**
 * The refine window: REFINE_WITHIN_MS, unless the page's host set `__mlopsDagRefineWithinMs`
 * before the view loaded. Only the webview tests do, so that checks of ELK's layout do not
 * depend on how busy the machine is (the extension never sets it).
 */
export function refineWithinMs(): number {
  const v = (globalThis as { __mlopsDagRefineWithinMs?: unknown }).__mlopsDagRefineWithinMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : REFINE_WITHIN_MS;
}

/** Whether ELK's worker has started and laid out its warm-up graph (`data-elk` on the view). */
export type ElkState = 'cold' | 'ready' | 'broken';

export class LayoutClient {
  private elk: ELK | undefined;
  private workerUrl: string | undefined;
  private broken = false;
  /** Rejects when the worker dies (e.g. a CSP that forbids it), so no layout waits forever. */
  private failed: Promise<never> | undefined;
  /** Settles once the warm-up layout is done: later layouts are timed from then. */
  private warmed: Promise<void> | undefined;
  private warmedAt: number | undefined;
  /** The smallest graph ELK, warm, took longer than the refine window for. */
  private slowFrom = Infinity;
  state: ElkState = 'cold';

  /** `onState` hears when the worker becomes ready or breaks. */
  constructor(
    private readonly elkMaxNodes = ELK_MAX_NODES,
    private readonly onState: (s: ElkState) => void = () => {},
    /** How soon ELK's layout must come to replace the fast one. */
    readonly refineWithinMs = REFINE_WITHIN_MS,
  ) {}

  /** Which engine `layout` will use for a graph of `n` tasks. */
  engineFor(n: number): LayoutResult['engine'] {
    return n <= this.elkMaxNodes && n < this.slowFrom && !this.broken ? 'elk' : 'layered';
  }

  /** The fast engine, synchronously: a first picture while ELK works, and all large graphs. */
  draft(input: LayoutInput): LayoutResult {
    return layeredLayout(input);
  }

  /**
   * Starts the worker and has ELK lay out a two-node graph, so that loading its 1.4 MB
   * script and warming it up overlap with the host preparing the first graph. Harmless
   * when the first graph turns out large (the worker then just idles).
   */
  warm(): void {
    const elk = this.start();
    if (!elk || this.warmed) return;
    const tiny: LayoutInput = {
      nodes: [
        { id: 'a', width: 10, height: 10 },
        { id: 'b', width: 10, height: 10 },
      ],
      edges: [{ from: 'a', to: 'b' }],
      direction: 'TB',
    };
    this.warmed = Promise.race([elkLayout(elk, tiny), this.failed!]).then(
      () => {
        this.warmedAt = performance.now();
        this.setState('ready');
      },
      () => this.fail(new Error('the layout worker did not lay out its warm-up graph')),
    );
  }

  async layout(input: LayoutInput): Promise<LayoutResult> {
    if (this.engineFor(input.nodes.length) === 'layered') return layeredLayout(input);
    const elk = this.start();
    if (!elk) return layeredLayout(input);
    this.warm();
    const asked = performance.now();
    try {
      const result = await Promise.race([elkLayout(elk, input), this.failed!]);
      // Time spent warming up does not count against ELK: only a warm worker's time decides.
      const took = performance.now() - Math.max(asked, this.warmedAt ?? Infinity);
      if (took > this.refineWithinMs) this.slowFrom = Math.min(this.slowFrom, input.nodes.length);
      return result;
    } catch (err) {
      this.fail(err);
      return layeredLayout(input);
    }
  }

  private fail(err: unknown): void {
    if (this.broken) return;
    console.warn('ELK layout failed; using the fast layered layout from now on.', err);
    this.broken = true;
    this.setState('broken');
  }

  private setState(s: ElkState): void {
    if (this.state === s || this.state === 'broken') return;
    this.state = s;
    this.onState(s);
  }

  dispose(): void {
    this.elk?.terminateWorker();
    if (this.workerUrl) URL.revokeObjectURL(this.workerUrl);
    this.elk = undefined;
  }

  private start(): ELK | undefined {
    if (this.elk || this.broken) return this.elk;
    try {
      // A blob URL, because a webview may not start workers from its resource origin.
      this.workerUrl = URL.createObjectURL(new Blob([elkWorkerSource], { type: 'text/javascript' }));
      const url = this.workerUrl;
      let fail: (e: unknown) => void = () => {};
      this.failed = new Promise<never>((_, reject) => (fail = reject));
      this.failed.catch(() => {});
      this.elk = new ElkConstructor({
        workerFactory: () => {
          const w = new Worker(url);
          w.addEventListener('error', (e) => fail(new Error(e.message || 'the layout worker failed to start')));
          return w;
        },
      });
    } catch (err) {
      console.warn('The layout worker could not start; using the fast layered layout.', err);
      this.broken = true;
      this.setState('broken');
    }
    return this.elk;
  }
}
