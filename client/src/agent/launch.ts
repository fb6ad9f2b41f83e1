import * as path from 'node:path';

/** node:sqlite, which the agent's run history needs, arrived unflagged in Node 22.13; VS Code 1.101 (the manifest's floor) runs Node 22.15. */
export const MIN_AGENT_NODE: readonly [number, number] = [22, 13];

/** True when a Node version (`process.versions.node`, e.g. "22.15.1") can run the agent. */
export function nodeCanRunAgent(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const [needMajor, needMinor] = MIN_AGENT_NODE;
  return major > needMajor || (major === needMajor && minor >= needMinor);
}

/** Null when the editor's runtime can run the agent, else the one sentence that says why not. */
export function runtimeRefusal(version: string): string | null {
  if (nodeCanRunAgent(version)) return null;
  return `The MLOps agent needs Node ${MIN_AGENT_NODE.join('.')} or later (for node:sqlite), but this editor's runtime is Node ${version}. Update VS Code to use it here, or run \`mlops\` in a terminal with a newer Node.`;
}

/** The bundled agent run by the extension host's runtime: the executable, the arguments before the sub-command, the environment. */
export interface AgentCommand {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * `<runtime> dist/agent.js`: with ELECTRON_RUN_AS_NODE set, VS Code's Electron binary behaves
 * as plain Node, so no separate Node install is needed. The one place both the long-lived
 * agent and the CLI calls of the catalog and dev container commands are started from.
 */
export function agentCommand(script: string, o: { execPath?: string; env?: NodeJS.ProcessEnv } = {}): AgentCommand {
  return { file: o.execPath ?? process.execPath, args: [script], env: { ...(o.env ?? process.env), ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' } };
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
 * `mlops agent --stdio` for a workspace folder (see agentCommand). The state folder is the
 * folder's `.mlops`, the same one `mlops run` in a terminal uses, so both see one history.
 */
export function agentLaunch(o: AgentLaunchOptions): AgentLaunch {
  const stateDir = path.join(o.folder, '.mlops');
  const c = agentCommand(o.script, o);
  return { ...c, args: [...c.args, 'agent', '--stdio', '--state-dir', stateDir], cwd: o.folder, stateDir };
}
