import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeCanRunAgent } from '../../client/src/agent/launch';
import { defaultShimDir, installShim, onPath, pickNode, readShim, shimText, uninstallShim } from '../../client/src/cli/shim';
import { tempDir, writeTree } from '../files';

const posix = process.platform !== 'win32';

describe("client: the 'mlops' command on PATH (shim)", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('mlops-shim-')));
  afterEach(() => cleanup());

  /** A stand-in CLI in a folder whose name needs quoting: prints its arguments and the environment it got, exits 3. */
  function fakeCli(): string {
    const cli = path.join(dir, "ext 'v2' $HOME", 'dist', 'agent.js');
    writeTree(path.dirname(cli), {
      'agent.js': 'console.log(JSON.stringify({ args: process.argv.slice(2), electron: process.env.ELECTRON_RUN_AS_NODE, cache: !!process.env.NODE_COMPILE_CACHE })); process.exit(3);',
    });
    return cli;
  }

  it('runs the bundled CLI with the chosen Node, passing every argument through and keeping the exit code', async function () {
    if (!posix) this.skip();
    const cli = fakeCli();
    const bin = path.join(dir, 'bin');
    const done = await installShim(bin, { node: process.execPath, cli }, { PATH: `/usr/bin:${bin}` }, 'linux');
    assert.deepEqual(done, { file: path.join(bin, 'mlops'), onPath: true });
    assert.equal(fs.statSync(done.file).mode & 0o111, 0o111, 'executable');
    const r = spawnSync(done.file, ['run', 'a b.pipeline.yaml', "it's", '$x', '*'], { encoding: 'utf8' });
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { args: ['run', 'a b.pipeline.yaml', "it's", '$x', '*'], electron: '1', cache: true });
  });

  it('says what to do when the extension it points to is gone', async function () {
    if (!posix) this.skip();
    const bin = path.join(dir, 'bin');
    const { file } = await installShim(bin, { node: process.execPath, cli: path.join(dir, 'gone', 'agent.js') }, {}, 'linux');
    const r = spawnSync(file, ['--version'], { encoding: 'utf8' });
    assert.equal(r.status, 127);
    assert.match(r.stderr, /^mlops: the MLOps Workbench extension this command points to is gone \(.*gone\/agent\.js\); run "MLOps: Install 'mlops' Command in PATH" again\.\n$/);
  });

  it('reads back what a shim runs, on both platforms, and ignores files it did not write', () => {
    const target = { node: "/opt/it's node/bin/node", cli: '/home/u/.vscode/extensions/x-0.1.0/dist/agent.js' };
    assert.deepEqual(readShim(shimText(target, 'linux')), target);
    const win = { node: 'C:\\Program Files\\nodejs\\node.exe', cli: 'C:\\Users\\u\\.vscode\\extensions\\x\\dist\\agent.js' };
    assert.deepEqual(readShim(shimText(win, 'win32')), win);
    assert.equal(readShim('#!/bin/sh\nexec node mlops "$@"\n'), undefined);
  });

  it('replaces its own earlier shim but never another program called mlops', async () => {
    const bin = path.join(dir, 'bin');
    writeTree(bin, { mlops: '#!/bin/sh\necho someone else\n' });
    await assert.rejects(installShim(bin, { node: 'node', cli: '/a/agent.js' }, {}, 'linux'), {
      message: `${path.join(bin, 'mlops')} already exists and was not installed by MLOps Workbench; remove or rename it, or pick another folder.`,
    });
    assert.equal(await uninstallShim(bin, 'linux'), false);
    assert.equal(fs.readFileSync(path.join(bin, 'mlops'), 'utf8'), '#!/bin/sh\necho someone else\n');

    fs.rmSync(path.join(bin, 'mlops'));
    await installShim(bin, { node: 'node', cli: '/a/agent.js' }, {}, 'linux');
    await installShim(bin, { node: 'node', cli: '/b/agent.js' }, {}, 'linux');
    assert.equal(readShim(fs.readFileSync(path.join(bin, 'mlops'), 'utf8'))?.cli, '/b/agent.js');
    assert.deepEqual(fs.readdirSync(bin), ['mlops'], 'no temporary file left behind');
    assert.equal(await uninstallShim(bin, 'linux'), true);
    assert.deepEqual(fs.readdirSync(bin), []);
  });

  it('tells whether a folder is on PATH, and installs per user by default', () => {
    assert.equal(onPath('/home/u/.local/bin', { PATH: '/usr/bin:/home/u/.local/bin/' }, 'linux'), true);
    assert.equal(onPath('/home/u/.local/bin', { PATH: '/usr/bin:/home/u/bin' }, 'linux'), false);
    assert.equal(onPath('/home/u/.local/bin', {}, 'linux'), false);
    assert.equal(defaultShimDir('/home/u', 'linux'), '/home/u/.local/bin');
  });

  it('picks the first node on PATH that can run the agent, else the fallback runtime', async function () {
    if (!posix) this.skip();
    const old = path.join(dir, 'old');
    const good = path.join(dir, 'good');
    writeTree(old, { node: '#!/bin/sh\necho 20.11.1\n' });
    writeTree(good, { node: `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} "$@"\n` });
    fs.chmodSync(path.join(old, 'node'), 0o755);
    fs.chmodSync(path.join(good, 'node'), 0o755);
    const expected = nodeCanRunAgent(process.versions.node) ? path.join(good, 'node') : '/fallback';
    assert.equal(await pickNode('/fallback', { PATH: `${path.join(dir, 'none')}:${old}:${good}` }, 'linux'), expected);
    assert.equal(await pickNode('/fallback', { PATH: old }, 'linux'), '/fallback');
  });
});
