import * as vscode from 'vscode';
import { MlopsSettings, type SettingKey } from '../../core/src/browser';

/** The extension's settings (`mlops.*`) over VS Code's configuration, typed; read fresh on every access. */
export class Config extends MlopsSettings {
  static readonly section = 'mlops';

  constructor() {
    super((key) => vscode.workspace.getConfiguration(Config.section).get(key));
  }

  /** True when a configuration change touches the `mlops.KEY` setting. */
  static affects(e: vscode.ConfigurationChangeEvent, key: SettingKey): boolean {
    return e.affectsConfiguration(`${Config.section}.${key}`);
  }
}
