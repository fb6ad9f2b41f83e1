import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  .file-head {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 8px 0;
  }
  .status {
    font-size: 11px;
    padding: 1px 6px;
    border-radius: 8px;
    border: 1px solid var(--vscode-badge-background, #616161);
  }
  .status.changed {
    border-color: var(--vscode-editorWarning-foreground, #cca700);
    color: var(--vscode-editorWarning-foreground, #cca700);
  }
  .status.new {
    border-color: var(--vscode-gitDecoration-addedResourceForeground, #81b88b);
    color: var(--vscode-gitDecoration-addedResourceForeground, #81b88b);
  }
  pre {
    margin: 0;
    padding: 8px 12px;
    max-height: 55vh;
    overflow: auto;
    font-family: var(--vscode-editor-font-family, monospace);
    font-size: var(--vscode-editor-font-size, 12px);
    line-height: 1.45;
    background: var(--vscode-textCodeBlock-background, rgba(255, 255, 255, 0.04));
    border: 1px solid var(--vscode-panel-border, #2b2b2b);
  }
  .line {
    display: block;
    white-space: pre;
  }
  .add {
    background: var(--vscode-diffEditor-insertedLineBackground, rgba(155, 185, 85, 0.2));
  }
  .del {
    background: var(--vscode-diffEditor-removedLineBackground, rgba(255, 0, 0, 0.2));
  }
  .hunk {
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
`;
