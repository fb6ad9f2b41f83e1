import { css } from 'lit';

export const styles = css`
  :host {
    display: flex;
    flex-direction: column;
    position: fixed;
    inset: 0;
    color: var(--vscode-foreground, #cccccc);
    background: var(--vscode-editor-background, #1f1f1f);
    font-family: var(--vscode-font-family, system-ui, sans-serif);
    font-size: var(--vscode-font-size, 13px);
  }
  main {
    position: relative;
    flex: 1;
    min-height: 0;
  }
  mlops-dag-graph {
    position: absolute;
    inset: 0;
  }
  .message {
    position: absolute;
    z-index: 5;
    top: 40%;
    left: 0;
    right: 0;
    text-align: center;
    color: var(--vscode-descriptionForeground, #9d9d9d);
    pointer-events: none;
  }
  code {
    font-family: var(--vscode-editor-font-family, monospace);
  }
  .menu {
    position: absolute;
    z-index: 20;
    min-width: 180px;
  }
  footer {
    display: flex;
    align-items: center;
    gap: 14px;
    padding: 2px 10px;
    min-height: 22px;
    font-size: 12px;
    color: var(--vscode-descriptionForeground, #9d9d9d);
    border-top: 1px solid var(--vscode-panel-border, #2b2b2b);
    background: var(--vscode-sideBar-background, var(--vscode-editor-background, #181818));
    white-space: nowrap;
    overflow: hidden;
  }
  .file {
    color: var(--vscode-foreground, #cccccc);
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .problems {
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
  .codicon {
    font-family: codicon;
    font-size: 14px;
  }
  .codicon-error::before {
    content: '\\ea87';
  }
  .codicon-warning::before {
    content: '\\ea6c';
  }
  .problems.error .codicon {
    color: var(--vscode-editorError-foreground, #f14c4c);
  }
  .problems.warning .codicon {
    color: var(--vscode-editorWarning-foreground, #cca700);
  }
  .legend {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    margin-left: auto;
  }
  .legend svg {
    margin-left: 6px;
  }
  .legend line {
    stroke: var(--vscode-editorLineNumber-foreground, #6e7681);
    stroke-width: 1.6;
  }
  .legend line.inferred {
    stroke: var(--vscode-descriptionForeground, #9d9d9d);
    stroke-dasharray: 4 3;
  }
  .engine {
    opacity: 0.8;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
