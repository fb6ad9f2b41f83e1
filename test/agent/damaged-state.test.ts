import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mlops, parseRun, project, removeProjects, stopSpawned } from './helpers';

const PIPELINE = "version: 1\nname: p\ntasks:\n  a: {run: 'echo hello', cache: false}\n";

/** Runs `mount` with these arguments; false when this machine does not let us (not root, no CAP_SYS_ADMIN). */
function mount(...args: string[]): boolean {
  return spawnSync('mount', args, { stdio: 'ignore' }).status === 0;
}
function umount(dir: string): void {
  spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A project with one finished run in its state folder. */
async function withHistory(): Promise<{ dir: string; db: string; runId: string }> {
  const dir = project({ 'p.pipeline.yaml': PIPELINE });
  const r = await mlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir);
  assert.equal(r.code, 0, r.stderr);
  return { dir, db: path.join(dir, '.mlops', 'state.db'), runId: parseRun(r.stdout).id };
}

describe('damaged or unwritable state: one sentence naming the file and what to do (real processes)', function () {
  this.timeout(60_000);
  const mounted: string[] = [];
  after(removeProjects);
  afterEach(() => {
    stopSpawned();
    for (const m of mounted.splice(0)) umount(m);
  });

  it('garbage in state.db', async () => {
    const dir = project({ 'p.pipeline.yaml': PIPELINE });
    const db = path.join(dir, '.mlops', 'state.db');
    fs.mkdirSync(path.dirname(db));
    fs.writeFileSync(db, 'this is not a database\n'.repeat(500));
    const expected = `${db} is not an SQLite database (it was overwritten or damaged); move it aside (mv ${db} ${db}.broken) to start a new history, or restore it from a backup.\n`;
    for (const [cmd, ...rest] of [
      ['runs', 'list'],
      ['run', 'p.pipeline.yaml'],
      ['models', 'list'],
    ] as const) {
      const r = await mlops([cmd, ...rest], dir);
      assert.deepEqual([r.code, r.stderr], [2, `mlops ${cmd}: ${expected}`], `mlops ${cmd}`);
    }
  });

  it('a damaged page', async () => {
    const { dir, db } = await withHistory();
    // Page 2 onwards holds the tables: overwrite the middle of the file.
    const size = fs.statSync(db).size;
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.alloc(Math.min(8192, size - 4096), 0xa5), 0, undefined, 4096);
    fs.closeSync(fd);
    const r = await mlops(['runs', 'list'], dir);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `mlops runs: ${db} is damaged (database disk image is malformed); save what it still holds with sqlite3 ${db} .recover > recovered.sql, then move it aside (mv ${db} ${db}.broken) to start a new history.\n`,
    );
  });

  it('a 0-byte database in a folder with run logs is not read as an empty history', async () => {
    const { dir, db } = await withHistory();
    fs.truncateSync(db, 0);
    for (const f of ['-wal', '-shm']) fs.rmSync(db + f, { force: true });
    const r = await mlops(['runs', 'list', '--format', 'json'], dir);
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [
        2,
        '',
        `mlops runs: ${db} is empty (0 bytes) although ${path.join(dir, '.mlops', 'runs')} holds run logs: its history is gone, probably cut short by a full disk or a crash; move it aside (mv ${db} ${db}.empty) to start a new history.\n`,
      ],
    );
    assert.equal(fs.statSync(db).size, 0, 'nothing was written into it');
  });

  it('a read-only state folder still lists runs and models; a run says why it cannot start', async function () {
    const { dir, runId } = await withHistory();
    const state = path.join(dir, '.mlops');
    if (!mount('--bind', state, state) || (mounted.push(state), !mount('-o', 'remount,ro,bind', state))) {
      console.log('      (skipped: mounting is not allowed here; a read-only folder cannot be made for root otherwise)');
      this.skip();
    }
    assert.throws(() => fs.writeFileSync(path.join(state, 'probe'), ''), /EROFS/);
    const list = await mlops(['runs', 'list', '--format', 'json'], dir);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { id: string }[]).map((x) => x.id),
      [runId],
    );
    const models = await mlops(['models', 'list', '--format', 'json'], dir);
    assert.equal(models.code, 0, models.stderr);
    const run = await mlops(['run', 'p.pipeline.yaml'], dir);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      new RegExp(`^mlops run: ${state.replace(/[.]/g, '\\.')} cannot be written \\([^)]*\\); runs and model changes are recorded there: make it writable or pass --state-dir DIR \\(reading it still works\\)\\.\\n$`),
    );
  });

  it('a full disk: a run that fills it stops saying so, reading still works, a new run is refused, and with room again --resume finishes', async function () {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: full
tasks:
  # The first time, fills the disk the state folder is on, as a task writing too much would.
  a: {run: '[ -f .mlops/filled ] || { touch .mlops/filled; cat /dev/zero > .mlops/fill 2>/dev/null; }; true'}
  b: {needs: [a], run: 'echo b > b.txt', outputs: [b.txt]}
`,
    });
    const state = path.join(dir, '.mlops');
    fs.mkdirSync(state);
    if (!mount('-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', state)) {
      console.log('      (skipped: mounting a small tmpfs is not allowed here)');
      this.skip();
    }
    mounted.push(state);
    const db = path.join(state, 'state.db');
    const fullMessage = `Cannot write ${db}: the disk is full; free some space, then run the command again (mlops run --resume last finishes an interrupted run).`;
    const full = await mlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir);
    assert.equal(full.code, 1, full.stderr);
    assert.match(full.stderr, new RegExp(`^mlops run: run \\S+ stopped: ${escape(fullMessage)}\\n$`));
    // Reading works on the full disk; a new run is refused before it starts anything.
    const list = await mlops(['runs', 'list', '--format', 'json'], dir);
    assert.equal(list.code, 0, list.stderr);
    assert.equal((JSON.parse(list.stdout) as unknown[]).length, 1);
    const refused = await mlops(['run', 'p.pipeline.yaml'], dir);
    assert.deepEqual([refused.code, refused.stderr], [2, `mlops run: ${fullMessage}\n`]);
    // With room again, the interrupted run is finished.
    fs.rmSync(path.join(state, 'fill'));
    const resumed = await mlops(['run', 'p.pipeline.yaml', '--resume', 'last', '--format', 'json'], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    const tasks = parseRun(resumed.stdout).tasks;
    assert.deepEqual(
      tasks.map((t) => t.id),
      ['a', 'b'],
    );
    assert.ok(
      tasks.every((t) => t.status === 'succeeded' || t.status === 'cached'),
      JSON.stringify(tasks),
    );
    assert.equal(fs.readFileSync(path.join(dir, 'b.txt'), 'utf8'), 'b\n');
  });
});
