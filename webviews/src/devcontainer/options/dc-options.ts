import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { GpuMode } from '../../../../core/src/browser';
import type { WizardOptions } from '../../../../core/src/browser';
import { styles } from './dc-options.styles';

declare global {
  interface HTMLElementTagNameMap {
    'mlops-dc-options': DcOptions;
  }
  interface HTMLElementEventMap {
    /** Any field changed; the detail is the complete new set of options. */
    'dc-options-change': CustomEvent<{ options: WizardOptions }>;
  }
}

const GPU_LABELS: Record<GpuMode, string> = { project: 'From the project', auto: "Auto (also this machine's GPU)", on: 'On', off: 'Off' };

/** How each kind of optional set is introduced, so a CUDA variant is not mistaken for a docs extra. */
const KIND_LABELS: Record<string, string> = {
  variant: 'Alternative builds (choose one)',
  tooling: 'Tooling',
  extra: 'Extras',
  group: 'Dependency groups',
  imports: 'Imported by the code, in no manifest',
  other: 'Other requirement files',
};

/** The editable choices: Python, GPU mode, base image and extras. */
@customElement('mlops-dc-options')
export class DcOptions extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) accessor options: WizardOptions | undefined;
  @property({ attribute: false }) accessor pythonVersions: string[] = [];
  /** Optional dependency groups the project declares. */
  @property({ attribute: false }) accessor groups: string[] = [];
  /** What kind each group is (variant, tooling, extra…), by name. */
  @property({ attribute: false }) accessor kinds: Record<string, string> = {};
  /** What auto mode resolves to, shown beside the radio. */
  @property() accessor autoGpu = '';
  /** The base image the generator picks when the field is empty. */
  @property() accessor defaultBaseImage = '';
  @property({ type: Boolean }) accessor disabled = false;

  protected override render() {
    const o = this.options;
    if (!o) return nothing;
    return html`<div class="grid">
      <label class="label" for="python">Python</label>
      <vscode-single-select id="python" aria-label="Python version" ?disabled=${this.disabled} @change=${this.onPython}>
        ${this.pythonVersions.map((v) => html`<vscode-option value=${v} ?selected=${v === o.python}>${v}</vscode-option>`)}
      </vscode-single-select>

      <span class="label" id="gpu-label">GPU</span>
      <vscode-radio-group id="gpu" aria-labelledby="gpu-label">
        ${(['project', 'auto', 'on', 'off'] as const).map(
          (m) =>
            html`<vscode-radio name="gpu" value=${m} ?checked=${o.gpu === m} ?disabled=${this.disabled} @change=${this.onGpu}
              >${GPU_LABELS[m]}${m === 'project' && this.autoGpu ? ` (${this.autoGpu})` : ''}</vscode-radio
            >`,
        )}
      </vscode-radio-group>

      <label class="label" for="base">Base image</label>
      <vscode-textfield id="base" aria-label="Base image" placeholder=${this.defaultBaseImage || 'generator default'} .value=${o.baseImage} ?disabled=${this.disabled} @change=${this.onBase}></vscode-textfield>
      <span class="hint">Empty: the image the generator picks for the choices above.</span>

      <span class="label">Tools</span>
      <div class="row" role="group" aria-label="Tools">
        <vscode-checkbox id="jupyter" ?checked=${o.jupyter} ?disabled=${this.disabled} @change=${this.onJupyter}>Jupyter</vscode-checkbox>
        <vscode-checkbox id="mlflow" ?checked=${o.mlflow} ?disabled=${this.disabled} @change=${this.onMlflow}>MLflow</vscode-checkbox>
      </div>
      ${Object.keys(KIND_LABELS).map((kind) => {
        const names = this.groups.filter((g) => (this.kinds[g] ?? 'other') === kind);
        if (names.length === 0) return nothing;
        return html`<span class="label">${KIND_LABELS[kind]}</span>
          <div class="row" role="group" aria-label=${KIND_LABELS[kind]!} data-kind=${kind}>
            ${names.map((g) => html`<vscode-checkbox class="group" data-group=${g} ?checked=${o.groups.includes(g)} ?disabled=${this.disabled} @change=${this.onGroup}>${g}</vscode-checkbox>`)}
          </div>`;
      })}
      ${this.groups.length ? html`<span class="hint">Not installed unless ticked: the image gets the base set only.</span>` : nothing}
    </div>`;
  }

  private emit(patch: Partial<WizardOptions>): void {
    if (!this.options) return;
    const options = { ...this.options, ...patch };
    this.options = options;
    this.dispatchEvent(new CustomEvent('dc-options-change', { detail: { options }, bubbles: true, composed: true }));
  }

  private onPython(e: Event): void {
    this.emit({ python: (e.target as HTMLElement & { value: string }).value });
  }

  private onGpu(e: Event): void {
    const radio = e.target as HTMLElement & { value: string; checked: boolean };
    if (radio.checked) this.emit({ gpu: radio.value as GpuMode });
  }

  private onBase(e: Event): void {
    this.emit({ baseImage: (e.target as HTMLElement & { value: string }).value.trim() });
  }

  private onJupyter(e: Event): void {
    this.emit({ jupyter: (e.target as HTMLElement & { checked: boolean }).checked });
  }

  private onMlflow(e: Event): void {
    this.emit({ mlflow: (e.target as HTMLElement & { checked: boolean }).checked });
  }

  private onGroup(e: Event): void {
    const box = e.target as HTMLElement & { checked: boolean };
    const g = box.dataset['group']!;
    const rest = (this.options?.groups ?? []).filter((x) => x !== g);
    this.emit({ groups: box.checked ? [...rest, g] : rest });
  }
}
