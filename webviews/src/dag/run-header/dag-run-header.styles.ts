import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  .run {
    position: relative;
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 3px 10px 4px;
    font-size: 12px;
    border-bottom: 1px solid var(--vscode-panel-border, #2b2b2b);
    background: var(--vscode-editor-background, #1f1f1f);
    flex-wrap: wrap;
  }
  .codicon {
    font-family: codicon;
    font-size: 14px;
    line-height: 1;
  }
  .codicon-sync::before {
    content: '\\ea77';
  }
  .codicon-pass::before {
    content: '\\eba4';
  }
  .codicon-error::before {
    content: '\\ea87';
  }
  .codicon-circle-slash::before {
    content: '\\eabd';
  }
  .codicon-debug-pause::before {
    content: '\\ead1';
  }
  .spin {
    animation: spin 1.5s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spin {
      animation: none;
    }
  }
  .status-running .icon {
    color: var(--vscode-progressBar-background, #0078d4);
  }
  .status-succeeded .icon {
    color: var(--vscode-testing-iconPassed, #73c991);
  }
  .status-failed .icon,
  .status-interrupted .icon {
    color: var(--vscode-testing-iconFailed, #f14c4c);
  }
  .status-cancelled .icon {
    color: var(--vscode-disabledForeground, #8c8c8c);
  }
  code {
    font-family: var(--vscode-editor-font-family, monospace);
  }
  .time,
  .progress {
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .counts {
    display: flex;
    gap: 10px;
    margin-left: auto;
  }
  .count {
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: currentColor;
  }
  .count-succeeded .dot {
    background: var(--vscode-testing-iconPassed, #73c991);
  }
  .count-failed .dot,
  .count-interrupted .dot {
    background: var(--vscode-testing-iconFailed, #f14c4c);
  }
  .count-running .dot {
    background: var(--vscode-progressBar-background, #0078d4);
  }
  .count-pending .dot {
    background: var(--vscode-testing-iconQueued, #cca700);
  }
  .count-cached .dot {
    background: var(--vscode-charts-blue, #3794ff);
  }
  .count-cancelled .dot,
  .count-skipped .dot {
    background: var(--vscode-disabledForeground, #8c8c8c);
  }
  .bar {
    position: absolute;
    left: 0;
    right: 0;
    bottom: -1px;
  }
`;
