import * as vscode from 'vscode';

/** The extension's settings (`mlops.*`), typed, read fresh on every access. */
export class Config {
  static readonly section = 'mlops';

  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(Config.section);
  }

  /** Quiet time after a keystroke before the server checks the file again. */
  get debounceMs(): number {
    return this.cfg.get<number>('validation.debounceMs', 10);
  }

  get traceServer(): 'off' | 'messages' | 'verbose' {
    return this.cfg.get<'off' | 'messages' | 'verbose'>('trace.server', 'off');
  }

  /** Log the JSON-RPC messages between the extension and the local agent. */
  get traceAgent(): 'off' | 'messages' | 'verbose' {
    return this.cfg.get<'off' | 'messages' | 'verbose'>('trace.agent', 'off');
  }

  /** True when a configuration change touches any `mlops.*` setting. */
  static affects(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(Config.section);
  }
}
