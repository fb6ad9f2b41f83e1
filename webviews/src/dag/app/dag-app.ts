import '@vscode-elements/elements/dist/vscode-context-menu/index.js';
import '../card/index';
import '../graph/index';
import '../run-header/index';
import '../toolbar/index';
import { html, LitElement, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { ref } from 'lit/directives/ref.js';
import { sameItems, type DagResult } from '../../../../core/src/browser';
import type { WebviewMessage } from '../../../../core/src/browser';
import type { Anchor } from '../card/index';
import type { DagGraph, NodeContextDetail, NodeHoverDetail } from '../graph/index';
import { LayoutClient, refineWithinMs } from '../layout/layout-client';
import { NODE_HEIGHT, nodeWidth } from '../layout/size';
import type { Direction, LayoutInput, LayoutResult } from '../layout/types';
import type { Viewport } from '../model/geometry';
import { accessibleName, diagnosticCounts, resolveColours } from '../model/presentation';
import { applyEvent, fromRecord, type RunView, type TaskRun } from '../model/run-overlay';
import { searchNodes } from '../model/search';
import { exportSvg } from '../model/svg-export';
import type { ZoomAction } from '../toolbar/index';
import { styles } from './dag-app.styles';
import { asHostMessage, type ViewMessage } from './host-messages';
import { vscodeApi, type VsCodeApi } from './vscode-api';

declare global {
  interface HTMLElementTagNameMap {
    'mlops-dag-app': DagApp;
  }
}

/** What survives the panel being hidden or VS Code restarting (vscode.setState). */
interface SavedState {
  /** The pipeline's URI, so VS Code can restore the panel after a reload. */
  uri?: string;
  direction: Direction;
  viewport?: Viewport;
  selected?: string | null;
  query?: string;
}

const EMPTY_RUNS: ReadonlyMap<string, TaskRun> = new Map();

/**
 * The DAG view: the only element that talks to the extension. It keeps the graph, the
 * layout and the run overlay, and hands plain data to the graph, toolbar, header and card.
 */
@customElement('mlops-dag-app')
export class DagApp extends LitElement {
  static override styles = styles;

  @state() private accessor graph: DagResult | undefined;
  @state() private accessor file = '';
  @state() private accessor canRun = false;
  @state() private accessor layout: LayoutResult | undefined;
  @state() private accessor busy = false;
  @state() private accessor direction: Direction = 'TB';
  @state() private accessor query = '';
  @state() private accessor hits: string[] = [];
  @state() private accessor hitIndex = -1;
  @state() private accessor selected: string | null = null;
  @state() private accessor run: RunView | null = null;
  @state() private accessor logTails = new Map<string, string>();
  @state() private accessor hover: { id: string; anchor: Anchor } | null = null;
  @state() private accessor menu: NodeContextDetail | null = null;
  @state() private accessor error: string | undefined;
  @state() private accessor now = Date.now();
  @state() private accessor announcement = '';

  @query('mlops-dag-graph') private accessor graphEl: DagGraph | null = null;

  private readonly vscode: VsCodeApi = vscodeApi();
  private readonly layouts = new LayoutClient(undefined, (s) => this.setAttribute('data-elk', s), refineWithinMs());
  private version = -1;
  /** What the current layout was made from, to skip laying out a graph of the same shape again. */
  private layoutShape: LayoutShape | undefined;
  private layoutGen = 0;
  private initialViewport: Viewport | undefined;
  /** The viewport fitted to the fast layout; refitted when ELK's layout replaces it untouched. */
  private draftViewport: Viewport | undefined;
  private clock: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    const saved = this.vscode.getState() as Partial<SavedState> | undefined;
    if (saved && typeof saved === 'object') {
      if (saved.direction === 'TB' || saved.direction === 'LR') this.direction = saved.direction;
      if (typeof saved.query === 'string') this.query = saved.query;
      if (typeof saved.selected === 'string') this.selected = saved.selected;
      const v = saved.viewport;
      if (v && [v.x, v.y, v.k].every((n) => typeof n === 'number' && Number.isFinite(n)) && v.k > 0) this.initialViewport = v;
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('message', this.onWindowMessage);
    window.addEventListener('keydown', this.onWindowKey);
    this.post({ type: 'ready' });
    this.setAttribute('data-elk', this.layouts.state);
    this.layouts.warm();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('message', this.onWindowMessage);
    window.removeEventListener('keydown', this.onWindowKey);
    clearInterval(this.clock);
    this.layouts.dispose();
  }

  protected override render() {
    const g = this.graph;
    const runs = this.run?.tasks ?? EMPTY_RUNS;
    const hoverNode = this.hover ? g?.nodes.find((n) => n.id === this.hover!.id) : undefined;
    return html`
      <mlops-dag-toolbar
        .query=${this.query}
        .hitCount=${this.hits.length}
        .hitIndex=${this.hitIndex}
        .direction=${this.direction}
        ?busy=${this.busy}
        ?canExport=${this.canRun}
        @dag-search=${(e: CustomEvent<{ query: string }>) => this.search(e.detail.query)}
        @dag-search-step=${(e: CustomEvent<{ backwards: boolean }>) => this.step(e.detail.backwards)}
        @dag-direction=${(e: CustomEvent<{ direction: Direction }>) => this.setDirection(e.detail.direction)}
        @dag-zoom=${(e: CustomEvent<{ action: ZoomAction }>) => this.zoom(e.detail.action)}
        @dag-export=${this.exportSvg}
        @dag-export-argo=${() => this.post({ type: 'exportArgo' })}
      ></mlops-dag-toolbar>
      <mlops-dag-run-header .run=${this.run} .now=${this.now}></mlops-dag-run-header>
      <main>
        ${this.error && !g ? html`<p class="message" role="alert">${this.error}</p>` : nothing}
        ${g && g.nodes.length === 0 ? html`<p class="message">No tasks yet: add one under <code>tasks:</code> and it appears here.</p>` : nothing}
        <mlops-dag-graph
          .nodes=${g?.nodes ?? []}
          .edges=${g?.edges ?? []}
          .layout=${this.layout}
          .runs=${runs}
          .now=${this.now}
          .selected=${this.selected}
          .searchHits=${this.query.trim() ? new Set(this.hits) : null}
          .direction=${this.direction}
          .initialViewport=${this.initialViewport}
          .layoutPending=${this.busy}
          @dag-node-select=${(e: CustomEvent<{ id: string }>) => this.select(e.detail.id)}
          @dag-node-activate=${(e: CustomEvent<{ id: string }>) => this.post({ type: 'reveal', id: e.detail.id })}
          @dag-node-hover=${this.onHover}
          @dag-node-context=${(e: CustomEvent<NodeContextDetail>) => (this.menu = e.detail)}
          @dag-viewport-change=${(e: CustomEvent<{ viewport: Viewport }>) => this.save({ viewport: e.detail.viewport })}
        ></mlops-dag-graph>
        <mlops-dag-card
          .node=${hoverNode}
          .run=${hoverNode ? runs.get(hoverNode.id) : undefined}
          .logTail=${hoverNode ? this.logTails.get(hoverNode.id) : undefined}
          .anchor=${this.hover?.anchor}
          .now=${this.now}
        ></mlops-dag-card>
        ${this.renderMenu()}
      </main>
      ${this.renderFooter()}
      <div class="sr-only" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }

  private renderMenu() {
    const m = this.menu;
    if (!m) return nothing;
    const items: { label: string; value: WebviewMessage['type'] | ''; separator?: boolean }[] = [{ label: 'Show in Editor', value: 'reveal' }];
    if (this.canRun) items.push({ label: '', value: '', separator: true }, { label: 'Run Task', value: 'runTask' }, { label: 'Run From Here', value: 'runFrom' });
    if (this.run?.tasks.has(m.id)) items.push({ label: '', value: '', separator: true }, { label: 'Open Log', value: 'openLog' });
    const box = this.getBoundingClientRect();
    return html`<vscode-context-menu
      class="menu"
      show
      .data=${items}
      data-task=${m.id}
      @vsc-context-menu-select=${(e: CustomEvent<{ value: string }>) => this.onMenu(m.id, e.detail.value)}
      @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.closeMenu()}
      ${ref((el) => el instanceof HTMLElement && place(el, m.x - box.left, m.y - box.top, box))}
    ></vscode-context-menu>`;
  }

  private renderFooter() {
    const g = this.graph;
    if (!g) return nothing;
    let errors = 0;
    let warnings = 0;
    for (const n of g.nodes) {
      const c = diagnosticCounts(n);
      errors += c.errors;
      warnings += c.warnings;
    }
    const inferred = g.edges.filter((e) => e.kind === 'inferred').length;
    return html`<footer>
      <span class="file" title=${this.file}>${this.file}</span>
      <span>${g.nodes.length} task${g.nodes.length === 1 ? '' : 's'} · ${g.edges.length} edge${g.edges.length === 1 ? '' : 's'}${inferred ? ` (${inferred} inferred)` : ''}</span>
      ${errors ? html`<span class="problems error"><span class="codicon codicon-error" aria-hidden="true"></span>${errors} error${errors === 1 ? '' : 's'}</span>` : nothing}
      ${warnings ? html`<span class="problems warning"><span class="codicon codicon-warning" aria-hidden="true"></span>${warnings} warning${warnings === 1 ? '' : 's'}</span>` : nothing}
      <span class="legend" aria-label="Legend: solid lines are declared needs, dashed lines are inferred from references and paths">
        <svg width="26" height="8" aria-hidden="true"><line x1="1" y1="4" x2="25" y2="4" class="declared"></line></svg>needs
        <svg width="26" height="8" aria-hidden="true"><line x1="1" y1="4" x2="25" y2="4" class="inferred"></line></svg>inferred
      </span>
      ${this.layout ? html`<span class="engine" title="Layout engine">${this.layout.engine === 'elk' ? 'ELK layered' : 'fast layered'}${g.nodes.length >= 1500 ? ' · canvas' : ''}</span>` : nothing}
    </footer>`;
  }

  private readonly onWindowMessage = (e: MessageEvent): void => {
    const m = asHostMessage(e.data, (line) => console.warn(line));
    if (m) this.receive(m);
  };

  private readonly onWindowKey = (e: KeyboardEvent): void => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') {
      e.preventDefault();
      this.renderRoot.querySelector('mlops-dag-toolbar')?.focusSearch();
    }
  };

  private receive(m: ViewMessage): void {
    switch (m.type) {
      case 'graph':
        if (m.version < this.version) return;
        this.version = m.version;
        this.graph = m.graph;
        this.file = m.file;
        this.canRun = m.canRun;
        this.error = undefined;
        if (this.query.trim()) this.hits = searchNodes(m.graph.nodes, this.query);
        this.save({ uri: m.graph.uri });
        void this.relayout();
        return;
      case 'select':
        this.selected = m.id;
        if (m.id) {
          // The cursor moved in the editor: show the node, but leave keyboard focus where it is.
          void this.updateComplete.then(() => m.id && this.graphEl?.reveal(m.id));
        }
        this.save({ selected: m.id });
        return;
      case 'run':
        this.run = m.run ? fromRecord(m.run) : null;
        this.logTails = new Map();
        this.tick();
        return;
      case 'runEvent': {
        const before = this.run;
        this.run = applyEvent(this.run, m.event);
        if (m.event.type === 'run-started') this.logTails = new Map();
        if (m.event.type === 'run-finished' && before) this.announce(`Run ${m.event.status}.`);
        if (m.event.type === 'task-finished' && m.event.status === 'failed') this.announce(`Task ${m.event.task} failed.`);
        this.tick();
        return;
      }
      case 'logTail':
        if (this.run && this.run.id !== m.runId) return;
        this.logTails = new Map(this.logTails).set(m.task, m.text);
        return;
      case 'error':
        this.error = m.message;
        return;
      default:
        assertNever(m);
    }
  }

  /** Lays the graph out again when its structure (tasks, edges, sizes, direction) changed. */
  private async relayout(): Promise<void> {
    const g = this.graph;
    if (!g) return;
    const input: LayoutInput = {
      nodes: g.nodes.map((n) => ({ id: n.id, width: nodeWidth(n.id), height: NODE_HEIGHT })),
      edges: g.edges.map((e) => ({ from: e.from, to: e.to })),
      direction: this.direction,
    };
    const shape = shapeOf(input);
    if (this.layoutShape && sameShape(shape, this.layoutShape)) return;
    this.layoutShape = shape;
    const gen = ++this.layoutGen;
    const asked = performance.now();
    if (this.layouts.engineFor(input.nodes.length) === 'layered') {
      this.layout = this.layouts.draft(input);
      this.busy = false;
      return;
    }
    this.busy = true;
    const pending = this.layouts.layout(input);
    // The first picture at once: the fast layout, which ELK may still refine.
    const fast = this.layout ? undefined : this.layouts.draft(input);
    if (fast) {
      this.layout = fast;
      await this.updateComplete;
      // A restored viewport stays; one fitted to the fast layout is fitted again to ELK's.
      if (!this.initialViewport) this.draftViewport = this.graphEl?.viewport;
    }
    // ELK's layout is taken only if it comes soon: a picture that changes after the user
    // started reading it costs more than ELK's fewer crossings give.
    const wait = Math.max(0, this.layouts.refineWithinMs - (performance.now() - asked));
    const refined = await Promise.race([pending, new Promise<undefined>((r) => setTimeout(r, wait))]);
    if (gen !== this.layoutGen) return;
    this.layout = refined ?? fast ?? this.layouts.draft(input);
    this.busy = false;
    const draft = this.draftViewport;
    this.draftViewport = undefined;
    if (draft && refined) {
      await this.updateComplete;
      const now = this.graphEl?.viewport;
      if (now && now.x === draft.x && now.y === draft.y && now.k === draft.k) this.graphEl?.fit();
    }
  }

  private select(id: string): void {
    if (this.selected === id) return;
    this.selected = id;
    this.menu = null;
    const n = this.graph?.nodes.find((x) => x.id === id);
    if (n) this.announce(accessibleName(n, this.run?.tasks.get(id), this.now));
    this.save({ selected: id });
  }

  private search(q: string): void {
    this.query = q;
    this.hits = this.graph ? searchNodes(this.graph.nodes, q) : [];
    this.hitIndex = this.hits.length ? 0 : -1;
    this.save({ query: q });
    const first = this.hits[0];
    if (first) {
      this.selected = first;
      void this.updateComplete.then(() => this.graphEl?.centre(first));
    }
  }

  private step(backwards: boolean): void {
    if (this.hits.length === 0) return;
    const n = this.hits.length;
    this.hitIndex = ((this.hitIndex < 0 ? 0 : this.hitIndex + (backwards ? -1 : 1)) + n) % n;
    const id = this.hits[this.hitIndex]!;
    this.select(id);
    void this.updateComplete.then(() => this.graphEl?.centre(id));
  }

  private setDirection(d: Direction): void {
    if (d === this.direction) return;
    this.direction = d;
    this.save({ direction: d });
    void this.relayout().then(async () => {
      await this.updateComplete;
      this.graphEl?.fit();
    });
  }

  private zoom(action: ZoomAction): void {
    const g = this.graphEl;
    if (!g) return;
    if (action === 'fit') g.fit();
    else g.zoomBy(action === 'in' ? 1.25 : 0.8);
  }

  private readonly onHover = (e: CustomEvent<NodeHoverDetail>): void => {
    const { id, rect } = e.detail;
    this.hover = id && rect ? { id, anchor: rect } : null;
  };

  private onMenu(id: string, value: string): void {
    this.menu = null;
    switch (value) {
      case 'reveal':
      case 'runTask':
      case 'runFrom':
      case 'openLog':
        this.post({ type: value, id });
        break;
      default:
        break;
    }
    void this.updateComplete.then(() => this.graphEl?.focusNode(id));
  }

  private closeMenu(): void {
    const id = this.menu?.id;
    this.menu = null;
    if (id) void this.updateComplete.then(() => this.graphEl?.focusNode(id));
  }

  private readonly exportSvg = (): void => {
    const g = this.graph;
    if (!g || !this.layout) return;
    const svg = exportSvg({
      title: this.file,
      nodes: g.nodes,
      edges: g.edges,
      layout: this.layout,
      runs: this.run?.tasks ?? EMPTY_RUNS,
      now: this.now,
      direction: this.direction,
      colours: resolveColours(this),
      fontFamily: getComputedStyle(this).fontFamily || 'sans-serif',
    });
    this.post({ type: 'exportSvg', svg });
  };

  /** Keeps `now` ticking while a run is active, so running tasks show their elapsed time. */
  private tick(): void {
    this.now = Date.now();
    const active = this.run?.status === 'running';
    if (active && !this.clock) this.clock = setInterval(() => (this.now = Date.now()), 1000);
    if (!active && this.clock) {
      clearInterval(this.clock);
      this.clock = undefined;
    }
  }

  private announce(text: string): void {
    this.announcement = text;
  }

  private save(patch: Partial<SavedState>): void {
    const current = (this.vscode.getState() as Partial<SavedState> | undefined) ?? {};
    this.vscode.setState({ ...current, direction: this.direction, ...patch });
  }

  private post(m: WebviewMessage): void {
    this.vscode.postMessage(m);
  }
}

/** Puts the menu at the pointer, kept inside the view (CSSOM, which the CSP allows, unlike style attributes). */
function place(el: HTMLElement, x: number, y: number, box: DOMRect): void {
  el.style.setProperty('left', `${Math.round(x)}px`);
  el.style.setProperty('top', `${Math.round(y)}px`);
  requestAnimationFrame(() => {
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    if (x + w > box.width - 4) el.style.setProperty('left', `${Math.max(4, Math.round(box.width - w - 4))}px`);
    if (y + h > box.height - 4) el.style.setProperty('top', `${Math.max(4, Math.round(box.height - h - 4))}px`);
  });
}

function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}

/** A graph's direction, ids in order and edge ends in order (from, to, from, to…). */
interface LayoutShape {
  direction: Direction;
  ids: string[];
  ends: string[];
}

function shapeOf(input: LayoutInput): LayoutShape {
  const ends = new Array<string>(input.edges.length * 2);
  for (let i = 0; i < input.edges.length; i++) {
    ends[i * 2] = input.edges[i]!.from;
    ends[i * 2 + 1] = input.edges[i]!.to;
  }
  return { direction: input.direction, ids: input.nodes.map((n) => n.id), ends };
}

function sameShape(a: LayoutShape, b: LayoutShape): boolean {
  return a.direction === b.direction && sameItems(a.ids, b.ids) && sameItems(a.ends, b.ends);
}
