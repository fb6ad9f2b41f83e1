import { css } from 'lit';

export const styles = css`
  :host {
    position: absolute;
    inset: 0;
    pointer-events: none;
    z-index: 10;
  }
  .card {
    position: absolute;
    max-width: min(420px, 80vw);
    min-width: 220px;
    max-height: 70vh;
    overflow: hidden;
    box-sizing: border-box;
    padding: 8px 10px;
    background: var(--vscode-editorHoverWidget-background, #202020);
    color: var(--vscode-editorHoverWidget-foreground, #cccccc);
    border: 1px solid var(--vscode-editorHoverWidget-border, #454545);
    border-radius: 4px;
    box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.36));
    font-size: 12px;
    line-height: 1.4;
  }
  header {
    display: flex;
    align-items: baseline;
    gap: 8px;
    margin-bottom: 4px;
  }
  .title {
    font-weight: 600;
    font-size: 13px;
  }
  .status {
    font-size: 11px;
    padding: 0 6px;
    border-radius: 8px;
    border: 1px solid currentColor;
  }
  .status-succeeded {
    color: var(--vscode-testing-iconPassed, #73c991);
  }
  .status-failed,
  .status-interrupted {
    color: var(--vscode-testing-iconFailed, #f14c4c);
  }
  .status-running {
    color: var(--vscode-progressBar-background, #0078d4);
  }
  .status-pending {
    color: var(--vscode-testing-iconQueued, #cca700);
  }
  .status-cached {
    color: var(--vscode-charts-blue, #3794ff);
  }
  .status-cancelled,
  .status-skipped {
    color: var(--vscode-disabledForeground, #8c8c8c);
  }
  p {
    margin: 2px 0;
  }
  .description {
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  section {
    margin-top: 6px;
  }
  h4 {
    margin: 0 0 2px;
    font-size: 11px;
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  ul {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  code,
  pre {
    font-family: var(--vscode-editor-font-family, monospace);
    font-size: 11.5px;
  }
  code {
    background: var(--vscode-textCodeBlock-background, rgba(255, 255, 255, 0.06));
    border-radius: 3px;
    padding: 0 3px;
  }
  pre {
    margin: 0;
    white-space: pre-wrap;
    word-break: break-all;
    max-height: 7.5em;
    overflow: hidden;
  }
  .command {
    color: var(--vscode-textPreformat-foreground, #d7ba7d);
  }
  .chips code {
    margin-right: 4px;
  }
  .name,
  .kind,
  .code,
  .facts {
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .problems li {
    display: flex;
    gap: 4px;
    align-items: baseline;
  }
  .problems .codicon {
    font-family: codicon;
    font-style: normal;
    flex: none;
  }
  .codicon-error::before {
    content: '\\ea87';
  }
  .codicon-warning::before {
    content: '\\ea6c';
  }
  .codicon-info::before {
    content: '\\ea74';
  }
  .problems li.error .codicon {
    color: var(--vscode-editorError-foreground, #f14c4c);
  }
  .problems li.warning .codicon {
    color: var(--vscode-editorWarning-foreground, #cca700);
  }
  .problems li.info .codicon {
    color: var(--vscode-editorInfo-foreground, #3794ff);
  }
  .log {
    margin-top: 4px;
    padding: 4px 6px;
    max-height: 10em;
    background: var(--vscode-terminal-background, var(--vscode-textCodeBlock-background, #181818));
    color: var(--vscode-terminal-foreground, inherit);
    border-left: 2px solid var(--vscode-testing-iconFailed, #f14c4c);
  }
`;
