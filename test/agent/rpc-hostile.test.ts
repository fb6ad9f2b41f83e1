import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiB, peakRssOfPid } from '../hostile';
import { project, removeProjects, stopSpawned } from './helpers';
import { RawAgent } from './raw-rpc';

const PIPELINE = "version: 1\nname: ok\ntasks:\n  a: {run: 'touch ran-$MLOPS_RUN_ID'}\n";

describe('mlops agent --stdio: malformed and hostile messages get typed errors', function () {
  this.timeout(60_000);
  after(removeProjects);
  afterEach(stopSpawned);

  it('answers bytes that are not JSON with -32700, JSON that is not a request with -32600, and keeps serving', async () => {
    const agent = new RawAgent(project({ 'ok.pipeline.yaml': PIPELINE }));
    try {
      agent.send('{"jsonrpc": "2.0", "id": 1, "method": "mlops/agent.info"'); // cut short
      agent.send('\xff\xfe not json');
      agent.send([{ jsonrpc: '2.0', id: 2, method: 'mlops/agent.info' }]);
      agent.send({ jsonrpc: '1.0', id: 3, method: 'mlops/agent.info' });
      agent.send({ jsonrpc: '2.0', id: { no: 1 }, method: 'mlops/agent.info' });
      agent.send({ jsonrpc: '2.0', id: 4, method: 42 });
      agent.send({ jsonrpc: '2.0', id: 5 });
      agent.send('"just a string"');
      // A frame without Content-Length, then garbage: skipped up to the next frame.
      agent.write('Content-Type: x\r\n\r\nhello world');
      agent.send({ jsonrpc: '2.0', id: 6, method: 'mlops/nope' });
      agent.send({ jsonrpc: '2.0', id: 7, method: 'mlops/agent.info' });
      await agent.count(11, 10_000).catch((e: Error) => assert.fail(`${e.message}: ${JSON.stringify(agent.replies)}`));
      assert.deepEqual(
        agent.replies.map((r) => [r.id, r.error?.code ?? 'result', r.error?.message]),
        [
          [null, -32700, 'Parse error: the message is not valid JSON in UTF-8.'],
          [null, -32700, 'Parse error: the message is not valid JSON in UTF-8.'],
          [null, -32600, 'Invalid request: the message is a batch (a list); send one request per message.'],
          [3, -32600, 'Invalid request: "jsonrpc" must be "2.0".'],
          [null, -32600, 'Invalid request: "id" must be a string, a whole number or null.'],
          [4, -32600, 'Invalid request: "method" must be a non-empty string.'],
          [5, -32600, 'Invalid request: the message has no "method".'],
          [null, -32600, 'Invalid request: the message is not a JSON-RPC object.'],
          [null, -32700, 'Parse error: the message has no valid Content-Length header.'],
          [6, -32601, 'Unhandled method mlops/nope'],
          [7, 'result', undefined],
        ],
      );
    } finally {
      agent.close();
    }
  });

  it('refuses params that do not fit the declared types with -32602 naming the field, and runs nothing', async () => {
    const dir = project({ 'ok.pipeline.yaml': PIPELINE });
    const agent = new RawAgent(dir);
    const cases: [string, unknown, string][] = [
      ['mlops/run.start', { file: 42 }, 'params.file: expected a non-empty string, got a number'],
      ['mlops/run.start', { file: 'ok.pipeline.yaml', only: 'abc' }, 'params.only: expected a list of non-empty strings, got a string'],
      ['mlops/run.start', { file: 'ok.pipeline.yaml', only: ['a', 3] }, 'params.only[1]: expected a non-empty string, got a number'],
      ['mlops/run.start', { file: 'ok.pipeline.yaml', parallel: -1 }, 'params.parallel: expected a whole number ≥ 1 ≤ 4096, got -1'],
      ['mlops/run.start', { file: 'ok.pipeline.yaml', parallel: 1.5 }, 'params.parallel: expected a whole number ≥ 1 ≤ 4096, got 1.5'],
      ['mlops/run.start', { file: 'ok.pipeline.yaml', params: { x: 'a\0b' } }, 'params.params.x: contains a NUL character, which no process can receive'],
      ['mlops/run.start', { file: 'ok.pipeline.yaml', params: { x: 1 } }, 'params.params.x: expected a string, got a number'],
      ['mlops/run.start', { file: 'ok.pipeline.yaml', executor: 'kubernetes' }, "params.executor: expected one of 'local', 'docker', 'slurm', got 'kubernetes'"],
      ['mlops/run.start', { file: 'ok.pipeline.yaml', force: 'yes' }, 'params.force: expected true or false, got a string'],
      ['mlops/run.start', { file: 'ok.pipeline.yaml', rm: true }, "params: unknown field 'rm'; the fields are file, params, only, from, resume, force, parallel, executor, keepGoing, pull, logLimit"],
      ['mlops/run.start', {}, "params: the field 'file' is missing: expected a non-empty string"],
      ['mlops/run.start', ['ok.pipeline.yaml'], 'params: expected an object, got a list'],
      ['mlops/run.cancel', { runId: null }, 'params.runId: expected a non-empty string, got null'],
      ['mlops/runs.list', { limit: 0 }, 'params.limit: expected a whole number ≥ 1 ≤ 1000000, got 0'],
      ['mlops/logs.read', { runId: 'last', task: 'a', offset: -5 }, 'params.offset: expected a whole number ≥ 0, got -5'],
      ['mlops/logs.read', { runId: 'last', task: 'a', limit: 1e300 }, 'params.limit: expected a whole number ≥ 1, got 1e+300'],
      ['mlops/schedules.next', { file: 'x'.repeat(5000) }, 'params.file: is longer than 4096 characters'],
      ['mlops/agent.info', { x: 1 }, "params: unknown field 'x'"],
    ];
    try {
      cases.forEach(([method, params], i) => agent.send({ jsonrpc: '2.0', id: i, method, params }));
      await agent.count(cases.length);
      for (const [i, [method, , message]] of cases.entries()) {
        const r = await agent.reply(i);
        assert.deepEqual(r.error, { code: -32602, message: `Invalid params: ${message}.` }, `${method} #${i}`);
      }
      assert.deepEqual(
        fs.readdirSync(dir).filter((f) => f.startsWith('ran-')),
        [],
        'nothing ran',
      );
      // Still serving, and a good request still works.
      agent.send({ jsonrpc: '2.0', id: 'ok', method: 'mlops/run.start', params: { file: 'ok.pipeline.yaml' } });
      const ok = await agent.reply('ok');
      assert.equal((ok.result as { ok: boolean }).ok, true, JSON.stringify(ok));
    } finally {
      agent.close();
    }
  });

  it('refuses a pipeline outside the workspace folder, also through a symlink, and says why', async () => {
    const outside = project({ 'evil.pipeline.yaml': "version: 1\nname: evil\ntasks:\n  a: {run: 'touch evil-ran'}\n" });
    const dir = project({ 'ok.pipeline.yaml': PIPELINE });
    fs.symlinkSync(path.join(outside, 'evil.pipeline.yaml'), path.join(dir, 'link.pipeline.yaml'));
    const agent = new RawAgent(dir);
    try {
      const files = [path.join(outside, 'evil.pipeline.yaml'), '../' + path.basename(outside) + '/evil.pipeline.yaml', 'link.pipeline.yaml'];
      files.forEach((file, i) => agent.send({ jsonrpc: '2.0', id: i, method: 'mlops/run.start', params: { file } }));
      for (const [i, file] of files.entries()) {
        const r = await agent.reply(i);
        assert.deepEqual(r.result, { ok: false, message: `${file} is outside the workspace folder ${dir}; the agent runs only pipelines inside it.`, problems: [] });
      }
      assert.equal(fs.existsSync(path.join(outside, 'evil-ran')), false);
    } finally {
      agent.close();
    }
  });

  it('answers a message over the size limit and reads the next one, without holding it in memory', async () => {
    const agent = new RawAgent(project({ 'ok.pipeline.yaml': PIPELINE }));
    try {
      // 256 MiB in 1 MiB writes, each after the last was taken: the agent must skip it, not buffer it.
      const length = 256 * MiB;
      const piece = Buffer.alloc(MiB, 'x');
      const stdin = agent.child.stdin!;
      const write = (bytes: Buffer) => new Promise<void>((resolve, reject) => stdin.write(bytes, (e) => (e ? reject(e) : resolve())));
      await write(Buffer.from(`Content-Length: ${length}\r\n\r\n`));
      for (let sent = 0; sent < length; sent += piece.length) await write(piece);
      agent.send({ jsonrpc: '2.0', id: 1, method: 'mlops/agent.info' });
      await agent.count(2);
      assert.deepEqual(agent.replies[0], {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: `Invalid request: the message has ${length} bytes; the agent reads at most ${16 * MiB}.` },
      });
      assert.equal(agent.replies[1]!.id, 1);
      assert.ok(agent.replies[1]!.result);
      const peak = peakRssOfPid(agent.child.pid!);
      assert.ok(peak < 200 * MiB, `agent peak RSS ${(peak / MiB).toFixed(0)} MiB after a 256 MiB message (bound 200 MiB; an idle agent has ~70, one that held the message would pass 320)`);
    } finally {
      agent.close();
    }
  });
});
