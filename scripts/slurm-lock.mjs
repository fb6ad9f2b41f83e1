// The lock of the machine's one Slurm test cluster (scripts/slurm-up.sh), its readiness check
// and a log of the Slurm commands a program runs, for the unit tests (through
// test/agent/slurm-cluster.ts), the e2e check and `npm run bench:slurm`. Test runs of several
// working copies at once would otherwise queue behind each other's jobs, and the outage test
// stops the controller under everyone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CLUSTER_LOCK = '/tmp/mlops-slurm.lock';

/**
 * Waits (up to `deadlineMs`) for the lock and resolves with its release. `flock` holds it;
 * if this process dies, its pipe closes and the lock goes with it.
 */
export async function holdCluster(deadlineMs, onWait) {
  const child = spawn('flock', ['--exclusive', CLUSTER_LOCK, 'sh', '-c', 'echo held; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('close', resolve));
  const held = new Promise((resolve) => {
    child.stdout.on('data', (d) => d.toString().includes('held') && resolve(true));
    child.once('close', () => resolve(false));
    child.once('error', () => resolve(false));
  });
  const waiting = setTimeout(onWait, 1000);
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
  const got = await Promise.race([held, late]);
  clearTimeout(waiting);
  clearTimeout(timer);
  if (!got) {
    child.kill();
    await exited;
    throw new Error(`the Slurm test cluster stayed in use by another run for ${Math.round(deadlineMs / 60_000)} min (lock ${CLUSTER_LOCK}; see who holds it with: fuser -v ${CLUSTER_LOCK})`);
  }
  return async () => {
    child.stdin.end();
    await exited;
  };
}

/** Why the cluster cannot be used, or undefined when `sinfo` reports both nodes up. */
export function clusterProblem() {
  const r = spawnSync('sinfo', ['-h', '-N', '-o', '%N %T'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return `sinfo cannot run (${r.error.code ?? r.error.message})`;
  if (r.status !== 0) return `sinfo failed: ${(r.stderr ?? '').trim()}`;
  const up = (r.stdout ?? '').split('\n').filter((l) => /^n[12] (idle|mixed|allocated|completing)/.test(l));
  return up.length === 2 ? undefined : `the test cluster's nodes n1 and n2 are not both up (sinfo: ${(r.stdout ?? '').trim() || 'nothing'})`;
}

/**
 * Why the cluster cannot be used after waiting up to `ms` for it, or undefined once both
 * nodes are up. Call it holding the lock: a node re-registering after another run's
 * controller restart comes back within seconds. Without Slurm installed it answers at once.
 */
export async function clusterReady(ms = 60_000) {
  let problem = clusterProblem();
  for (const until = Date.now() + ms; problem && !problem.startsWith('sinfo cannot run') && Date.now() < until; problem = clusterProblem()) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return problem;
}

/**
 * Wrappers in `dir`/bin that log each of `commands` (time in ms, name, arguments) to
 * `dir`/calls.log and run the real one; `env` is this process's environment with them first
 * on PATH. A command not installed gets no wrapper.
 */
export function commandLog(dir, commands) {
  const file = join(dir, 'calls.log');
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const c of commands) {
    const real = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' }).stdout.trim();
    if (!real) continue;
    writeFileSync(join(bin, c), `#!/bin/sh\nprintf '%s %s %s\\n' "$(date +%s%3N)" ${c} "$*" >> '${file}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  }
  return {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    reset: () => rmSync(file, { force: true }),
    calls: () =>
      (existsSync(file) ? readFileSync(file, 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [at, command, ...args] = l.split(' ');
          return { at: Number(at), command, args: args.join(' ') };
        }),
  };
}
