// One private code-server instance: its own folders (config, user data, extensions, HOME,
// TMPDIR, XDG_*), the .vsix installed into them, a free loopback port, and a process
// group that is always stopped again.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extensionId, manifest } from './config.mjs';
import { assertPortFree, freePort, portAnswers, startGroup, waitForHttp } from './processes.mjs';
import { waitFor } from './wait.mjs';

/**
 * User settings that keep first-run noise (welcome page, tips, prompts) off the screen.
 * Auto-save is off so that edits stay in the buffer: diagnostics must come from the live
 * text, and File: Revert File restores the file for the next check.
 */
const SETTINGS = {
  'files.autoSave': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * Settings that turn workspace trust on for a window (the suite's own window runs with it
 * off): a folder the fresh user data has never trusted opens in Restricted Mode, with no
 * start-up prompt asking to trust it.
 */
export const RESTRICTED_MODE_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.emptyWindow': false,
};

/** Creates the private folders of one run under `root`; `settings` override the defaults. */
export function makeRunDirs(root, { settings = {} } = {}) {
  const d = {
    root,
    home: join(root, 'home'),
    tmp: join(root, 'tmp'),
    config: join(root, 'config.yaml'),
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    xdgConfig: join(root, 'xdg', 'config'),
    xdgData: join(root, 'xdg', 'data'),
    xdgCache: join(root, 'xdg', 'cache'),
    xdgState: join(root, 'xdg', 'state'),
    xdgRuntime: join(root, 'xdg', 'runtime'),
    workspace: join(root, 'workspace'),
    chromiumProfile: join(root, 'chromium'),
  };
  for (const k of ['home', 'tmp', 'userData', 'extensions', 'xdgConfig', 'xdgData', 'xdgCache', 'xdgState', 'xdgRuntime', 'workspace', 'chromiumProfile']) {
    mkdirSync(d[k], { recursive: true, mode: 0o700 });
  }
  mkdirSync(join(d.userData, 'User'), { recursive: true });
  writeFileSync(join(d.userData, 'User', 'settings.json'), JSON.stringify({ ...SETTINGS, ...settings }, null, 2));
  return d;
}

/** The environment code-server runs in: nothing of the caller's HOME, npm or editor. */
function serverEnv(install, dirs) {
  return {
    PATH: `${join(install.nodeHome, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    XDG_STATE_HOME: dirs.xdgState,
    XDG_RUNTIME_DIR: dirs.xdgRuntime,
    LANG: 'C.UTF-8',
    SHELL: '/bin/bash',
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  };
}

function commonArgs(dirs) {
  return ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** Installs the .vsix with code-server's own CLI and returns the installed folder. */
export function installVsix(install, dirs, vsix) {
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  const r = spawnSync(install.nodeBin, [install.entry, ...commonArgs(dirs), '--install-extension', vsix], {
    env: serverEnv(install, dirs),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
  const prefix = `${extensionId}-${manifest.version}`.toLowerCase();
  const dir = readdirSync(dirs.extensions).find((n) => n.toLowerCase().startsWith(prefix));
  if (!dir) throw new Error(`the .vsix installed, but ${dirs.extensions} has no ${prefix}* folder:\n${r.stdout}`);
  return join(dirs.extensions, dir);
}

/** Copies a sample project into the run's workspace folder and returns its path. */
export function copyWorkspace(src, dirs, name) {
  const dest = join(dirs.workspace, name);
  cpSync(src, dest, { recursive: true, filter: (p) => !/\/(\.mlops|data|models|reports|__pycache__)$/.test(p) });
  return dest;
}

/**
 * Starts code-server on `port`, else MLOPS_E2E_PORT, else a free loopback port, and waits
 * for it to answer. Workspace trust is disabled unless `workspaceTrust` (pair it with
 * RESTRICTED_MODE_SETTINGS in makeRunDirs); `reconnectionGraceSeconds` is how long the
 * extension host of a closed window stays. The returned handle's stop() kills the process
 * group and waits for the port to be released.
 */
export async function startCodeServer(install, dirs, { logFile, port: wanted, workspaceTrust = false, reconnectionGraceSeconds }) {
  const port = wanted ?? (process.env.MLOPS_E2E_PORT ? Number(process.env.MLOPS_E2E_PORT) : await freePort());
  await assertPortFree(port);
  writeFileSync(dirs.config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    install.entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    ...(reconnectionGraceSeconds === undefined ? [] : ['--reconnection-grace-time', String(reconnectionGraceSeconds)]),
    ...commonArgs(dirs),
  ];
  const proc = startGroup(install.nodeBin, args, { env: serverEnv(install, dirs), cwd: dirs.home, logFile, name: 'code-server' });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, { timeout: 60_000, process: proc, logFile });
  return {
    url,
    port,
    proc,
    async stop() {
      await proc.stop();
      await waitFor(async () => !(await portAnswers(port)), { timeout: 10_000, what: `port ${port} to be released after stopping code-server` });
    },
  };
}

/** Removes a run folder unless MLOPS_E2E_KEEP asks to keep it for inspection. */
export function removeRunDirs(dirs, log) {
  if (process.env.MLOPS_E2E_KEEP) {
    log(`kept run folder ${dirs.root} (MLOPS_E2E_KEEP)`);
    return;
  }
  rmSync(dirs.root, { recursive: true, force: true });
}
