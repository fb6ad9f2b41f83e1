import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Direction } from '../layout/types';
import { styles } from './dag-toolbar.styles';

export type ZoomAction = 'in' | 'out' | 'fit';

declare global {
  interface HTMLElementTagNameMap {
    'mlops-dag-toolbar': DagToolbar;
  }
  interface HTMLElementEventMap {
    'dag-search': CustomEvent<{ query: string }>;
    /** Enter / Shift+Enter in the search box, or the arrows beside it. */
    'dag-search-step': CustomEvent<{ backwards: boolean }>;
    'dag-direction': CustomEvent<{ direction: Direction }>;
    'dag-zoom': CustomEvent<{ action: ZoomAction }>;
    'dag-export': CustomEvent<Record<string, never>>;
    'dag-export-argo': CustomEvent<Record<string, never>>;
  }
}

/** Search, direction, zoom and export (SVG, Argo Workflows) controls above the graph. */
@customElement('mlops-dag-toolbar')
export class DagToolbar extends LitElement {
  static override styles = styles;

  @property() accessor query = '';
  /** Number of search hits, and which one is current (-1: none). */
  @property({ type: Number }) accessor hitCount = 0;
  @property({ type: Number }) accessor hitIndex = -1;
  @property() accessor direction: Direction = 'TB';
  /** A layout is being computed. */
  @property({ type: Boolean }) accessor busy = false;
  /** False in an untrusted workspace, where pipelines are not exported. */
  @property({ type: Boolean }) accessor canExport = false;

  /** Puts the cursor in the search box (Ctrl+F). */
  focusSearch(): void {
    this.renderRoot.querySelector<HTMLElement>('vscode-textfield')?.focus();
  }

  protected override render() {
    const topDown = this.direction === 'TB';
    const hits = this.query.trim() ? html`<span class="hits" role="status" aria-live="polite">${this.hitCount === 0 ? 'No results' : `${this.hitIndex + 1} of ${this.hitCount}`}</span>` : nothing;
    return html`<div class="bar" role="toolbar" aria-label="Graph tools">
      <vscode-textfield class="search" type="search" placeholder="Find task" label="Find task" aria-label="Find task" .value=${this.query} @input=${this.onInput} @keydown=${this.onSearchKey}>
        <vscode-icon slot="content-before" name="search" title="Find task"></vscode-icon>
      </vscode-textfield>
      ${hits}
      <vscode-toolbar-button icon="arrow-up" label="Previous match (Shift+Enter)" title="Previous match (Shift+Enter)" @click=${() => this.step(true)}></vscode-toolbar-button>
      <vscode-toolbar-button icon="arrow-down" label="Next match (Enter)" title="Next match (Enter)" @click=${() => this.step(false)}></vscode-toolbar-button>
      <span class="spacer"></span>
      ${this.busy ? html`<vscode-icon class="busy" name="loading" spin label="Laying out the graph" title="Laying out the graph"></vscode-icon>` : nothing}
      <vscode-toolbar-button
        class="direction"
        icon=${topDown ? 'arrow-down' : 'arrow-right'}
        label=${topDown ? 'Top-down: switch to left-to-right' : 'Left-to-right: switch to top-down'}
        title=${topDown ? 'Layout: top-down (switch to left-to-right)' : 'Layout: left-to-right (switch to top-down)'}
        @click=${this.toggleDirection}
      ></vscode-toolbar-button>
      <vscode-toolbar-button icon="zoom-out" label="Zoom out (-)" title="Zoom out (-)" @click=${() => this.zoom('out')}></vscode-toolbar-button>
      <vscode-toolbar-button icon="zoom-in" label="Zoom in (+)" title="Zoom in (+)" @click=${() => this.zoom('in')}></vscode-toolbar-button>
      <vscode-toolbar-button icon="screen-full" label="Fit to view (0)" title="Fit to view (0)" @click=${() => this.zoom('fit')}></vscode-toolbar-button>
      <vscode-toolbar-button icon="export" label="Export as SVG" title="Export as SVG" @click=${this.export}></vscode-toolbar-button>
      <vscode-toolbar-button
        class="export-argo"
        icon="cloud-upload"
        label="Export to Argo Workflows"
        title=${this.canExport ? 'Export to Argo Workflows' : 'Export to Argo Workflows (trust the workspace to export)'}
        ?disabled=${!this.canExport}
        @click=${this.exportArgo}
      ></vscode-toolbar-button>
    </div>`;
  }

  private onInput(e: Event): void {
    const value = (e.target as HTMLInputElement).value;
    this.dispatchEvent(new CustomEvent('dag-search', { detail: { query: value }, bubbles: true, composed: true }));
  }

  private onSearchKey(e: KeyboardEvent): void {
    if (e.key === 'Enter') {
      e.preventDefault();
      this.step(e.shiftKey);
    } else if (e.key === 'Escape' && this.query) {
      e.preventDefault();
      this.dispatchEvent(new CustomEvent('dag-search', { detail: { query: '' }, bubbles: true, composed: true }));
    }
  }

  private step(backwards: boolean): void {
    this.dispatchEvent(new CustomEvent('dag-search-step', { detail: { backwards }, bubbles: true, composed: true }));
  }

  private toggleDirection(): void {
    const direction: Direction = this.direction === 'TB' ? 'LR' : 'TB';
    this.dispatchEvent(new CustomEvent('dag-direction', { detail: { direction }, bubbles: true, composed: true }));
  }

  private zoom(action: ZoomAction): void {
    this.dispatchEvent(new CustomEvent('dag-zoom', { detail: { action }, bubbles: true, composed: true }));
  }

  private export(): void {
    this.dispatchEvent(new CustomEvent('dag-export', { detail: {}, bubbles: true, composed: true }));
  }

  private exportArgo(): void {
    if (this.canExport) this.dispatchEvent(new CustomEvent('dag-export-argo', { detail: {}, bubbles: true, composed: true }));
  }
}
