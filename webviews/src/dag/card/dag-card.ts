import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { DagNode } from '../../../../core/src/browser';
import { STATUS_LABEL } from '../model/presentation';
import { formatDuration, ranFor, type TaskRun } from '../model/run-overlay';
import { styles } from './dag-card.styles';

export interface Anchor {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

declare global {
  interface HTMLElementTagNameMap {
    'mlops-dag-card': DagCard;
  }
}

/**
 * The hover card of a task: command, paths, resources, params used, diagnostics and the
 * last run (with its log tail when it failed). Placed beside `anchor` (client coordinates),
 * inside the host element's box.
 */
@customElement('mlops-dag-card')
export class DagCard extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) accessor node: DagNode | undefined;
  @property({ attribute: false }) accessor run: TaskRun | undefined;
  @property({ attribute: false }) accessor logTail: string | undefined;
  @property({ attribute: false }) accessor anchor: Anchor | undefined;
  @property({ type: Number }) accessor now = Date.now();

  protected override updated(): void {
    this.place();
  }

  protected override render() {
    const n = this.node;
    if (!n) return nothing;
    const d = n.details;
    const run = this.run;
    const ms = run ? ranFor(run, this.now) : undefined;
    const resources = d ? [d.resources.cpu && `cpu ${d.resources.cpu}`, d.resources.memory && `memory ${d.resources.memory}`, d.resources.gpu && d.resources.gpu !== '0' && `gpu ${d.resources.gpu}`].filter(Boolean) : [];
    return html`<div class="card" role="tooltip" aria-label=${`Task ${n.id}`}>
      <header>
        <span class="title">${n.id}</span>
        ${run ? html`<span class="status status-${run.status}">${STATUS_LABEL[run.status]}${ms !== undefined ? ` · ${formatDuration(ms)}` : ''}</span>` : nothing}
      </header>
      ${n.description ? html`<p class="description">${n.description}</p>` : nothing}
      ${
        n.run
          ? html`<section>
              <h4>Command</h4>
              <pre class="command">${n.run.trim()}</pre>
            </section>`
          : nothing
      }
      ${d && d.inputs.length ? this.paths('Inputs', d.inputs) : nothing} ${d && d.outputs.length ? this.paths('Outputs', d.outputs) : nothing}
      ${
        resources.length || d?.executor || d?.image
          ? html`<section>
              <h4>Resources</h4>
              <p>${[d?.executor, d?.image, ...resources].filter(Boolean).join(' · ')}</p>
            </section>`
          : nothing
      }
      ${
        d && d.params.length
          ? html`<section>
              <h4>Params used</h4>
              <p class="chips">${d.params.map((p) => html`<code>${p}</code>`)}</p>
            </section>`
          : nothing
      }
      ${
        d && d.features.length
          ? html`<section>
              <h4>Features</h4>
              <p class="chips">${d.features.map((f) => html`<code>${f}</code>`)}</p>
            </section>`
          : nothing
      }
      ${
        d?.model
          ? html`<section>
              <h4>Registers model</h4>
              <p><code>${d.model}</code></p>
            </section>`
          : nothing
      }
      ${
        n.diagnostics.length
          ? html`<section class="problems">
              <h4>Problems</h4>
              <ul>
                ${n.diagnostics.map(
                  (x) => html`<li class=${x.severity}><span class="codicon codicon-${x.severity === 'info' ? 'info' : x.severity}" aria-label=${x.severity}></span>${x.message} <span class="code">${x.code}</span></li>`,
                )}
              </ul>
            </section>`
          : nothing
      }
      ${run ? this.lastRun(run) : nothing}
    </div>`;
  }

  private paths(title: string, list: { name?: string; path: string; kind?: string }[]): TemplateResult {
    return html`<section>
      <h4>${title}</h4>
      <ul class="paths">
        ${list.map((p) => html`<li>${p.name ? html`<span class="name">${p.name}</span> ` : nothing}<code>${p.path}</code>${p.kind && p.kind !== p.name ? html` <span class="kind">${p.kind}</span>` : nothing}</li>`)}
      </ul>
    </section>`;
  }

  private lastRun(run: TaskRun): TemplateResult {
    const facts = [
      run.jobId !== undefined ? `Slurm job ${run.jobId}${run.node ? ` on ${run.node}` : run.status === 'running' ? ' (queued)' : ''}` : '',
      run.attempts > 1 ? `${run.attempts} attempts` : '',
      run.exitCode !== undefined && run.exitCode !== null ? `exit code ${run.exitCode}` : '',
    ].filter(Boolean);
    return html`<section class="run">
      <h4>Last run</h4>
      ${run.message ? html`<p>${run.message}</p>` : nothing} ${facts.length ? html`<p class="facts">${facts.join(' · ')}</p>` : nothing}
      ${run.status === 'failed' && this.logTail ? html`<pre class="log" aria-label="Log tail">${this.logTail}</pre>` : nothing}
    </section>`;
  }

  /**
   * Beside the node: right, left, below or above, the first side where the whole card
   * fits; otherwise the side with the most room, clamped inside the host's box. The card
   * never covers its own node when any side has room.
   */
  private place(): void {
    const card = this.renderRoot.querySelector<HTMLElement>('.card');
    const a = this.anchor;
    if (!card || !a) return;
    const box = (this.offsetParent ?? document.body).getBoundingClientRect();
    const w = card.offsetWidth;
    const h = card.offsetHeight;
    const gap = 10;
    const clampX = (x: number) => Math.max(box.left + 4, Math.min(x, box.right - w - 4));
    const clampY = (y: number) => Math.max(box.top + 4, Math.min(y, box.bottom - h - 4));
    const sides = [
      { room: box.right - a.right - gap, need: w, left: a.right + gap, top: clampY(a.top) },
      { room: a.left - box.left - gap, need: w, left: a.left - w - gap, top: clampY(a.top) },
      { room: box.bottom - a.bottom - gap, need: h, left: clampX(a.left), top: a.bottom + gap },
      { room: a.top - box.top - gap, need: h, left: clampX(a.left), top: a.top - h - gap },
    ];
    const pick = sides.find((side) => side.room >= side.need) ?? sides.reduce((best, side) => (side.room / side.need > best.room / best.need ? side : best));
    card.style.setProperty('left', `${Math.round(clampX(pick.left) - box.left)}px`);
    card.style.setProperty('top', `${Math.round(clampY(pick.top) - box.top)}px`);
  }
}
