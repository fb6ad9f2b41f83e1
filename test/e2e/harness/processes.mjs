// Starting and stopping the processes of a run. Each server runs in its own session and
// process group (spawn with detached: true calls setsid), so stopping kills the group:
// code-server, its extension host, the language server and anything they started.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { waitFor } from './wait.mjs';

const cleanups = [];
let exiting = false;

/** Registers `fn` to run when the run ends, however it ends; last registered runs first. */
export function onCleanup(fn) {
  cleanups.push(fn);
}

/** Runs every registered clean-up once, in reverse order, ignoring their errors. */
export async function cleanupAll() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (e) {
      console.error(`e2e: clean-up failed: ${e.message}`);
    }
  }
}

/** On Ctrl+C, termination or a crash, clean up before exiting. */
export function installExitHandlers() {
  const bail = (code, why) => {
    if (exiting) return;
    exiting = true;
    if (why) console.error(`e2e: ${why}; stopping everything this run started`);
    cleanupAll().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => bail(130, 'interrupted'));
  process.on('SIGTERM', () => bail(143, 'terminated'));
  process.on('SIGHUP', () => bail(129, 'hang-up'));
  process.on('uncaughtException', (e) => {
    console.error(e);
    bail(1, 'uncaught exception');
  });
  process.on('unhandledRejection', (e) => {
    console.error(e);
    bail(1, 'unhandled rejection');
  });
  // Last resort for a synchronous exit: kill the groups without waiting.
  process.on('exit', () => {
    for (const g of liveGroups) killGroupNow(g, 'SIGKILL');
  });
}

const liveGroups = new Set();

function killGroupNow(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * Starts `cmd` as the leader of a new session and process group, with output appended
 * to `logFile`. Returns a handle whose stop() kills the whole group (TERM, then KILL).
 */
export function startGroup(cmd, args, { env, cwd, logFile, name }) {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  liveGroups.add(pgid);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exit;
  const exited = new Promise((r) =>
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      r(exit);
    }),
  );
  const handle = {
    pid: pgid,
    name,
    /** The exit status once the leader has exited, else undefined. */
    get exit() {
      return exit;
    },
    exited,
    async stop({ graceMs = 3000 } = {}) {
      if (!liveGroups.has(pgid)) return;
      killGroupNow(pgid, 'SIGTERM');
      try {
        await waitFor(() => !groupAlive(pgid), { timeout: graceMs, interval: 50, what: `${name} to exit` });
      } catch {
        killGroupNow(pgid, 'SIGKILL');
        await waitFor(() => !groupAlive(pgid), { timeout: 5000, interval: 50, what: `${name} (process group ${pgid}) to die after SIGKILL` });
      }
      liveGroups.delete(pgid);
      log.end();
    },
  };
  onCleanup(() => handle.stop());
  return handle;
}

/** True when something accepts connections on 127.0.0.1:port. */
export function portAnswers(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** A port the kernel considers free on loopback and that nothing answers on. */
export async function freePort() {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address();
        srv.close(() => resolve(p));
      });
    });
    if (!(await portAnswers(port))) return port;
  }
  throw new Error('found no free port on 127.0.0.1 after 20 tries');
}

/**
 * Fails when the port is taken: a stale server from an earlier run would otherwise
 * answer this run's requests with its own, old extension.
 */
export async function assertPortFree(port) {
  if (await portAnswers(port)) {
    throw new Error(`port ${port} on 127.0.0.1 already answers; stop the process that holds it (\`ss -ltnp 'sport = :${port}'\` shows it) or pick another port.`);
  }
}

/** Waits until an HTTP GET of `url` answers with a status below 500. */
export async function waitForHttp(url, { timeout, process: proc, logFile }) {
  await waitFor(
    async () => {
      if (proc?.exit) {
        throw Object.assign(new Error(`${proc.name} exited (${JSON.stringify(proc.exit)}) before answering; see ${logFile}`), { fatal: true });
      }
      try {
        const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
        return res.status < 500;
      } catch {
        return false;
      }
    },
    { timeout, interval: 200, what: `${url} to answer`, describe: () => (proc?.exit ? `${proc.name} exited ${JSON.stringify(proc.exit)}; see ${logFile}` : `no answer; see ${logFile}`) },
  );
}

/**
 * Records a started process group in `runsDir`, so a later run can stop it if this one
 * was killed too hard to clean up (SIGKILL, a lost machine session).
 */
export function recordGroup(runsDir, info) {
  mkdirSync(runsDir, { recursive: true });
  const file = join(runsDir, `${info.pgid}.json`);
  writeFileSync(file, JSON.stringify({ ...info, driverPid: process.pid }));
  onCleanup(() => rmSync(file, { force: true }));
}

/** Stops process groups left by runs whose driver is gone, and removes their folders. */
export function reapStaleGroups(runsDir, log) {
  if (!existsSync(runsDir)) return;
  for (const name of readdirSync(runsDir)) {
    const file = join(runsDir, name);
    let info;
    try {
      info = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    let driverAlive = true;
    try {
      process.kill(info.driverPid, 0);
    } catch (e) {
      driverAlive = e.code === 'EPERM';
    }
    if (driverAlive) continue;
    if (groupAlive(info.pgid)) {
      log(`stopping process group ${info.pgid} left by an earlier run (driver ${info.driverPid} is gone)`);
      killGroupNow(info.pgid, 'SIGKILL');
    }
    if (info.root) rmSync(info.root, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}
