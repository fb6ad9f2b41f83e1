import { css, unsafeCSS } from 'lit';
import { cssVar, type ColourName } from '../model/presentation';

const c = (name: ColourName) => unsafeCSS(cssVar(name));

export const styles = css`
  :host {
    display: block;
    position: relative;
    overflow: hidden;
    background: ${c('background')};
    color: ${c('foreground')};
    font-family: var(--vscode-font-family, system-ui, sans-serif);
    contain: strict;
  }

  .surface {
    position: absolute;
    inset: 0;
    cursor: grab;
    touch-action: none;
    user-select: none;
    outline: none;
  }
  .surface.panning {
    cursor: grabbing;
  }
  .surface:focus-visible {
    outline: 1px solid ${c('focus')};
    outline-offset: -1px;
  }
  svg.scene,
  canvas {
    display: block;
    width: 100%;
    height: 100%;
  }

  .edge {
    fill: none;
    stroke: ${c('edge')};
    stroke-width: 1.4;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .edge.inferred {
    stroke-dasharray: 5 4;
    stroke: ${c('description')};
  }
  .edge.related {
    stroke: ${c('focus')};
    stroke-width: 2.2;
  }
  .edge.dimmed {
    opacity: 0.25;
  }

  .node {
    cursor: pointer;
    outline: none;
  }
  .node .box {
    fill: ${c('nodeFill')};
    stroke: ${c('nodeBorder')};
    stroke-width: 1;
  }
  .node:hover .box {
    fill: var(--vscode-list-hoverBackground, #2a2d2e);
  }
  .node .accent {
    fill: transparent;
  }
  .node .label {
    fill: ${c('foreground')};
    font-size: 13px;
    font-weight: 600;
  }
  .node .sub {
    fill: ${c('description')};
    font-size: 11.5px;
  }
  .glyph {
    font-family: codicon;
    font-weight: normal;
  }
  .node .icon {
    fill: ${c('description')};
    font-size: 16px;
  }
  .badge {
    font-size: 11px;
    font-weight: 600;
  }
  .badge.error {
    fill: ${c('error')};
  }
  .badge.warning {
    fill: ${c('warning')};
  }
  .node.has-error .box {
    stroke: ${c('error')};
    stroke-width: 1.5;
  }
  .node.has-warning .box {
    stroke: ${c('warning')};
  }
  .node.match .box {
    fill: ${c('match')};
    stroke: ${c('matchBorder')};
    stroke-width: 1.5;
  }
  .node.dimmed {
    opacity: 0.35;
  }
  .node.selected .box {
    stroke: ${c('focus')};
    stroke-width: 2;
  }
  .node:focus-visible .box {
    stroke: ${c('focus')};
    stroke-width: 2;
    stroke-dasharray: none;
  }

  .node.status-pending .accent,
  .node.status-pending .icon {
    fill: ${c('pending')};
  }
  .node.status-running .accent,
  .node.status-running .icon {
    fill: ${c('running')};
  }
  .node.status-succeeded .accent,
  .node.status-succeeded .icon {
    fill: ${c('succeeded')};
  }
  .node.status-failed .accent,
  .node.status-failed .icon {
    fill: ${c('failed')};
  }
  .node.status-failed .box {
    stroke: ${c('failed')};
  }
  .node.status-cached .accent,
  .node.status-cached .icon {
    fill: ${c('cached')};
  }
  .node.status-cancelled .accent,
  .node.status-cancelled .icon {
    fill: ${c('cancelled')};
  }
  .node.status-skipped .accent,
  .node.status-skipped .icon {
    fill: ${c('skipped')};
  }
  .node.status-interrupted .accent,
  .node.status-interrupted .icon {
    fill: ${c('interrupted')};
  }
  .node.status-running .icon {
    transform-box: fill-box;
    transform-origin: center;
    animation: spin 1.5s linear infinite;
  }
  .node.status-running .box {
    stroke: ${c('running')};
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .node.status-running .icon {
      animation: none;
    }
  }

  /* High contrast themes: borders carry the meaning, not fills. */
  :host-context(body.vscode-high-contrast) .node .box,
  :host-context(body.vscode-high-contrast-light) .node .box {
    stroke: var(--vscode-contrastBorder, #6fc3df);
  }
  :host-context(body.vscode-high-contrast) .node.selected .box,
  :host-context(body.vscode-high-contrast-light) .node.selected .box,
  :host-context(body.vscode-high-contrast) .node:focus-visible .box,
  :host-context(body.vscode-high-contrast-light) .node:focus-visible .box {
    stroke: var(--vscode-contrastActiveBorder, #f38518);
    stroke-width: 2.5;
  }
  :host-context(body.vscode-high-contrast) .edge,
  :host-context(body.vscode-high-contrast-light) .edge {
    stroke: ${c('foreground')};
  }
`;
