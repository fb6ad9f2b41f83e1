import * as vscode from 'vscode';
import type { AgentLauncher } from '../catalog/agent-json';
import { runAgent } from '../catalog/agent-json';
import type { StoreSettings } from '../../../core/src/browser';
import { storeEnv, withoutPassword } from './store-env';

export type { StoreSettings };

/**
 * The team store as the editor configures it: the settings, and the password kept in
 * VS Code's secret storage (never in settings). When the store refuses the login, the
 * password is asked for once and kept; PGPASSWORD or ~/.pgpass work as well.
 */
export class TeamStore {
  private password: string | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly settings: () => StoreSettings,
  ) {}

  private key(): string {
    return `mlops.store.password:${withoutPassword(this.settings().url)}`;
  }

  /** Reads the password of the configured store from the secret storage. */
  async load(): Promise<void> {
    this.password = this.settings().url ? await this.secrets.get(this.key()) : undefined;
  }

  env(): NodeJS.ProcessEnv {
    return storeEnv(this.settings(), this.password);
  }

  /** Asks for the store's password and keeps it; false when the user cancels. */
  async askPassword(): Promise<boolean> {
    const url = this.settings().url;
    if (!url) {
      void vscode.window.showInformationMessage('No team store is configured: set mlops.store.url to a postgresql:// URL first.');
      return false;
    }
    const pw = await vscode.window.showInputBox({
      title: 'Team store password',
      prompt: `Password for ${withoutPassword(url)}; kept in VS Code's secret storage, never in settings.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (pw === undefined) return false;
    await this.secrets.store(this.key(), pw);
    this.password = pw;
    return true;
  }

  /**
   * Checks that the configured store answers (`mlops store info`); a refused login asks for
   * the password once and checks again. Returns the problem (or null), and whether a
   * password was asked for (then agents started before need to start again).
   */
  async check(launcher: AgentLauncher, cwd: string): Promise<{ problem: string | null; asked: boolean }> {
    if (!this.settings().url) return { problem: null, asked: false };
    let r = await runAgent(launcher, ['store', 'info'], cwd);
    let asked = false;
    if (r.code !== 0 && /refused the login/.test(r.stderr) && !this.password && (await this.askPassword())) {
      asked = true;
      r = await runAgent(launcher, ['store', 'info'], cwd);
    }
    return { problem: r.code === 0 ? null : r.stderr.trim().replace(/^mlops store: /, '') || `mlops store info exited ${r.code}`, asked };
  }
}
