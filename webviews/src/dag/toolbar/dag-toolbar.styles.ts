import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-editorWidget-border, #2b2b2b));
    background: var(--vscode-sideBar-background, var(--vscode-editor-background, #181818));
  }
  .bar {
    display: flex;
    align-items: center;
    gap: 2px;
    padding: 4px 8px;
    min-height: 30px;
    box-sizing: border-box;
  }
  .search {
    width: min(260px, 40vw);
    margin-right: 6px;
  }
  .hits {
    color: var(--vscode-descriptionForeground, #9d9d9d);
    font-size: 12px;
    margin-right: 4px;
    white-space: nowrap;
  }
  .spacer {
    flex: 1;
  }
  .busy {
    margin-right: 6px;
  }
`;
