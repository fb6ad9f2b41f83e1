import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  .grid {
    display: grid;
    grid-template-columns: max-content minmax(0, 1fr);
    gap: 10px 16px;
    align-items: center;
  }
  .label {
    color: var(--vscode-foreground, #cccccc);
  }
  .hint {
    grid-column: 2;
    margin-top: -6px;
    color: var(--vscode-descriptionForeground, #9d9d9d);
    font-size: 12px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 12px;
    align-items: center;
  }
  vscode-textfield {
    width: min(420px, 100%);
  }
`;
