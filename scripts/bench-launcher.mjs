#!/usr/bin/env node
// node scripts/bench-launcher.mjs [N] [REPS] [launcher.js...] — the bash launcher on its own:
// N no-op tasks (`true`, as plainCommand gives it), 2 at a time, driven through the Launcher
// class the way the local executor drives it (two log lanes, MLOPS_RUN_ID and MLOPS_TASK in
// the environment, the next task sent when one ends), next to `make -j2` running N
// independent `true` recipes; turns within each repetition, medians. Also reports the CPU
// time of the launcher processes and of the tasks they reaped, per task (from /proc; Linux only).
// Give other compiled launcher.js files to compare them in the same run. ARGV="touch x" makes
// every task (and make's recipe) that command instead of `true`. Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { median } from './bench-util.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const N = Number(process.argv[2] ?? 1000);
const REPS = Number(process.argv[3] ?? 7);
const modules = process.argv.slice(4).length ? process.argv.slice(4) : [path.join(root, 'out/agent/src/execute/launcher.js')];
const JOBS = 2;
const ARGV = (process.env.ARGV ?? 'true').split(' ');
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-launcher-'));
const mk = path.join(work, 'bench.mk');
const targets = Array.from({ length: N }, (_, i) => `t${i}`);
fs.writeFileSync(mk, `.PHONY: all ${targets.join(' ')}\nall: ${targets.join(' ')}\n${targets.map((t) => `${t}:\n\t${ARGV.join(' ')}\n`).join('')}`);

function runMake() {
  const start = process.hrtime.bigint();
  const r = spawnSync('make', ['-s', '-f', mk, `-j${JOBS}`], { cwd: work, stdio: 'ignore' });
  if (r.status !== 0) throw new Error('make failed');
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function runLauncher(mod) {
  const { Launcher } = require(mod);
  return new Promise((resolve, reject) => {
    const launcher = new Launcher('/bin/bash');
    const lanes = [path.join(work, '.lane-0.log'), path.join(work, '.lane-1.log')];
    const free = [...lanes];
    let sent = 0;
    let done = 0;
    const start = process.hrtime.bigint();
    const next = () => {
      const lane = free.pop();
      const i = sent++;
      const refused = launcher.launch(
        { workdir: work, log: lane, argv: ARGV, env: { MLOPS_RUN_ID: 'r-bench', MLOPS_TASK: `t${i}` } },
        {
          started: () => undefined,
          lost: (reason) => reject(new Error(`task ${i} lost: ${reason}`)),
          ended: (status) => {
            if (status !== 0) reject(new Error(`task ${i} ended with ${status}`));
            free.push(lane);
            if (++done === N) {
              const ms = Number(process.hrtime.bigint() - start) / 1e6;
              // CPU of the launcher processes and the tasks they have reaped (utime, stime, cutime, cstime).
              let cpu = 0;
              for (const pid of launcher.pids ?? [launcher.child.pid]) {
                const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
                const f = stat
                  .slice(stat.lastIndexOf(')') + 2)
                  .split(' ')
                  .map(Number);
                cpu += ((f[11] + f[12] + f[13] + f[14]) * 1000) / TICKS;
              }
              launcher.close();
              resolve({ ms, cpu });
            } else if (sent < N) {
              next();
              launcher.flush();
            }
          },
        },
      );
      // null when queued (false from launchers before the reason was returned)
      if (refused === false || typeof refused === 'string') reject(new Error(`not queued: ${refused}`));
    };
    for (let j = 0; j < JOBS && sent < N; j++) next();
    launcher.flush();
  });
}

const times = { make: [] };
const cpus = {};
for (const m of modules) {
  times[m] = [];
  cpus[m] = [];
}
try {
  for (let rep = 0; rep < REPS; rep++) {
    times.make.push(runMake());
    for (const m of modules) {
      const r = await runLauncher(m);
      times[m].push(r.ms);
      cpus[m].push(r.cpu);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`${N} tasks (${ARGV.join(' ')}), ${JOBS} at a time, median of ${REPS} (ms); load ${os.loadavg()[0].toFixed(2)}`);
for (const [name, xs] of Object.entries(times)) {
  const med = median(xs);
  const cpu = cpus[name] ? `  launcher CPU ${(median(cpus[name]) / N).toFixed(3)} ms/task` : '';
  console.log(
    `${med.toFixed(0).padStart(6)} ms  ${(med / N).toFixed(3)} ms/task  ${(med / median(times.make)).toFixed(2)}x make${cpu}  ${name === 'make' ? 'make -j2' : path.relative(process.cwd(), name)}  [${xs.map((x) => x.toFixed(0)).join(' ')}]`,
  );
}
