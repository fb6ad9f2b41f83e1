import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { html, LitElement, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PreviewFile } from '../../../../core/src/browser';
import { styles } from './dc-preview.styles';

declare global {
  interface HTMLElementTagNameMap {
    'mlops-dc-preview': DcPreview;
  }
}

const STATUS_TEXT: Record<PreviewFile['status'], string> = {
  new: 'new file',
  unchanged: 'unchanged',
  changed: 'differs from the file on disk',
};

/** The generated files, one tab each; a changed file shows its diff against the disk first. */
@customElement('mlops-dc-preview')
export class DcPreview extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) accessor files: PreviewFile[] = [];
  /** Show whole files instead of diffs for changed ones. */
  @state() private accessor full = false;
  /** The open tab; a file that differs from the disk is opened first. */
  @state() private accessor tab = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('files')) {
      const first = this.files.findIndex((f) => f.status === 'changed');
      if (first !== -1) this.tab = first;
      else if (this.tab >= this.files.length) this.tab = 0;
    }
  }

  protected override render() {
    if (this.files.length === 0) return nothing;
    const anyChanged = this.files.some((f) => f.status === 'changed');
    return html`${anyChanged ? html`<vscode-checkbox class="full" ?checked=${this.full} @change=${this.onFull}>Show whole files</vscode-checkbox>` : nothing}
      <vscode-tabs .selectedIndex=${this.tab} @vsc-tabs-select=${this.onTab}>
        ${this.files.map(
          (f) =>
            html`<vscode-tab-header slot="header" data-path=${f.path}>${f.path.replace(/^\.devcontainer\//, '')}</vscode-tab-header>
              <vscode-tab-panel data-path=${f.path}>
                <div class="file-head"><code>${f.path}</code><span class="status ${f.status}">${STATUS_TEXT[f.status]}</span></div>
                ${f.status === 'changed' && f.diff && !this.full ? this.renderDiff(f.diff) : html`<pre class="text">${f.text}</pre>`}
              </vscode-tab-panel>`,
        )}
      </vscode-tabs>`;
  }

  private renderDiff(diff: string) {
    const lines = diff.replace(/\n$/, '').split('\n');
    return html`<pre class="diff" aria-label="Changes against the file on disk">
${lines.map((l) => {
        const cls = l.startsWith('@@') ? 'hunk' : l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : '';
        return html`<span class="line ${cls}">${l}</span>`;
      })}</pre>`;
  }

  private onTab(e: CustomEvent<{ selectedIndex: number }>): void {
    this.tab = e.detail.selectedIndex;
  }

  private onFull(e: Event): void {
    this.full = (e.target as HTMLElement & { checked: boolean }).checked;
  }
}
