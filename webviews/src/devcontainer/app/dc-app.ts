import '@vscode-elements/elements/dist/vscode-button/index.js';
import '../facts/index';
import '../options/index';
import '../preview/index';
import { html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { DetectedFacts } from '../../../../core/src/browser';
import type { DevcontainerHostMessage, PreviewFile, PreviewSummary, WizardOptions } from '../../../../core/src/browser';
import { wizardApi } from '../vscode-api';
import { styles } from './dc-app.styles';

declare global {
  interface HTMLElementTagNameMap {
    'mlops-dc-app': DcApp;
  }
}

type Banner = { kind: 'info' | 'error'; text: string };

/** The wizard: the only element that talks to the extension host. */
@customElement('mlops-dc-app')
export class DcApp extends LitElement {
  static override styles = styles;

  @state() private accessor project = '';
  @state() private accessor facts: DetectedFacts | undefined;
  @state() private accessor options: WizardOptions | undefined;
  @state() private accessor pythonVersions: string[] = [];
  @state() private accessor files: PreviewFile[] = [];
  @state() private accessor summary: PreviewSummary | undefined;
  @state() private accessor banner: Banner | undefined;
  /** A preview or a write is on its way. */
  @state() private accessor pending = false;
  private seq = 0;

  private readonly onMessage = (e: MessageEvent<DevcontainerHostMessage>) => this.receive(e.data);

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('message', this.onMessage);
    wizardApi().postMessage({ type: 'ready' });
  }

  override disconnectedCallback(): void {
    window.removeEventListener('message', this.onMessage);
    super.disconnectedCallback();
  }

  private receive(m: DevcontainerHostMessage): void {
    switch (m.type) {
      case 'init':
        this.project = m.project;
        this.facts = m.facts;
        this.options = m.options;
        this.pythonVersions = m.pythonVersions;
        this.requestPreview();
        break;
      case 'preview':
        // Only the answer to the latest change counts; older ones are stale.
        if (m.seq !== this.seq) return;
        this.files = m.files;
        this.summary = m.summary;
        this.pending = false;
        break;
      case 'written':
        this.pending = false;
        this.banner = { kind: 'info', text: `Wrote ${m.paths.join(' and ')}.` };
        this.requestPreview();
        break;
      case 'declined':
        this.pending = false;
        this.banner = { kind: 'info', text: 'Nothing was written: the existing files were kept.' };
        break;
      case 'error':
        this.pending = false;
        this.banner = { kind: 'error', text: m.message };
        break;
      default: {
        const never: never = m;
        void never;
      }
    }
  }

  private requestPreview(): void {
    if (!this.options) return;
    this.pending = true;
    wizardApi().postMessage({ type: 'change', seq: ++this.seq, options: this.options });
  }

  private onOptions(e: CustomEvent<{ options: WizardOptions }>): void {
    this.options = e.detail.options;
    this.banner = undefined;
    this.requestPreview();
  }

  private write(): void {
    if (!this.options) return;
    this.pending = true;
    this.banner = undefined;
    wizardApi().postMessage({ type: 'write', options: this.options });
  }

  private cancel(): void {
    wizardApi().postMessage({ type: 'cancel' });
  }

  protected override render() {
    if (!this.facts || !this.options) return html`<p class="sub">Reading the project…</p>`;
    const changed = this.files.filter((f) => f.status === 'changed').length;
    const toWrite = this.files.filter((f) => f.status !== 'unchanged').length;
    const label = toWrite === 0 ? 'Up to date' : changed > 0 ? `Overwrite ${changed} changed file${changed === 1 ? '' : 's'}…` : `Write ${toWrite} file${toWrite === 1 ? '' : 's'}`;
    const s = this.summary;
    const gpuText = s ? (s.gpu === 'none' ? 'CPU only' : `GPU ${s.gpu}${s.cuda ? `, CUDA ${s.cuda}` : ''}`) : '';
    return html`<h1>Dev container for ${this.project}</h1>
      <p class="sub">Generated from what the project uses. Review the choices, then write <code>.devcontainer/</code>.</p>
      <h2>Detected</h2>
      <mlops-dc-facts .facts=${this.facts}></mlops-dc-facts>
      <h2>Choices</h2>
      <mlops-dc-options
        .options=${this.options}
        .pythonVersions=${this.pythonVersions}
        .groups=${this.facts.groups}
        .kinds=${Object.fromEntries(this.facts.choices.map((c) => [c.name, c.kind]))}
        autoGpu=${this.facts.gpu.need === 'none' ? 'CPU' : this.facts.gpu.need === 'required' ? 'GPU required' : 'GPU optional'}
        defaultBaseImage=${this.options.baseImage === '' && s ? s.baseImage : ''}
        ?disabled=${false}
        @dc-options-change=${this.onOptions}
      ></mlops-dc-options>
      <h2>Files</h2>
      ${s ? html`<p class="summary">Base <code>${s.baseImage}</code> · Python ${s.python} · ${gpuText}</p>` : nothing}
      ${
        s?.warnings?.length
          ? html`<ul class="plan-warnings" role="list">
              ${s.warnings.map((w) => html`<li>${w}</li>`)}
            </ul>`
          : nothing
      }
      <mlops-dc-preview .files=${this.files}></mlops-dc-preview>
      <div class="actions">
        <vscode-button id="write" ?disabled=${this.pending || toWrite === 0} @click=${this.write}>${label}</vscode-button>
        <vscode-button id="cancel" secondary @click=${this.cancel}>Close</vscode-button>
        ${this.pending ? html`<span class="pending" role="status">Updating…</span>` : nothing}
      </div>
      ${this.banner ? html`<div class="banner ${this.banner.kind}" role=${this.banner.kind === 'error' ? 'alert' : 'status'}>${this.banner.text}</div>` : nothing}`;
  }
}
