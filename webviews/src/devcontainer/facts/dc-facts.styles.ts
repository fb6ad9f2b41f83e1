import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 16px;
    margin: 0;
  }
  dt {
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .reason {
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  code {
    font-family: var(--vscode-editor-font-family, monospace);
    font-size: 0.95em;
  }
  .warnings {
    margin: 12px 0 0;
    padding: 0;
    list-style: none;
  }
  .warnings li {
    padding: 4px 8px;
    margin-top: 4px;
    border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700);
    background: var(--vscode-inputValidation-warningBackground, rgba(204, 167, 0, 0.1));
  }
`;
