import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    max-width: 1100px;
    padding: 16px 24px 32px;
    box-sizing: border-box;
  }
  h1 {
    font-size: 1.4em;
    font-weight: 600;
    margin: 0 0 4px;
  }
  h2 {
    font-size: 1.05em;
    font-weight: 600;
    margin: 24px 0 10px;
    text-transform: none;
  }
  .sub {
    color: var(--vscode-descriptionForeground, #9d9d9d);
    margin: 0 0 8px;
  }
  .summary {
    margin: 4px 0 8px;
    color: var(--vscode-descriptionForeground, #9d9d9d);
  }
  .plan-warnings {
    margin: 0 0 8px;
    padding: 0;
    list-style: none;
  }
  .plan-warnings li {
    padding: 4px 8px;
    border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700);
  }
  .actions {
    display: flex;
    gap: 8px;
    align-items: center;
    margin-top: 16px;
  }
  .banner {
    margin-top: 12px;
    padding: 6px 10px;
    border-left: 3px solid var(--vscode-focusBorder, #0078d4);
    background: var(--vscode-editorWidget-background, rgba(255, 255, 255, 0.04));
  }
  .banner.error {
    border-left-color: var(--vscode-errorForeground, #f85149);
  }
  .pending {
    color: var(--vscode-descriptionForeground, #9d9d9d);
    font-size: 12px;
  }
`;
