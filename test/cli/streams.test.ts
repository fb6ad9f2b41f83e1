import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mlopsWithin, project, removeProjects, spawnMlops, stopSpawned } from '../agent/helpers';
import { MiB, peakRssOf, rssEnv } from '../hostile';

/** A log this large would take gigabytes if it were held in memory (as text, twice over). */
const LOG_BYTES = 400 * MiB;
/** What streaming it needs: one chunk in flight, with room to spare. */
const RSS_BOUND = 200 * MiB;

/** sha256 of a file, read in pieces (the test process must not hold 400 MB either). */
function sha(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Runs a pipeline and returns the path of task `a`'s log (kept whole: the log limit is raised). */
async function runAndLog(dir: string): Promise<string> {
  const r = await mlopsWithin(['run', 'p.pipeline.yaml', '--log-limit', '1G'], dir, {}, 120_000);
  assert.equal(r.code, 0, r.stderr);
  const runs = fs.readdirSync(path.join(dir, '.mlops', 'runs'));
  return path.join(dir, '.mlops', 'runs', runs[0]!, 'a.log');
}

/** Waits for a child to end, with its stderr; stdout is left to the caller, as bytes. */
async function ended(child: ReturnType<typeof spawnMlops>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stderr };
}

/**
 * Starts `mlops args` and reads its stdout like `head -c bytes`: takes that much, then closes
 * the pipe. Resolves with how the process ended and what it said on stderr.
 */
async function headOf(args: string[], cwd: string, bytes = 100): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; got: number }> {
  const child = spawnMlops(args, cwd);
  let got = 0;
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.on('data', (d: Buffer) => {
    got += d.length;
    if (got >= bytes) child.stdout!.destroy();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const r = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  clearTimeout(timer);
  return { ...r, stderr, got };
}

describe('mlops output: large logs, slow readers, closed pipes, raw bytes', function () {
  this.timeout(180_000);
  after(removeProjects);
  afterEach(stopSpawned);

  let big: { dir: string; log: string };

  before(async () => {
    // Random bytes: anything but UTF-8.
    const dir = project({ 'p.pipeline.yaml': `version: 1\nname: p\ntasks:\n  a: {run: 'head -c ${LOG_BYTES} /dev/urandom'}\n` });
    big = { dir, log: await runAndLog(dir) };
    assert.equal(fs.statSync(big.log).size, LOG_BYTES);
  });

  it('runs logs streams a 400 MB log to a slow reader byte for byte, in bounded memory', async () => {
    const rss = path.join(big.dir, '.rss');
    const child = spawnMlops(['runs', 'logs', 'last', 'a'], big.dir, rssEnv(rss));
    const h = createHash('sha256');
    let n = 0;
    child.stdout!.on('data', (d: Buffer) => {
      h.update(d);
      n += d.length;
      // A slow reader: every chunk, a pause.
      child.stdout!.pause();
      setTimeout(() => child.stdout!.resume(), 1);
    });
    const r = await ended(child);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(n, LOG_BYTES);
    assert.equal(h.digest('hex'), sha(big.log), 'the bytes are the log, unchanged');
    const peak = peakRssOf(rss);
    assert.ok(peak < RSS_BOUND, `peak RSS ${(peak / MiB).toFixed(0)} MB`);
  });

  it('prints bytes that are not UTF-8 exactly as the task wrote them', async () => {
    const dir = project({ 'p.pipeline.yaml': 'version: 1\nname: p\ntasks:\n  a: {run: "printf \'caf\\\\351 \\\\377\\\\376 \\\\000 \\\\200 ok\\\\n\'"}\n' });
    const log = await runAndLog(dir);
    const expected = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe, 0x20, 0x00, 0x20, 0x80, 0x20, 0x6f, 0x6b, 0x0a]);
    assert.deepEqual(fs.readFileSync(log), expected);
    const child = spawnMlops(['runs', 'logs', 'last', 'a'], dir);
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => chunks.push(d));
    const r = await ended(child);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(Buffer.concat(chunks), expected);
  });

  it('runs logs | head ends quietly', async () => {
    const r = await headOf(['runs', 'logs', 'last', 'a'], big.dir);
    assert.deepEqual([r.code, r.signal, r.stderr], [0, null, '']);
  });

  describe('every command that prints a lot ends quietly when its reader goes away', () => {
    let many: string;
    before(async () => {
      // 3,000 tasks, each with a diagnostic (an unused param per task would be one; a need of a missing task is an error).
      const tasks = Array.from({ length: 3000 }, (_, i) => `  t${i}: {run: 'true'${i > 0 ? `, needs: [t${i - 1}]` : ''}}`).join('\n');
      many = project({
        'p.pipeline.yaml': `version: 1\nname: p\ntasks:\n${tasks}\n`,
        'bad.pipeline.yaml': `version: 1\nname: bad\ntasks:\n${Array.from({ length: 3000 }, (_, i) => `  t${i}: {run: 'true', needs: [nope${i}]}`).join('\n')}\n`,
      });
      const r = await mlopsWithin(['run', 'p.pipeline.yaml'], many, {}, 170_000);
      assert.equal(r.code, 0, r.stderr);
    });

    const cases: [string, string[], number][] = [
      ['mlops run (a line per task)', ['run', 'p.pipeline.yaml', '--force'], 0],
      ['mlops validate (a line per problem)', ['validate', 'bad.pipeline.yaml'], 1],
      ['mlops validate --format json', ['validate', 'bad.pipeline.yaml', '--format', 'json'], 1],
      ['mlops dag --format json', ['dag', 'p.pipeline.yaml', '--format', 'json'], 0],
      ['mlops dag --format dot', ['dag', 'p.pipeline.yaml', '--format', 'dot'], 0],
      ['mlops runs show', ['runs', 'show', 'last'], 0],
      ['mlops runs show --format json', ['runs', 'show', 'last', '--format', 'json'], 0],
    ];
    for (const [what, args, code] of cases) {
      it(what, async () => {
        const r = await headOf(args, many);
        assert.ok(r.got >= 100, `got only ${r.got} bytes`);
        assert.deepEqual([r.code, r.signal, r.stderr], [code, null, '']);
      });
    }
  });
});
