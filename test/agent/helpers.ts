import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { RunEvent } from '../../core/src/protocol/agent';
import * as rpc from '../../core/src/node';
import { tempDir, writeTree } from '../files';
import { waitFor } from '../wait';

// Compiled to out/test/agent/, so the repository root is three levels up.
export const repoRoot = path.resolve(__dirname, '../../..');
const agentBundle = path.join(repoRoot, 'dist', 'agent.js');

/** A Node that has node:sqlite: this one, or the Node 24 the project installs. */
export const node = (() => {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  if (major > 22 || (major === 22 && minor >= 13)) return process.execPath;
  return path.join(path.dirname(require.resolve('node/package.json')), 'bin', 'node');
})();

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const spawned = new Set<ChildProcess>();

/** Starts the bundled `mlops` (the agent process itself, no wrapper) in `cwd`. */
export function spawnMlops(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  if (!fs.existsSync(agentBundle)) throw new Error(`${agentBundle} is missing; run npm run build first.`);
  const child = spawn(node, [agentBundle, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: [stdin, 'pipe', 'pipe'] });
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  return child;
}

/** For afterEach: a failed test must not leave an agent (and its tasks) running. */
export function stopSpawned(): void {
  for (const child of spawned) {
    child.kill('SIGTERM');
    // An agent ends when its client goes away (SIGTERM only cancels its runs).
    child.stdin?.end();
  }
  spawned.clear();
}

/** Collects a child's output and waits for it to exit. */
export function finished(child: ChildProcess): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function mlops(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return finished(spawnMlops(args, cwd, env));
}

const projects: (() => void)[] = [];

/** A fresh folder holding the given files (paths relative to it); removed by `removeProjects`. */
export function project(files: Record<string, string>): string {
  const { dir, cleanup } = tempDir('mlops-agent-');
  projects.push(cleanup);
  writeTree(dir, files);
  return dir;
}

/** For after(): removes the folders `project` made. */
export function removeProjects(): void {
  for (const cleanup of projects.splice(0)) cleanup();
}

export { waitFor } from '../wait';

/** Whether the process still runs: it exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie runs nothing: it only waits for its parent (init, for an orphan) to reap it,
  // which a busy machine may do seconds later.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return !fs.existsSync('/proc/self'); // gone since the signal, unless there is no /proc to ask
  }
}

/** Reads a pid a task wrote, once it is there. */
export function readPid(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export interface RunJson {
  id: string;
  pipeline: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  params: Record<string, unknown>;
  tasks: { id: string; status: string; attempts: number; exitCode: number | null; durationMs: number | null; cached: boolean; fingerprint: string | null }[];
}

export function parseRun(stdout: string): RunJson {
  return JSON.parse(stdout) as RunJson;
}

export function task(run: RunJson, id: string): RunJson['tasks'][number] {
  const t = run.tasks.find((x) => x.id === id);
  if (!t) throw new Error(`run ${run.id} has no task ${id}: ${JSON.stringify(run.tasks)}`);
  return t;
}

/**
 * Runs `mlops` and waits at most `ms` for it to exit; past that it is killed and the test
 * fails naming the command (a hang is the failure these tests look for).
 */
export async function mlopsWithin(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, ms = 20_000): Promise<Result> {
  const child = spawnMlops(args, cwd, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const r = await finished(child);
  clearTimeout(timer);
  if (r.signal === 'SIGKILL') throw new Error(`mlops ${args.join(' ')} did not end within ${ms} ms; stdout: ${r.stdout.slice(0, 500)} stderr: ${r.stderr.slice(0, 500)}`);
  return r;
}

/** `mlops agent --stdio` in `dir`, connected: requests go through `conn`; run events collect in `events`. */
export function connectAgent(dir: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawnMlops(['agent', '--stdio'], dir, env, 'pipe');
  const exit = finished(child);
  const conn: MessageConnection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const events: RunEvent[] = [];
  conn.onNotification(rpc.RunEventNotification, ({ event }) => {
    events.push(event);
  });
  conn.listen();
  const ended = (runId: string, ms?: number) => waitFor(`run ${runId} to finish`, () => events.find((e) => e.type === 'run-finished' && e.runId === runId) as Extract<RunEvent, { type: 'run-finished' }> | undefined, ms);
  return { child, exit, conn, events, ended };
}
