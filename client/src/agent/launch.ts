import * as path from 'node:path';

/** node:sqlite, which the agent's run history needs, arrived unflagged in Node 22.13; VS Code 1.101 (the manifest's floor) runs Node 22.15. */
export const MIN_AGENT_NODE: readonly [number, number] = [22, 13];

/** True when a Node version (`process.versions.node`, e.g. "22.15.1") can run the agent. */
export function nodeCanRunAgent(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const [needMajor, needMinor] = MIN_AGENT_NODE;
  return major > needMajor || (major === needMajor && minor >= needMinor);
}

/** What to spawn for one workspace folder's agent. */
export interface AgentLaunch {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The workspace folder: relative pipeline paths and schedules are read from here. */
  cwd: string;
  /** Where the agent keeps its history, logs and cache. */
  stateDir: string;
}

export interface AgentLaunchOptions {
  /** The bundled agent, `<extensionPath>/dist/agent.js`. */
  script: string;
  folder: string;
  /** The runtime; the extension host's own (Electron run as Node in VS Code, Node in code-server). */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * `mlops agent --stdio` for a workspace folder, run by the extension host's own runtime:
 * with ELECTRON_RUN_AS_NODE set, VS Code's Electron binary behaves as plain Node, so no
 * separate Node install is needed. The state folder is the folder's `.mlops`, the same one
 * `mlops run` in a terminal uses, so both see one history.
 */
export function agentLaunch(o: AgentLaunchOptions): AgentLaunch {
  const stateDir = path.join(o.folder, '.mlops');
  return {
    file: o.execPath ?? process.execPath,
    args: [o.script, 'agent', '--stdio', '--state-dir', stateDir],
    env: { ...(o.env ?? process.env), ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' },
    cwd: o.folder,
    stateDir,
  };
}
