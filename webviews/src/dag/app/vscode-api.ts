import type { WebviewMessage } from '../../../../core/src/browser';

/** The part of the webview API this app uses. */
export interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Provided by VS Code inside a webview (and by the component tests' stub); callable once.
  function acquireVsCodeApi(): VsCodeApi;
}

let api: VsCodeApi | undefined;

/** The webview API, or a stand-in that drops messages when the page runs outside VS Code. */
export function vscodeApi(): VsCodeApi {
  if (!api) {
    let state: unknown;
    api =
      typeof acquireVsCodeApi === 'function'
        ? acquireVsCodeApi()
        : {
            postMessage: () => {},
            getState: () => state,
            setState: (s) => (state = s),
          };
  }
  return api;
}
