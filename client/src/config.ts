import * as vscode from 'vscode';
import type { StoreSettings } from './agent/store-env';
import { runOptionsOf, type RunOptions } from './runs/run-options';

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

  /** What every run started from the editor asks of the agent, from the `mlops.run.*` settings. */
  get runOptions(): RunOptions {
    return runOptionsOf({
      parallel: this.cfg.get<number>('run.parallel', 0),
      executor: this.cfg.get<string>('run.executor', 'pipeline'),
      keepGoing: this.cfg.get<boolean>('run.keepGoing', false),
      pull: this.cfg.get<boolean>('run.pullImages', false),
    });
  }

  /** The team store (`mlops.store.url`, `mlops.store.artifacts`); empty strings for the folder's own `.mlops/`. */
  get store(): StoreSettings {
    return { url: this.cfg.get<string>('store.url', '').trim(), artifacts: this.cfg.get<string>('store.artifacts', '').trim() };
  }

  /** True when a configuration change touches any `mlops.*` setting. */
  static affects(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(Config.section);
  }
}
