import * as assert from 'node:assert/strict';
import { DEFAULT_BACKOFF, RestartBackoff } from '../../client/src/agent/backoff';
import { agentLaunch, nodeCanRunAgent } from '../../client/src/agent/launch';

describe('client: agent restart backoff', () => {
  it('doubles the delay after each quick crash, up to the cap', () => {
    const b = new RestartBackoff({ ...DEFAULT_BACKOFF, maxAttempts: 20 });
    const delays = Array.from({ length: 9 }, () => b.next(100));
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('gives up after maxAttempts quick crashes in a row', () => {
    const b = new RestartBackoff({ initialMs: 10, factor: 2, maxMs: 1000, healthyMs: 60_000, maxAttempts: 3 });
    assert.deepEqual([b.next(5), b.next(5), b.next(5)], [10, 20, 40]);
    assert.equal(b.next(5), undefined);
    assert.equal(b.attempts, 3);
  });

  it('starts the count afresh after a process stayed up for the healthy period', () => {
    const b = new RestartBackoff({ initialMs: 10, factor: 2, maxMs: 1000, healthyMs: 60_000, maxAttempts: 3 });
    b.next(5);
    b.next(5);
    b.next(5);
    assert.equal(b.next(60_000), 10, 'a crash after a healthy hour restarts at once');
    assert.equal(b.next(59_999), 20, 'but a quick crash right after that counts again');
  });

  it('reset() forgets earlier failures (a restart the user asked for)', () => {
    const b = new RestartBackoff({ initialMs: 10, factor: 3, maxMs: 1000, healthyMs: 60_000, maxAttempts: 2 });
    b.next(1);
    b.next(1);
    assert.equal(b.next(1), undefined);
    b.reset();
    assert.equal(b.next(1), 10);
  });
});

describe('client: agent launch', () => {
  it('accepts only runtimes with node:sqlite (Node 22.13 and later)', () => {
    assert.equal(nodeCanRunAgent('20.19.2'), false);
    assert.equal(nodeCanRunAgent('22.12.0'), false);
    assert.equal(nodeCanRunAgent('22.13.0'), true);
    assert.equal(nodeCanRunAgent('22.15.1'), true);
    assert.equal(nodeCanRunAgent('23.0.0'), true);
    assert.equal(nodeCanRunAgent('24.21.0'), true);
    assert.equal(nodeCanRunAgent('garbage'), false);
  });

  it("runs the bundle with the editor's runtime as plain Node, in the folder, with the folder's .mlops", () => {
    const l = agentLaunch({ script: '/ext/dist/agent.js', folder: '/work/proj', execPath: '/opt/code/code', env: { PATH: '/bin' } });
    assert.equal(l.file, '/opt/code/code');
    assert.deepEqual(l.args, ['/ext/dist/agent.js', 'agent', '--stdio', '--state-dir', '/work/proj/.mlops']);
    assert.equal(l.cwd, '/work/proj');
    assert.equal(l.stateDir, '/work/proj/.mlops');
    assert.equal(l.env.ELECTRON_RUN_AS_NODE, '1');
    assert.equal(l.env.PATH, '/bin');
  });
});
