import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { DetectedFacts } from '../../../../core/src/browser';
import { styles } from './dc-facts.styles';

declare global {
  interface HTMLElementTagNameMap {
    'mlops-dc-facts': DcFacts;
  }
}

const GiB = 2 ** 30;

function memory(bytes: number): string {
  return bytes >= GiB ? `${+(bytes / GiB).toFixed(2)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`;
}

/** What detection found in the project, read-only. */
@customElement('mlops-dc-facts')
export class DcFacts extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) accessor facts: DetectedFacts | undefined;

  protected override render() {
    const f = this.facts;
    if (!f) return nothing;
    const r = f.resources;
    const res = [
      r.cpu !== undefined ? `cpu ${r.cpu} (${r.from['cpu']})` : '',
      r.memory !== undefined ? `memory ${memory(r.memory)} (${r.from['memory']})` : '',
      r.gpu !== undefined ? `gpu ${r.gpu} (${r.from['gpu']})` : '',
    ].filter((s) => s);
    return html`<dl>
        <dt>Manifests</dt>
        <dd class="manifests">${f.manifests.length ? f.manifests.map((m, i) => html`${i ? ', ' : ''}<code>${m.path}</code> (${m.kind})`) : 'none'}</dd>
        <dt>Python</dt>
        <dd class="python">${f.python.version} <span class="reason">(${f.python.source === 'default' ? 'default' : `from ${f.python.source}${f.python.constraint ? ` ${f.python.constraint}` : ''}`})</span></dd>
        <dt>Frameworks</dt>
        <dd class="frameworks">
          ${f.frameworks.length ? f.frameworks.map((x, i) => html`${i ? ', ' : ''}${x.id}${x.version ? ` ${x.version}` : x.spec ? ` ${x.spec}` : ''}${x.cuda ? ` (CUDA ${x.cuda})` : ''}`) : 'none'}
        </dd>
        <dt>System packages</dt>
        <dd class="system">
          ${f.system
            .filter((x) => !x.group)
            .map((x) => x.apt)
            .join(', ')}
        </dd>
        <dt>Notebooks</dt>
        <dd class="notebooks">${f.notebooks.length ? `${f.notebooks.length}: ${f.notebooks.slice(0, 5).join(', ')}${f.notebooks.length > 5 ? ', …' : ''}` : 'none'}</dd>
        <dt>MLflow</dt>
        <dd>${f.mlflow ? 'used' : 'not used'}</dd>
        <dt>Pipeline resources</dt>
        <dd class="resources">${res.length ? res.join(', ') : 'no pipeline task states any'}</dd>
        <dt>GPU</dt>
        <dd class="gpu">${f.gpu.need}${f.gpu.reasons.length ? html` <span class="reason">— ${f.gpu.reasons.join('; ')}</span>` : nothing}</dd>
        ${
          f.hostGpu
            ? html`<dt>Host GPU</dt>
                <dd>${f.hostGpu.gpus.join(', ') || 'yes'}${f.hostGpu.driver ? `, driver ${f.hostGpu.driver}` : ''}${f.hostGpu.cuda ? `, CUDA ≤ ${f.hostGpu.cuda}` : ''}</dd>`
            : nothing
        }
      </dl>
      ${
        f.notFound.length + f.warnings.length
          ? html`<ul class="warnings" role="list">
              ${[...f.notFound, ...f.warnings].map((w) => html`<li>${w}</li>`)}
            </ul>`
          : nothing
      }`;
  }
}
