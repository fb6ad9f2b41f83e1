import { spawn } from 'node:child_process';
import { agentCommand, runtimeRefusal, type AgentCommand } from '../agent/launch';

/** How to start the bundled `mlops` agent as a command-line program. */
export interface AgentLauncher {
  /** The Node executable and the arguments that come before the mlops sub-command. */
  command(): AgentCommand;
  /** The runtime's version, checked before each call (the agent needs node:sqlite). */
  runtime?: string;
}

/** Runs the agent's own Node bundle with the extension host's runtime (agentCommand), with `extraEnv` added. */
export function bundledAgent(agentScript: string, extraEnv: () => NodeJS.ProcessEnv = () => ({})): AgentLauncher {
  return { command: () => agentCommand(agentScript, { env: { ...process.env, ...extraEnv() } }) };
}

/** What one CLI call printed. */
export interface CliOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mlops ARGS…` in `cwd` and collects its output; never rejects for a non-zero exit. `signal` stops it (cancellation). */
export function runAgent(launcher: AgentLauncher, args: string[], cwd: string, timeoutMs = 60_000, signal?: AbortSignal): Promise<CliOutput> {
  const refused = runtimeRefusal(launcher.runtime ?? process.versions.node);
  if (refused) return Promise.resolve({ code: null, stdout: '', stderr: refused });
  const { file, args: pre, env } = launcher.command();
  return new Promise((resolve) => {
    const child = spawn(file, [...pre, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, ...(signal ? { signal } : {}) });
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => errs.push(b));
    child.on('error', (e) => resolve({ code: null, stdout: '', stderr: `cannot start the mlops agent: ${e.message}` }));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8') }));
  });
}

/** Runs a command that prints JSON (`--format json` is added) and parses it; the error is the CLI's own message. */
export async function agentJson<T>(launcher: AgentLauncher, args: string[], cwd: string): Promise<T> {
  const r = await runAgent(launcher, [...args, '--format', 'json'], cwd);
  if (r.code !== 0 && !(r.code === 1 && r.stdout.trim().startsWith('{'))) {
    throw new Error(r.stderr.trim().split('\n')[0] || `mlops ${args.join(' ')} exited with ${r.code}`);
  }
  return JSON.parse(r.stdout) as T;
}
