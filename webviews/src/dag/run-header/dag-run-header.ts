import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { STATUS_LABEL } from '../model/presentation';
import { counts, formatDuration, STATUS_ORDER, type RunView } from '../model/run-overlay';
import { styles } from './dag-run-header.styles';

declare global {
  interface HTMLElementTagNameMap {
    'mlops-dag-run-header': DagRunHeader;
  }
}

const RUN_ICON: Record<RunView['status'], string> = {
  running: 'sync',
  succeeded: 'pass',
  failed: 'error',
  cancelled: 'circle-slash',
  interrupted: 'debug-pause',
};

/** Progress of the latest run: its state, time so far, tasks per status and a bar. */
@customElement('mlops-dag-run-header')
export class DagRunHeader extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) accessor run: RunView | null = null;
  @property({ type: Number }) accessor now = Date.now();

  protected override render() {
    const run = this.run;
    if (!run) return nothing;
    const c = counts(run);
    const total = run.tasks.size;
    const done = total - (c.get('pending') ?? 0) - (c.get('running') ?? 0);
    const took = (run.endedAt ?? this.now) - run.startedAt;
    const summary = STATUS_ORDER.filter((s) => c.get(s))
      .map((s) => `${c.get(s)} ${STATUS_LABEL[s]}`)
      .join(', ');
    return html`<div class="run status-${run.status}" role="status" aria-label=${`Run ${run.id} ${run.status}: ${done} of ${total} tasks done; ${summary}`}>
      <span class="icon codicon codicon-${RUN_ICON[run.status]} ${run.status === 'running' ? 'spin' : ''}" aria-hidden="true"></span>
      <span class="what">Run <code>${run.id.slice(0, 8)}</code> ${run.status}</span>
      <span class="time">${formatDuration(Math.max(0, took))}</span>
      <span class="progress">${done}/${total}</span>
      <span class="counts">
        ${STATUS_ORDER.filter((s) => c.get(s)).map((s) => html`<span class="count count-${s}" title=${`${c.get(s)} ${STATUS_LABEL[s]}`}><span class="dot"></span>${c.get(s)} ${STATUS_LABEL[s]}</span>`)}
      </span>
      ${run.status === 'running' ? html`<vscode-progress-bar class="bar" .value=${done} .max=${Math.max(1, total)} aria-label="Run progress"></vscode-progress-bar>` : nothing}
    </div>`;
  }
}
