import { html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { DagEdge, DagNode } from '../../../../core/src/browser';
import type { Direction, LayoutResult } from '../layout/types';
import { centreOn, fitViewport, visibleWorld, zoomAt, type Viewport } from '../model/geometry';
import { neighbourInDirection, type Arrow } from '../model/navigation';
import { resolveColours } from '../model/presentation';
import type { TaskRun } from '../model/run-overlay';
import { CanvasScene } from './canvas-scene';
import { styles } from './dag-graph.styles';
import { renderEdges, renderNodes, type Rect, type SceneState } from './svg-scene';

export interface NodeEventDetail {
  id: string;
}

/** `rect` is the node's box in client coordinates; `id` null when the pointer left every node. */
export interface NodeHoverDetail {
  id: string | null;
  rect?: { left: number; top: number; right: number; bottom: number };
  /** True when keyboard focus (not the pointer) moved onto the node. */
  keyboard?: boolean;
}

export interface NodeContextDetail {
  id: string;
  x: number;
  y: number;
}

export interface ViewportDetail {
  viewport: Viewport;
}

declare global {
  interface HTMLElementTagNameMap {
    'mlops-dag-graph': DagGraph;
  }
  interface HTMLElementEventMap {
    /** The user selected a node (pointer or keyboard). */
    'dag-node-select': CustomEvent<NodeEventDetail>;
    /** The user activated a node (click, Enter): show its task. */
    'dag-node-activate': CustomEvent<NodeEventDetail>;
    'dag-node-hover': CustomEvent<NodeHoverDetail>;
    /** Right click, the Context Menu key or Shift+F10 on a node. */
    'dag-node-context': CustomEvent<NodeContextDetail>;
    /** Pan or zoom changed (debounced); for saving the view state. */
    'dag-viewport-change': CustomEvent<ViewportDetail>;
  }
}

const DRAG_THRESHOLD = 4;
/** From this many nodes on, the SVG drawing holds only what is near the screen. */
const CULL_MIN_NODES = 250;
/** Below this zoom, text would be under about 5 px: nodes of bigger graphs become plain boxes. */
const DETAIL_ZOOM = 0.4;
const DETAIL_MIN_NODES = 150;

/**
 * The pipeline graph: draws a laid-out graph as SVG, or on a canvas above `lodThreshold`
 * nodes, and owns pan, zoom and keyboard movement. Zoom and pan belong to this element and
 * survive new graphs and layouts; nodes are keyed by task id.
 */
@customElement('mlops-dag-graph')
export class DagGraph extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) accessor nodes: readonly DagNode[] = [];
  @property({ attribute: false }) accessor edges: readonly DagEdge[] = [];
  @property({ attribute: false }) accessor layout: LayoutResult | undefined;
  @property({ attribute: false }) accessor runs: ReadonlyMap<string, TaskRun> = new Map();
  /** Epoch ms used for running tasks' elapsed time. */
  @property({ type: Number }) accessor now = Date.now();
  @property() accessor selected: string | null = null;
  /** Search hits; null when no search is active. */
  @property({ attribute: false }) accessor searchHits: ReadonlySet<string> | null = null;
  @property() accessor direction: Direction = 'TB';
  /** From this many nodes on, the canvas drawing is used. */
  @property({ type: Number, attribute: 'lod-threshold' }) accessor lodThreshold = 1500;
  /** Viewport to start from (restored state) instead of fitting the first layout. */
  @property({ attribute: false }) accessor initialViewport: Viewport | undefined;
  /** True while `layout` is a draft or an older graph's layout and the real one is being computed. */
  @property({ type: Boolean, attribute: false }) accessor layoutPending = false;

  @query('.surface') private accessor surface!: HTMLDivElement;
  @query('.viewport') private accessor viewportGroup: SVGGElement | null = null;
  @query('canvas') private accessor canvas: HTMLCanvasElement | null = null;

  private vp: Viewport | undefined;
  /** What the SVG drawing currently covers (large graphs) and at which level of detail. */
  private drawnRegion: Rect | undefined;
  private drawnDetail = true;
  private size = { w: 0, h: 0 };
  private readonly scene = new CanvasScene();
  private frame = 0;
  private drag: { x: number; y: number; vp: Viewport; moved: boolean; pointer: number; id: string | undefined } | undefined;
  private hovered: string | null = null;
  private viewportTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly resize = new ResizeObserver(() => this.measure());

  /** The current pan and zoom, if a layout has been shown. */
  get viewport(): Viewport | undefined {
    return this.vp ? { ...this.vp } : undefined;
  }

  /** True when the large-graph (canvas) drawing is in use. */
  get canvasMode(): boolean {
    return this.nodes.length >= this.lodThreshold;
  }

  setViewport(v: Viewport): void {
    this.vp = { ...v };
    this.applyViewport();
  }

  fit(): void {
    if (!this.layout) return;
    this.setViewport(fitViewport(this.layout, this.size.w, this.size.h));
  }

  zoomBy(factor: number): void {
    if (!this.vp) return;
    this.setViewport(zoomAt(this.vp, factor, this.size.w / 2, this.size.h / 2));
  }

  /** Pans so the node is in the middle, keeping the zoom. */
  centre(id: string): void {
    const p = this.layout?.nodes.get(id);
    if (!p || !this.vp) return;
    this.setViewport(centreOn(this.vp, p, this.size.w, this.size.h));
  }

  /** Pans to the node only if it is not already fully on screen. */
  reveal(id: string): void {
    const p = this.layout?.nodes.get(id);
    if (!p || !this.vp) return;
    const { x, y, k } = this.vp;
    const left = (p.x - p.width / 2) * k + x;
    const right = (p.x + p.width / 2) * k + x;
    const top = (p.y - p.height / 2) * k + y;
    const bottom = (p.y + p.height / 2) * k + y;
    if (left < 0 || top < 0 || right > this.size.w || bottom > this.size.h) this.centre(id);
  }

  /** Moves keyboard focus to a node's element (SVG drawing) or to the surface (canvas). */
  focusNode(id: string): void {
    if (this.canvasMode) this.surface?.focus();
    else this.nodeElement(id)?.focus({ preventScroll: true });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.resize.observe(this.surface);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    cancelAnimationFrame(this.frame);
    clearTimeout(this.viewportTimer);
  }

  protected override firstUpdated(): void {
    this.resize.observe(this.surface);
    this.measure();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Fit before the first drawing, so a large graph is drawn once, culled and at the level
    // of detail of its fitted zoom, instead of in full and then again.
    if (changed.has('layout') && this.layout && !this.vp) this.startViewport();
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.applyViewport();
    if (this.canvasMode) {
      // A new graph or layout is drawn at once, in the frame that shows the render (a frame
      // later it would leave an empty canvas on screen for one frame); anything else on the
      // next frame, once for all changes in between. `draw` says when it is done.
      if (changed.has('layout') || changed.has('layoutPending') || changed.has('nodes') || changed.has('edges')) {
        this.setDrawState(false);
        cancelAnimationFrame(this.frame);
        this.frame = 0;
        this.draw();
      } else this.scheduleDraw();
    } else {
      // Done once the final layout is in the DOM and no follow-up render (culling, detail) is queued.
      this.setDrawState(!this.isUpdatePending);
    }
  }

  /**
   * `data-layout-state` on the surface: "none" before any layout, "pending" while a draft
   * is shown or the drawing is not finished, "done" when the final layout of the current
   * graph is completely drawn (with a performance mark `mlops-dag-drawn`). Tests and
   * scripts/bench-dag.mjs wait for "done".
   */
  private setDrawState(drawn: boolean): void {
    const state = !this.layout ? 'none' : drawn && !this.layoutPending ? 'done' : 'pending';
    const surface = this.surface;
    if (!surface || surface.getAttribute('data-layout-state') === state) return;
    surface.setAttribute('data-layout-state', state);
    if (state === 'done') {
      performance.clearMarks('mlops-dag-drawn');
      performance.mark('mlops-dag-drawn');
    }
  }

  protected override render() {
    const count = this.nodes.length;
    const label = `Pipeline graph, ${count} task${count === 1 ? '' : 's'}. Arrow keys move between tasks, Enter shows a task in the editor.`;
    const state = this.sceneState();
    return html`<div
      class="surface ${this.canvasMode ? 'canvas-mode' : 'svg-mode'}"
      data-mode=${this.canvasMode ? 'canvas' : 'svg'}
      data-engine=${this.layout?.engine ?? ''}
      data-node-count=${count}
      tabindex=${this.canvasMode || count === 0 ? 0 : -1}
      role=${this.canvasMode ? 'application' : 'group'}
      aria-label=${label}
      aria-roledescription="graph"
      @pointerdown=${this.onPointerDown}
      @pointermove=${this.onPointerMove}
      @pointerup=${this.onPointerUp}
      @pointercancel=${this.onPointerUp}
      @pointerleave=${this.onPointerLeave}
      @wheel=${this.onWheel}
      @keydown=${this.onKeyDown}
      @contextmenu=${this.onContextMenu}
      @focusin=${this.onFocusIn}
    >
      ${
        this.canvasMode
          ? html`<canvas aria-hidden="true"></canvas>`
          : state
            ? html`<svg class="scene" width="100%" height="100%">${svg`<g class="viewport"><g class="edges" aria-hidden="true">${renderEdges(state)}</g><g class="nodes">${renderNodes(state)}</g></g>`}</svg>`
            : nothing
      }
    </div>`;
  }

  private sceneState(): SceneState | undefined {
    if (!this.layout) return undefined;
    const focusId = this.selected && this.layout.nodes.has(this.selected) ? this.selected : (this.nodes[0]?.id ?? null);
    if (!this.canvasMode) this.planRegion();
    return {
      detail: this.drawnDetail,
      ...(this.drawnRegion ? { cull: this.drawnRegion } : {}),
      nodes: this.nodes,
      edges: this.edges,
      layout: this.layout,
      runs: this.runs,
      now: this.now,
      selected: this.selected,
      matches: this.searchHits,
      direction: this.direction,
      focusId,
    };
  }

  /**
   * For large SVG drawings: draw what lies within one screen of the visible area, and
   * boxes without text when zoomed far out. Returns true when that needs a new render.
   */
  private planRegion(): boolean {
    const big = this.nodes.length >= CULL_MIN_NODES;
    const detail = this.nodes.length < DETAIL_MIN_NODES || !this.vp || this.vp.k >= DETAIL_ZOOM;
    let changed = detail !== this.drawnDetail;
    this.drawnDetail = detail;
    if (!big || !this.vp || this.size.w === 0) {
      changed ||= this.drawnRegion !== undefined;
      this.drawnRegion = undefined;
      return changed;
    }
    const v = visibleWorld(this.vp, this.size.w, this.size.h);
    const r = this.drawnRegion;
    const mx = v.x1 - v.x0;
    const my = v.y1 - v.y0;
    // Keep the drawn region while the screen stays inside it, unless zooming in made it far too big.
    if (r && v.x0 >= r.x0 && v.y0 >= r.y0 && v.x1 <= r.x1 && v.y1 <= r.y1 && r.x1 - r.x0 <= 5 * mx) return changed;
    this.drawnRegion = { x0: v.x0 - mx, y0: v.y0 - my, x1: v.x1 + mx, y1: v.y1 + my };
    return true;
  }

  private startViewport(): void {
    if (this.initialViewport) this.vp = { ...this.initialViewport };
    else if (this.layout && this.size.w > 0) this.vp = fitViewport(this.layout, this.size.w, this.size.h);
  }

  private measure(): void {
    const r = this.surface?.getBoundingClientRect();
    if (!r) return;
    this.size = { w: r.width, h: r.height };
    if (!this.vp && this.layout && r.width > 0) this.startViewport();
    this.applyViewport();
  }

  private applyViewport(): void {
    if (!this.vp) return;
    const { x, y, k } = this.vp;
    this.viewportGroup?.setAttribute('transform', `translate(${round(x)},${round(y)}) scale(${round(k, 1e5)})`);
    this.surface?.setAttribute('data-zoom', String(round(k, 1e5)));
    if (this.canvasMode) this.scheduleDraw();
    else if (this.hasUpdated && this.planRegion()) this.requestUpdate();
    clearTimeout(this.viewportTimer);
    this.viewportTimer = setTimeout(() => {
      if (this.vp) this.dispatchEvent(new CustomEvent('dag-viewport-change', { detail: { viewport: { ...this.vp } }, bubbles: true, composed: true }));
    }, 200);
  }

  private scheduleDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const canvas = this.canvas;
    const state = this.sceneState();
    if (!canvas || !state || !this.vp) return;
    const dpr = window.devicePixelRatio || 1;
    const { w, h } = this.size;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) return;
    this.scene.draw(ctx, state, this.vp, w, h, dpr, resolveColours(this));
    this.surface.setAttribute('data-drawn-nodes', String(this.scene.drawn));
    this.surface.setAttribute('data-drawn-edges', String(this.scene.drawnEdges));
    this.setDrawState(true);
  }

  private nodeElement(id: string): SVGGElement | null {
    return this.renderRoot.querySelector<SVGGElement>(`g.node[data-id="${CSS.escape(id)}"]`);
  }

  /** The node under a pointer event. */
  private nodeAt(e: MouseEvent): string | undefined {
    if (!this.canvasMode) {
      const g = (e.composedPath().find((t) => t instanceof SVGGElement && t.classList.contains('node')) as SVGGElement | undefined) ?? undefined;
      return g?.dataset.id;
    }
    if (!this.layout || !this.vp) return undefined;
    const r = this.surface.getBoundingClientRect();
    return this.scene.hit(this.layout, (e.clientX - r.left - this.vp.x) / this.vp.k, (e.clientY - r.top - this.vp.y) / this.vp.k);
  }

  /** A node's box in client coordinates. */
  private nodeRect(id: string): NodeHoverDetail['rect'] | undefined {
    const p = this.layout?.nodes.get(id);
    if (!p || !this.vp) return undefined;
    const r = this.surface.getBoundingClientRect();
    const { x, y, k } = this.vp;
    return {
      left: r.left + (p.x - p.width / 2) * k + x,
      right: r.left + (p.x + p.width / 2) * k + x,
      top: r.top + (p.y - p.height / 2) * k + y,
      bottom: r.top + (p.y + p.height / 2) * k + y,
    };
  }

  private emit<K extends 'dag-node-select' | 'dag-node-activate' | 'dag-node-hover' | 'dag-node-context'>(type: K, detail: HTMLElementEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private hover(id: string | null, keyboard = false): void {
    if (id === this.hovered && !keyboard) return;
    this.hovered = id;
    const rect = id ? this.nodeRect(id) : undefined;
    this.emit('dag-node-hover', rect && id ? { id, rect, keyboard } : { id: null });
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || !this.vp) return;
    this.drag = { x: e.clientX, y: e.clientY, vp: { ...this.vp }, moved: false, pointer: e.pointerId, id: this.nodeAt(e) };
  }

  private onPointerMove(e: PointerEvent): void {
    const d = this.drag;
    if (d && e.pointerId === d.pointer) {
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (!d.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
      if (!d.moved) {
        d.moved = true;
        this.surface.setPointerCapture(e.pointerId);
        this.surface.classList.add('panning');
        this.hover(null);
      }
      this.setViewport({ k: d.vp.k, x: d.vp.x + dx, y: d.vp.y + dy });
      return;
    }
    this.hover(this.nodeAt(e) ?? null);
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = undefined;
    if (!d || e.pointerId !== d.pointer) return;
    this.surface.classList.remove('panning');
    if (d.moved) {
      if (this.surface.hasPointerCapture(e.pointerId)) this.surface.releasePointerCapture(e.pointerId);
      return;
    }
    if (e.type === 'pointercancel' || !d.id) return;
    this.emit('dag-node-select', { id: d.id });
    this.emit('dag-node-activate', { id: d.id });
  }

  private onPointerLeave(): void {
    if (!this.drag) this.hover(null);
  }

  private onWheel(e: WheelEvent): void {
    if (!this.vp) return;
    e.preventDefault();
    const r = this.surface.getBoundingClientRect();
    // Pixel deltas from trackpads are small and many; lines/pages come from mouse wheels.
    const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    this.setViewport(zoomAt(this.vp, Math.exp(-delta * (e.ctrlKey ? 0.01 : 0.0015)), e.clientX - r.left, e.clientY - r.top));
  }

  private onContextMenu(e: MouseEvent): void {
    const id = this.nodeAt(e);
    e.preventDefault();
    if (!id) return;
    this.emit('dag-node-select', { id });
    this.emit('dag-node-context', { id, x: e.clientX, y: e.clientY });
  }

  private onFocusIn(e: FocusEvent): void {
    const g = e.composedPath().find((t) => t instanceof SVGGElement && t.classList.contains('node')) as SVGGElement | undefined;
    const id = g?.dataset.id;
    if (id && id !== this.selected) this.emit('dag-node-select', { id });
  }

  private onKeyDown(e: KeyboardEvent): void {
    const current = this.selected && this.layout?.nodes.has(this.selected) ? this.selected : undefined;
    switch (e.key) {
      case 'ArrowUp':
      case 'ArrowDown':
      case 'ArrowLeft':
      case 'ArrowRight': {
        e.preventDefault();
        if (!this.layout) return;
        const next = current ? neighbourInDirection(this.layout.nodes, current, e.key as Arrow) : this.nodes[0]?.id;
        if (next) this.moveTo(next);
        return;
      }
      case 'Home':
      case 'End': {
        e.preventDefault();
        const n = e.key === 'Home' ? this.nodes[0] : this.nodes[this.nodes.length - 1];
        if (n) this.moveTo(n.id);
        return;
      }
      case 'Enter':
      case ' ':
        if (!current) return;
        e.preventDefault();
        this.emit('dag-node-activate', { id: current });
        return;
      case 'ContextMenu':
      case 'F10': {
        if (e.key === 'F10' && !e.shiftKey) return;
        if (!current) return;
        e.preventDefault();
        const r = this.nodeRect(current);
        if (r) this.emit('dag-node-context', { id: current, x: r.left + 12, y: r.bottom - 4 });
        return;
      }
      case '+':
      case '=':
        e.preventDefault();
        this.zoomBy(1.25);
        return;
      case '-':
      case '_':
        e.preventDefault();
        this.zoomBy(0.8);
        return;
      case '0':
        e.preventDefault();
        this.fit();
        return;
      case 'Escape':
        this.hover(null);
        return;
      default:
        return;
    }
  }

  private moveTo(id: string): void {
    this.emit('dag-node-select', { id });
    this.reveal(id);
    // Focus follows after the re-render that gives the node tabindex 0.
    void this.updateComplete.then(() => {
      this.focusNode(id);
      this.hover(id, true);
    });
  }
}

function round(n: number, f = 100): number {
  return Math.round(n * f) / f;
}
