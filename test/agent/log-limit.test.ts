import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cappedLog, limitNote, LogCap, LOG_TAIL, parseSize } from '../../agent/src/execute/log-limit';
import { tempDir } from '../files';
import { mlops, parseRun, project, removeProjects, stopSpawned } from './helpers';

/** What the task prints: numbered lines, then a last line that must survive the cut. */
function expectedOutput(lines: number): string {
  let s = '';
  for (let i = 0; i < lines; i++) s += `line ${String(i).padStart(7, '0')} of the output\n`;
  return `${s}THE END\n`;
}

/**
 * Checks a cut log: the first `limit` bytes, the note once, then at most LOG_TAIL bytes that
 * end the output — exactly its end when the task ended before the log was looked at, else
 * later lines in order (what a task writes while its log is being cut may be lost).
 */
function assertCut(log: Buffer, full: string, limit: number, what: string, exact = true): void {
  const note = Buffer.from(limitNote(limit));
  assert.deepEqual(log.subarray(0, limit), Buffer.from(full).subarray(0, limit), `${what}: the head is kept byte for byte`);
  assert.deepEqual(log.subarray(limit, limit + note.length), note, `${what}: the note follows the head`);
  const tail = log.subarray(limit + note.length).toString();
  assert.ok(tail.length > 0 && tail.length <= LOG_TAIL, `${what}: tail of ${tail.length} bytes`);
  assert.ok(tail.endsWith('THE END\n'), `${what}: ends with the last line`);
  if (exact) assert.ok(full.endsWith(tail), `${what}: the tail is the end of the output`);
  const numbers = [...tail.matchAll(/line (\d{7}) of the output\n/g)].map((m) => Number(m[1]));
  assert.ok(numbers.length > 1000 && numbers.every((n, i) => i === 0 || n > numbers[i - 1]!), `${what}: the tail holds later lines in order`);
}

