import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Cmd } from '../commands/index';
import { showRefusal, trustRefusal } from '../trust';
import { defaultShimDir, installShim, onPath, pickNode, readShim, shimName, uninstallShim, type ShimTarget } from './shim';

/** Where the last install put the command (globalState), to update it and to uninstall it. */
const INSTALLED_KEY = 'mlops.cliShim';

interface CliInstallHost {
  /** The bundled CLI, `<extension>/dist/agent.js`. */
  cli: string;
  state: vscode.Memento;
  log(line: string): void;
}

/**
 * "MLOps: Install 'mlops' Command in PATH" and its uninstall twin. The command is a small
 * launcher in a folder of the user's choice (~/.local/bin by default) that runs the
 * extension's bundled CLI with a Node that can run it: a terminal `mlops` then starts in
 * tens of milliseconds, where `npx mlops` costs about a second per call. Choosing the
 * runtime runs `node --version`, so installing needs a trusted workspace.
 */
export function cliCommands(host: CliInstallHost): Record<string, Cmd> {
  return {
    'mlops.cli.install': () => install(host),
    'mlops.cli.uninstall': () => uninstall(host),
  };
}

async function install(host: CliInstallHost): Promise<void> {
  const refused = trustRefusal('installCli');
  if (refused) return showRefusal(refused);
  const dir = await chooseFolder(host);
  if (!dir) return;
  const node = await pickNode(process.execPath);
  const done = await installShim(dir, { node, cli: host.cli });
  await host.state.update(INSTALLED_KEY, done.file);
  host.log(`Installed ${done.file}: runs ${host.cli} with ${node}.`);
  if (done.onPath) {
    void vscode.window.showInformationMessage(`'mlops' is installed in ${dir}; new terminals find it (try mlops --version).`);
    return;
  }
  const line = process.platform === 'win32' ? `setx PATH "%PATH%;${dir}"` : `export PATH="${dir}:$PATH"`;
  const copy = 'Copy Command';
  const pick = await vscode.window.showWarningMessage(`'mlops' is installed in ${dir}, which is not on your PATH. Add it (e.g. in your shell profile: ${line}) and open a new terminal.`, copy);
  if (pick === copy) await vscode.env.clipboard.writeText(line);
}

async function chooseFolder(host: CliInstallHost): Promise<string | undefined> {
  const previous = host.state.get<string>(INSTALLED_KEY);
  const dirs = [...new Set([previous ? path.dirname(previous) : undefined, defaultShimDir()].filter((d): d is string => !!d))];
  const items: (vscode.QuickPickItem & { dir?: string })[] = dirs.map((dir) => ({
    label: dir,
    description: onPath(dir) ? 'on PATH' : 'not on PATH',
    dir,
  }));
  items.push({ label: 'Choose a Folder…', description: 'any folder you add to PATH yourself' });
  const pick = await vscode.window.showQuickPick(items, { title: "Install 'mlops' Command in PATH", placeHolder: 'Where should the mlops command go?' });
  if (!pick) return undefined;
  if (pick.dir) return pick.dir;
  const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: "Install 'mlops' Here" });
  return chosen?.[0]?.fsPath;
}

async function uninstall(host: CliInstallHost): Promise<void> {
  const recorded = host.state.get<string>(INSTALLED_KEY);
  const dir = recorded ? path.dirname(recorded) : defaultShimDir();
  if (await uninstallShim(dir)) {
    await host.state.update(INSTALLED_KEY, undefined);
    host.log(`Removed ${path.join(dir, shimName())}.`);
    void vscode.window.showInformationMessage(`Removed the 'mlops' command from ${dir}.`);
    return;
  }
  void vscode.window.showInformationMessage(`No 'mlops' command installed by MLOps Workbench was found in ${dir}.`);
}

/**
 * After an update the extension lives in a new folder: a command installed earlier is
 * pointed at the new CLI (same runtime if it still exists, else the editor's own).
 * Nothing runs; only our own launcher file is rewritten.
 */
export async function refreshInstalledCli(host: CliInstallHost): Promise<void> {
  const file = host.state.get<string>(INSTALLED_KEY);
  if (!file) return;
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  const old = text === undefined ? undefined : readShim(text);
  if (!old) {
    await host.state.update(INSTALLED_KEY, undefined);
    return;
  }
  if (old.cli === host.cli) return;
  const node = (await exists(old.node)) ? old.node : process.execPath;
  const target: ShimTarget = { node, cli: host.cli };
  await installShim(path.dirname(file), target);
  host.log(`Updated ${file} to run ${host.cli}.`);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
