import type { DevcontainerWebviewMessage } from '../../../core/src/browser';

/** The part of the webview API the wizard uses. */
export interface WizardApi {
  postMessage(message: DevcontainerWebviewMessage): void;
}

let api: WizardApi | undefined;

/** The webview API (callable once per page), or a stand-in that drops messages outside VS Code. */
export function wizardApi(): WizardApi {
  if (!api) {
    const acquire = (globalThis as { acquireVsCodeApi?: () => WizardApi }).acquireVsCodeApi;
    api = typeof acquire === 'function' ? acquire() : { postMessage: () => {} };
  }
  return api;
}