describe('task logs have a size limit', function () {
  this.timeout(60_000);
  after(removeProjects);
  afterEach(stopSpawned);

  it('reads sizes: 100M, 64K, 2G, bytes; refuses anything else', () => {
    assert.deepEqual(['100M', '64k', '2G', '4096', '1MiB', '512 KB'].map(parseSize), [100 * 2 ** 20, 64 * 1024, 2 * 2 ** 30, 4096, 2 ** 20, 512 * 1024]);
    assert.deepEqual(['', '0', '-1', '1.5M', '10T', 'lots'].map(parseSize), [undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('mlops run --log-limit: a fast task and a slow one keep the head, a note and the end of their output', async () => {
    const full = expectedOutput(100_000); // ~3.3 MB
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: chatty
tasks:
  fast: {run: 'awk "BEGIN { for (i = 0; i < 100000; i++) printf \\"line %07d of the output\\\\n\\", i; print \\"THE END\\" }"'}
  # Five bursts with pauses between them: the log is cut while the task still writes.
  slow: {run: 'for b in 0 1 2 3 4; do awk -v b=$b "BEGIN { for (i = b * 20000; i < (b + 1) * 20000; i++) printf \\"line %07d of the output\\\\n\\", i }"; sleep 0.6; done; echo THE END'}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml', '--log-limit', '64K', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const id = parseRun(r.stdout).id;
    for (const t of ['fast', 'slow']) assertCut(fs.readFileSync(path.join(dir, '.mlops', 'runs', id, `${t}.log`)), full, 64 * 1024, t, false);
    const shown = await mlops(['runs', 'logs', id, 'fast'], dir);
    assert.match(shown.stdout, /\[mlops: this log reached its limit of 64 KiB \(MLOPS_LOG_LIMIT or mlops run --log-limit\); the output after this point is dropped except its last 1 MiB\]/);
  });

  it('a log that passed its limit keeps exactly its head, the note and the end of the output', () => {
    const { dir, cleanup } = tempDir('mlops-cap-');
    try {
      const file = path.join(dir, 'x.log');
      const full = expectedOutput(100_000);
      fs.writeFileSync(file, full);
      const cap = new LogCap(5000);
      cap.check(file);
      assertCut(fs.readFileSync(file), full, 5000, 'first look');
      assert.equal(fs.statSync(file).size, 5000 + Buffer.byteLength(limitNote(5000)) + LOG_TAIL);
      // More output later: still only the latest LOG_TAIL bytes after the note.
      const more = expectedOutput(50_000).replace('line', 'more');
      fs.appendFileSync(file, more);
      cap.check(file);
      const tail = fs
        .readFileSync(file)
        .subarray(5000 + Buffer.byteLength(limitNote(5000)))
        .toString();
      assert.equal(tail, (full + more).slice(-LOG_TAIL));
    } finally {
      cleanup();
    }
  });

  it('MLOPS_LOG_LIMIT sets the limit; a bad --log-limit is a usage error', async () => {
    const full = expectedOutput(3000);
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: env
tasks:
  a: {run: 'awk "BEGIN { for (i = 0; i < 3000; i++) printf \\"line %07d of the output\\\\n\\", i; print \\"THE END\\" }"'}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml', '--format', 'json'], dir, { MLOPS_LOG_LIMIT: '8K' });
    assert.equal(r.code, 0, r.stderr);
    assertCut(fs.readFileSync(path.join(dir, '.mlops', 'runs', parseRun(r.stdout).id, 'a.log')), full, 8192, 'a');
    const bad = await mlops(['run', 'p.pipeline.yaml', '--log-limit', 'lots'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^mlops run: --log-limit takes a size such as 100M, 2G or 65536 \(bytes\), not 'lots'\.\n/);
  });

  it('output the agent streams itself (docker) is cut the same way, holding only the latest 1 MiB in memory', async () => {
    const { dir, cleanup } = tempDir('mlops-capped-');
    try {
      const file = path.join(dir, 'x.log');
      const full = expectedOutput(100_000);
      const w = cappedLog(fs.createWriteStream(file, { flags: 'a' }), 10_000);
      for (let i = 0; i < full.length; i += 4093) w.write(Buffer.from(full.slice(i, i + 4093)));
      await new Promise<void>((resolve) => w.end(resolve));
      assertCut(fs.readFileSync(file), full, 10_000, 'streamed');
      assert.equal(fs.statSync(file).size, 10_000 + Buffer.byteLength(limitNote(10_000)) + LOG_TAIL);
    } finally {
      cleanup();
    }
  });

  it('output appended to an existing log (late output, crash recovery) is copied a piece at a time, byte for byte', () => {
    const { dir, cleanup } = tempDir('mlops-move-');
    try {
      const from = path.join(dir, '.lane-0.log');
      const to = path.join(dir, 'a.log');
      fs.writeFileSync(to, 'head\n');
      // 128 MiB, mostly a hole, with marks at its start, in the middle and at its end.
      const size = 128 * 2 ** 20;
      const fd = fs.openSync(from, 'w');
      for (const [at, mark] of [
        [0, 'first'],
        [size / 2 + 7, 'middle'],
        [size - 5, 'last\n'],
      ] as const)
        fs.writeSync(fd, mark, at);
      fs.closeSync(fd);
      // In a process of its own, so its peak memory is the copy's alone.
      const logs = require.resolve('../../agent/src/state/logs');
      const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(logs)}).moveLog(process.argv[1], process.argv[2]); process.stdout.write(String(process.resourceUsage().maxRSS * 1024))`, from, to], {
        encoding: 'utf8',
      });
      assert.equal(child.status, 0, child.stderr);
      const peak = Number(child.stdout);
      assert.ok(peak > 0 && peak < 96 * 2 ** 20, `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB while appending 128 MiB (bound 96 MiB)`);
      assert.equal(fs.statSync(to).size, 5 + size);
      assert.equal(fs.statSync(from).size, 0, 'the lane is emptied');
      const out = fs.openSync(to, 'r');
      try {
        for (const [at, mark] of [
          [0, 'head\nfirst'],
          [5 + size / 2 + 7, 'middle'],
          [5 + size - 5, 'last\n'],
        ] as const) {
          const buf = Buffer.alloc(mark.length);
          fs.readSync(out, buf, 0, mark.length, at);
          assert.equal(buf.toString(), mark, `at ${at}`);
        }
      } finally {
        fs.closeSync(out);
      }
    } finally {
      cleanup();
    }
  });
});
