#!/usr/bin/env node
// npm run bench:cli — how long `mlops --version` takes to start, called the ways a user can
// call it: `npx mlops` (the anchor: npm resolves the package before the program runs), the
// checkout's bin/mlops.js, the command that "MLOps: Install 'mlops' Command in PATH" puts
// on PATH (made here by the same code, client/src/cli/shim.ts, pointing at dist/agent.js),
// and the packed CLI installed with `npm install -g` (scripts/pack-cli.mjs) into a temporary
// prefix. The ways take turns within each repetition, so machine noise hits them alike;
// the first call of each (which fills V8's compile cache) is not counted. Beside wall time the
// table shows the CPU time each call used (its whole process tree, from this process's
// cutime + cstime in /proc/self/stat, 10 ms ticks averaged over the calls), which a busy
// machine changes much less than wall time.
//
//   REPS=15 npm run bench:cli [-- --json out.json]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenCpuMs, median } from './bench-util.mjs';
import { packCli } from './pack-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPS = Math.max(3, Number(process.env.REPS ?? 15));
const TARGET_MS = 150;
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;
const shimModule = path.join(root, 'out', 'client', 'src', 'cli', 'shim.js');
for (const f of [path.join(root, 'dist', 'agent.js'), shimModule]) {
  if (!fs.existsSync(f)) {
    console.error(`bench:cli: ${path.relative(root, f)} is missing; run npm run build first.`);
    process.exit(2);
  }
}
const { installShim } = createRequire(import.meta.url)(shimModule);
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-cli-'));
// This Node (>= 22.13: npm runs bench scripts with the project's Node 24) comes first on PATH,
// as it would for a user who has one installed; a private cache keeps runs independent.
const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`, npm_config_update_notifier: 'false', NODE_COMPILE_CACHE: path.join(work, 'compile-cache') };
try {
  const shim = await installShim(path.join(work, 'shim-bin'), { node: process.execPath, cli: path.join(root, 'dist', 'agent.js') }, env);
  const prefix = path.join(work, 'prefix');
  const tgz = packCli(work);
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tgz], { encoding: 'utf8', env });
  if (install.status !== 0) throw new Error(`npm install -g of the packed CLI failed: ${install.stderr.trim()}`);
  const ways = [
    { name: 'npx mlops --version', cmd: 'npx', args: ['--no-install', 'mlops', '--version'], target: false },
    { name: 'node bin/mlops.js --version (checkout)', cmd: process.execPath, args: [path.join(root, 'bin', 'mlops.js'), '--version'], target: false },
    { name: "mlops --version (Install 'mlops' Command in PATH)", cmd: shim.file, args: ['--version'], target: true },
    { name: 'mlops --version (npm install -g mlops-cli-*.tgz)', cmd: path.join(prefix, 'bin', 'mlops'), args: ['--version'], target: true },
  ];
  for (const w of ways) {
    w.times = [];
    w.cpu = 0;
    run(w); // fills the compile cache; not counted
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (const w of ways) {
      const cpu0 = childrenCpuMs();
      w.times.push(run(w));
      w.cpu += childrenCpuMs() - cpu0;
    }
  }
  const anchor = median(ways[0].times);
  const lines = [
    `\`mlops --version\` start to exit, ${REPS} calls each, taking turns (median, min–max); node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`,
    '',
    '| way | median ms | min–max ms | vs npx | CPU ms per call | target |',
    '|---|---:|---:|---:|---:|---|',
  ];
  const verdicts = [];
  for (const w of ways) {
    const m = median(w.times);
    lines.push(
      `| ${w.name} | ${m.toFixed(0)} | ${Math.min(...w.times).toFixed(0)}–${Math.max(...w.times).toFixed(0)} | ${(m / anchor).toFixed(2)}× | ${(w.cpu / REPS).toFixed(0)} | ${w.target ? `≤ ${TARGET_MS} ms` : '–'} |`,
    );
    if (w.target) verdicts.push(`${w.name}: ${m.toFixed(0)} ms, target <= ${TARGET_MS} ms: ${m <= TARGET_MS ? 'met' : 'MISSED'}`);
  }
  console.log([...lines, '', ...verdicts].join('\n'));
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ reps: REPS, ways: ways.map((w) => ({ name: w.name, median: median(w.times), times: w.times, cpuMsPerCall: w.cpu / REPS })) }, null, 2));
} catch (err) {
  console.error(`bench:cli: ${err.message}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

/** One call, checked (it must print the version); milliseconds from spawn to exit. */
function run(w) {
  const t = performance.now();
  const r = spawnSync(w.cmd, w.args, { cwd: root, encoding: 'utf8', env });
  const ms = performance.now() - t;
  if (r.status !== 0 || r.stdout.trim() !== version) throw new Error(`${w.name} printed ${JSON.stringify(r.stdout.trim())} (exit ${r.status}): ${r.stderr.trim()}`);
  return ms;
}
