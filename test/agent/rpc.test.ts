import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as rpc from '../../core/src/node';
import { connectAgent, project, removeProjects, spawnMlops, stopSpawned, waitFor } from './helpers';

describe('mlops agent --stdio (JSON-RPC through a real child process)', function () {
  after(removeProjects);
  this.timeout(60_000);
  afterEach(stopSpawned);

  it('starts runs, streams their events, shows them and their logs, cancels and reports schedules', async () => {
    const dir = project({
      'ok.pipeline.yaml': `version: 1
name: ok
params: {who: world}
schedule: {cron: "30 6 * * 1", timezone: America/New_York}
tasks:
  hello: {run: 'echo "hello \${{ params.who }}"'}
  after: {needs: [hello], run: 'true'}
`,
      'slow.pipeline.yaml': "version: 1\nname: slow\ntasks:\n  wait: {run: 'sleep 1000'}\n",
      'bad.pipeline.yaml': 'version: 1\nname: bad\ntasks:\n  a: {run: "true", needs: [nope]}\n',
    });
    const { child, exit, conn, events, ended } = connectAgent(dir);

    const info = await conn.sendRequest(rpc.AgentInfoRequest, {});
    assert.equal(info.pid, child.pid);
    assert.equal(info.stateDir, path.join(dir, '.mlops'));
    assert.ok(info.capacity.cpu >= 1);

    const started = await conn.sendRequest(rpc.RunStartRequest, { file: 'ok.pipeline.yaml', params: { who: 'rpc' } });
    assert.ok(started.ok);
    const finishedEvent = await ended(started.runId);
    assert.equal(finishedEvent.status, 'succeeded');
    const mine = events.filter((e) => e.runId === started.runId).map((e) => (e.type.startsWith('task-') ? `${e.type} ${(e as { task: string }).task}` : e.type));
    assert.deepEqual(mine, ['run-started', 'task-started hello', 'task-finished hello', 'task-started after', 'task-finished after', 'run-finished']);

    const shown = await conn.sendRequest(rpc.RunsShowRequest, { runId: 'last' });
    assert.ok(shown.ok);
    assert.equal(shown.run.id, started.runId);
    assert.deepEqual(shown.run.params, { who: 'rpc' });
    assert.equal(shown.summary.trigger, 'rpc');
    assert.deepEqual(
      shown.run.tasks.map((t) => t.status),
      ['succeeded', 'succeeded'],
    );

    const log = await conn.sendRequest(rpc.LogsReadRequest, { runId: started.runId, task: 'hello' });
    assert.deepEqual(log, { ok: true, text: 'hello rpc\n', nextOffset: 10, complete: false });
    const rest = await conn.sendRequest(rpc.LogsReadRequest, { runId: started.runId, task: 'hello', offset: 10 });
    assert.deepEqual(rest, { ok: true, text: '', nextOffset: 10, complete: true });

    const refused = await conn.sendRequest(rpc.RunStartRequest, { file: 'bad.pipeline.yaml' });
    assert.ok(!refused.ok);
    assert.match(refused.message, /has 1 error/);
    assert.deepEqual(
      refused.problems.map((p) => [p.code, p.line]),
      [['unknown-need', 4]],
    );

    const slow = await conn.sendRequest(rpc.RunStartRequest, { file: path.join(dir, 'slow.pipeline.yaml') });
    assert.ok(slow.ok);
    await waitFor('the slow task to start', () => events.some((e) => e.type === 'task-started' && e.runId === slow.runId));
    assert.deepEqual(await conn.sendRequest(rpc.RunCancelRequest, { runId: slow.runId }), { cancelled: true });
    assert.equal((await ended(slow.runId)).status, 'cancelled');
    assert.deepEqual(await conn.sendRequest(rpc.RunCancelRequest, { runId: slow.runId }), { cancelled: false });

    const list = await conn.sendRequest(rpc.RunsListRequest, {});
    assert.deepEqual(
      list.runs.map((r) => [r.pipeline, r.status]),
      [
        ['slow', 'cancelled'],
        ['ok', 'succeeded'],
      ],
    );

    const schedules = await conn.sendRequest(rpc.SchedulesNextRequest, {});
    assert.equal(schedules.schedules.length, 1);
    const s = schedules.schedules[0]!;
    assert.deepEqual([s.pipeline, s.cron, s.timezone], ['ok', '30 6 * * 1', 'America/New_York']);
    const next = new Date(s.next!);
    const local = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).format(next);
    assert.equal(local, 'Mon 06:30');
    assert.ok(next.getTime() > Date.now() && next.getTime() <= Date.now() + 7 * 86_400_000);

    conn.dispose();
    child.stdin!.end();
    const r = await exit;
    assert.equal(r.code, 0, r.stderr);
  });

  it('mlops serve announces the schedules it will fire and stops on Ctrl-C', async () => {
    const dir = project({
      'nightly.pipeline.yaml': 'version: 1\nname: nightly\nschedule: {cron: "0 3 * * *", timezone: Asia/Tokyo}\ntasks:\n  a: {run: "true"}\n',
    });
    const serve = spawnMlops(['serve'], dir);
    let err = '';
    serve.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exit = new Promise<number | null>((resolve) => serve.once('close', resolve));
    const line = await waitFor('the schedule to be announced', () => /nightly \(0 3 \* \* \*, Asia\/Tokyo\) next at (\S+)/.exec(err)?.[1]);
    assert.equal(new Date(line).getUTCHours(), 18, '03:00 in Tokyo is 18:00 UTC');
    serve.kill('SIGINT');
    assert.equal(await exit, 0);
  });
});
