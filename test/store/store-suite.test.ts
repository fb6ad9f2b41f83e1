/**
 * One suite, both stores: everything the agent asks of its store, asked of SQLite in a state
 * folder and of PostgreSQL in a fresh database, with the same expectations.
 */
import assert from 'node:assert/strict';
import type { ModelArtifacts } from '../../core/src/catalog/index';
import type { RunEvent } from '../../core/src/protocol/agent';
import type { Registry } from '../../agent/src/registry/registry';
import type { StoreConfig } from '../../agent/src/state/config';
import { openRegistry, openStore } from '../../agent/src/state/open';
import type { Store } from '../../agent/src/state/store';
import { tempDir } from '../files';
import { dropDatabases, freshDatabase, requirePostgres, sql } from './pg';

const T = (s: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, s)).toISOString();

function runEvents(runId: string, file = '/w/p.pipeline.yaml'): RunEvent[] {
  return [
    { type: 'run-started', runId, pipeline: 'p', file, startedAt: T(0), params: { lr: 0.5, name: 'x' }, resumedFrom: null, trigger: 'cli', path: 'p.pipeline.yaml', tasks: ['a', 'b', 'c'] },
    { type: 'task-started', runId, task: 'a', attempt: 1, at: T(1), pid: 4242, log: '/w/.mlops/runs/lane' },
    { type: 'task-finished', runId, task: 'a', status: 'succeeded', attempts: 1, exitCode: 0, durationMs: 1500, cached: false, fingerprint: 'fa', message: null, log: null, at: T(2) },
    { type: 'task-started', runId, task: 'b', attempt: 1, at: T(2), pid: 4343, log: '/w/.mlops/runs/lane2' },
    { type: 'task-retrying', runId, task: 'b', attempt: 1, exitCode: 3, reason: 'exit 3', delayMs: 10, at: T(3) },
    { type: 'task-started', runId, task: 'b', attempt: 2, at: T(4), pid: 4444, log: '/w/.mlops/runs/lane2' },
  ];
}

function artifacts(): ModelArtifacts {
  return {
    definition: { source: 'mlops', framework: 'custom', path: 'm.json', format: 'json', description: null, flavors: null },
    parameters: { path: 'm.json', kind: 'file', size: 2, sha256: 'ab', stored: null, files: [], note: null },
    functions: { featurize: null, predict: null },
    dependencies: { manifests: [], interpreter: { name: 'python', version: null, note: null }, executor: 'local', image: null },
    data: { inputs: [], features: [{ view: 'stats', fingerprint: 'v1', catalog: 'c.features.yaml', features: [] }] },
    code: { commit: null, branch: null, remote: null, dirty: false, diff: null, untracked: [], note: 'no git' },
    experiment: { runId: 'r', pipeline: 'p', file: 'p.pipeline.yaml', task: 't', params: {}, metrics: { auc: 0.9 }, metricsFile: null, log: null, startedAt: null, durationMs: null, note: null },
    tags: { team: 'a' },
  } as unknown as ModelArtifacts;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`store suite: ${kind}`, function () {
    this.timeout(30_000);
    let config: StoreConfig;
    let store: Store;
    let cleanup = () => undefined as void;
    const who = { MLOPS_USER: 'ana', MLOPS_HOST: 'laptop-1' };
    const saved = { ...process.env };

    before(async function () {
      if (kind === 'postgres') await requirePostgres(this);
      Object.assign(process.env, who);
      const t = tempDir('mlops-store-');
      cleanup = t.cleanup;
      config = { url: kind === 'postgres' ? await freshDatabase() : null, stateDir: `${t.dir}/.mlops`, artifacts: `${t.dir}/shared` };
      store = await openStore(config);
    });
    after(async () => {
      await store?.close();
      process.env = saved;
      cleanup();
      await dropDatabases();
    });

    it('records a run as it goes and reads it back with who and where', async () => {
      assert.equal(store.kind, kind);
      assert.deepEqual(store.actor, { user: 'ana', host: 'laptop-1' });
      await store.record(runEvents('r1'));
      const shown = (await store.run('r1'))!;
      assert.deepEqual(shown.record, {
        id: 'r1',
        pipeline: 'p',
        status: 'running',
        startedAt: T(0),
        endedAt: null,
        params: { lr: 0.5, name: 'x' },
        tasks: [
          { id: 'a', status: 'succeeded', attempts: 1, exitCode: 0, durationMs: 1500, cached: false, fingerprint: 'fa' },
          { id: 'b', status: 'running', attempts: 2, exitCode: 3, durationMs: null, cached: false, fingerprint: null },
          { id: 'c', status: 'pending', attempts: 0, exitCode: null, durationMs: null, cached: false, fingerprint: null },
        ],
      });
      assert.equal(shown.summary.user, 'ana');
      assert.equal(shown.summary.host, 'laptop-1');
      assert.equal(shown.summary.path, 'p.pipeline.yaml');
      assert.deepEqual(await store.taskLogState('r1', 'b'), { status: 'running', attempt: 2, log: '/w/.mlops/runs/lane2' });
      assert.deepEqual(
        (await store.runningAttempts('r1')).map((a) => [a.task, a.attempt, a.pid]),
        [['b', 2, 4444]],
      );
      assert.deepEqual(
        (await store.runningRuns()).map((r) => [r.id, r.agentPid]),
        [['r1', process.pid]],
      );

      await store.record([
        { type: 'task-finished', runId: 'r1', task: 'b', status: 'succeeded', attempts: 2, exitCode: 0, durationMs: 700, cached: false, fingerprint: 'fb', message: null, log: null, at: T(5) },
        { type: 'task-finished', runId: 'r1', task: 'c', status: 'cached', attempts: 0, exitCode: null, durationMs: null, cached: true, fingerprint: 'fc', message: 'unchanged', log: null, at: T(5) },
        { type: 'run-finished', runId: 'r1', status: 'succeeded', endedAt: T(6), message: null },
      ]);
      const done = (await store.run('r1'))!;
      assert.equal(done.record.status, 'succeeded');
      assert.equal(done.record.endedAt, T(6));
      assert.deepEqual(done.summary.counts, { succeeded: 2, cached: 1 });
      assert.deepEqual(
        [...(await store.cacheEntries('/w/p.pipeline.yaml'))],
        [
          ['a', 'fa'],
          ['b', 'fb'],
        ],
      );
      assert.deepEqual(await store.runningRuns(), []);
    });

    it('lists runs newest first, by file and by user, and resolves last', async () => {
      await store.record(runEvents('r2', '/w/q.pipeline.yaml'));
      process.env.MLOPS_USER = 'bo';
      const other = await openStore(config);
      try {
        await other.record(runEvents('r3'));
        assert.deepEqual(
          (await other.runs()).map((r) => [r.id, r.user]),
          [
            ['r3', 'bo'],
            ['r2', 'ana'],
            ['r1', 'ana'],
          ],
        );
        assert.deepEqual(
          (await store.runs({ user: 'ana' })).map((r) => r.id),
          ['r2', 'r1'],
        );
        assert.deepEqual(
          (await store.runs({ file: '/w/q.pipeline.yaml' })).map((r) => r.id),
          ['r2'],
        );
        assert.deepEqual(
          (await store.runs({ limit: 1 })).map((r) => r.id),
          ['r3'],
        );
        assert.equal(await store.resolveRunId('last'), 'r3');
        assert.equal(await store.resolveRunId('last', '/w/q.pipeline.yaml'), 'r2');
        assert.equal(await store.resolveRunId('nope'), undefined);
      } finally {
        process.env.MLOPS_USER = 'ana';
        await other.close();
      }
    });

    it('marks an abandoned run interrupted in one go', async () => {
      await store.markInterrupted('r2', T(9), 'interrupted: gone');
      const r = (await store.run('r2'))!;
      assert.equal(r.record.status, 'interrupted');
      assert.deepEqual(
        r.record.tasks.map((t) => t.status),
        ['succeeded', 'interrupted', 'interrupted'],
      );
      assert.deepEqual(await store.runningAttempts('r2'), []);
    });

    it('reserves a run id once, across connections', async () => {
      const other = await openStore(config);
      try {
        assert.equal(await store.reserveRunId('20260105-100000-aaaa'), true);
        assert.equal(await other.reserveRunId('20260105-100000-aaaa'), false);
        assert.equal(await store.reserveRunId('20260105-100000-aaaa'), false);
        const many = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).reserveRunId('20260105-100000-bbbb')));
        assert.equal(many.filter(Boolean).length, 1);
      } finally {
        await other.close();
      }
    });

    it('claims a schedule fire once', async () => {
      assert.equal(await store.claimFire('schedule:p.pipeline.yaml#* * * * *', T(60)), true);
      assert.equal(await store.claimFire('schedule:p.pipeline.yaml#* * * * *', T(60)), false);
      assert.equal(await store.claimFire('schedule:p.pipeline.yaml#* * * * *', T(120)), true);
    });

    it('leases: the holder renews, others wait until it expires, then one takes over', async () => {
      const first = await store.lease('L', 'agent-1', 60_000);
      assert.equal(first.holder, 'agent-1');
      assert.equal(first.user, 'ana');
      assert.equal((await store.lease('L', 'agent-2', 60_000)).holder, 'agent-1');
      assert.equal((await store.lease('L', 'agent-1', 60_000)).holder, 'agent-1');
      // A lease that lasts 1 ms has expired by the next call.
      await store.lease('L', 'agent-1', 1);
      await waitUntilExpired(store, 'L');
      assert.equal((await store.lease('L', 'agent-2', 60_000)).holder, 'agent-2');
      assert.equal((await store.lease('L', 'agent-1', 60_000)).holder, 'agent-2');
      await store.releaseLease('L', 'agent-1');
      assert.equal((await store.lease('L', 'agent-1', 60_000)).holder, 'agent-2', 'only the holder can give a lease up');
      await store.releaseLease('L', 'agent-2');
      assert.equal((await store.lease('L', 'agent-1', 60_000)).holder, 'agent-1');
      assert.deepEqual(
        (await store.info()).leases.map((l) => [l.name, l.holder]),
        [['L', 'agent-1']],
      );
    });

    it('keeps uploaded outputs by fingerprint', async () => {
      const entry = { fingerprint: 'f1', runId: 'r1', task: 'a', user: 'ana', host: 'laptop-1', outputs: [{ path: 'out.txt', kind: 'file' as const, sha256: 'cafe', files: [] }] };
      await store.saveSharedCache(entry);
      assert.deepEqual([...(await store.sharedCacheFor(['a', 'b']))], [['f1', entry]]);
      assert.deepEqual([...(await store.sharedCacheFor(['b']))], []);
    });

    {
      let registry: Registry;
      before(async () => {
        registry = (await openRegistry(config, true))!;
      });
      after(async () => registry?.close());

      it('numbers versions 1, 2, … and records who registered them', async () => {
        const by = { user: 'ana', host: 'laptop-1' };
        const v1 = await registry.register('churn', artifacts(), { runId: 'r1', task: 't', root: '/w', createdAt: T(1), by });
        const v2 = await registry.register('churn', artifacts(), { runId: 'r1', task: 't', root: '/w', createdAt: T(2), by });
        assert.deepEqual([v1.version, v2.version], [1, 2]);
        assert.deepEqual(v2.registeredBy, by);
        assert.deepEqual(v2.tags, { team: 'a' });
        const snap = await registry.snapshot();
        assert.equal(snap.rootOf('churn', 1), '/w');
        assert.deepEqual(snap.usedBy('stats'), [
          { name: 'churn', version: 2, fingerprint: 'v1' },
          { name: 'churn', version: 1, fingerprint: 'v1' },
        ]);
      });

      it('gives registrations from two connections at once distinct consecutive versions', async () => {
        const other = (await openRegistry(config, true))!;
        try {
          const by = { user: 'bo', host: 'laptop-2' };
          const made = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? registry : other).register('race', artifacts(), { runId: null, task: null, root: null, createdAt: T(i), by })));
          assert.deepEqual(
            made.map((v) => v.version).sort((a, b) => a - b),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
          );
        } finally {
          await other.close();
        }
      });

      it('moves an alias and says where from; tags versions', async () => {
        assert.deepEqual(await registry.setAlias('churn', 1, 'champion'), { ok: true, value: { previous: null } });
        assert.deepEqual(await registry.setAlias('churn', 2, 'champion'), { ok: true, value: { previous: 1 } });
        assert.deepEqual(await registry.setAlias('churn', 9, 'champion'), { ok: false, error: 'churn has no version 9.' });
        assert.equal((await registry.setAlias('churn', 1, '7')).ok, false);
        assert.deepEqual(await registry.setTag('churn', 1, 'reviewed', 'yes'), { ok: true, value: undefined });
        const snap = await registry.snapshot();
        const champion = snap.resolve({ kind: 'alias', name: 'churn', alias: 'champion' });
        assert.ok(champion.ok && champion.value.version === 2);
        assert.deepEqual(snap.get('churn', 1)!.tags, { team: 'a', reviewed: 'yes' });
        assert.deepEqual(snap.get('churn', 1)!.aliases, []);
        assert.deepEqual(snap.get('churn', 2)!.aliases, ['champion']);
      });

      it('registers a migrated version once, by its origin', async () => {
        const by = { user: 'cy', host: 'ci' };
        const a = await registry.register('churn', artifacts(), { runId: null, task: null, root: null, createdAt: T(1), by, origin: 'src:churn:1' });
        const b = await registry.register('churn', artifacts(), { runId: null, task: null, root: null, createdAt: T(1), by, origin: 'src:churn:1' });
        assert.equal(a.version, 3);
        assert.equal(b.version, 3);
      });
    }

    it('reports what it holds', async () => {
      const info = await store.info();
      assert.equal(info.kind, kind);
      assert.ok(info.schemaVersion >= 1);
      assert.equal(info.artifacts, config.artifacts);
      assert.deepEqual(info.counts, { runs: 3, tasks: 9, attempts: 9, models: 2, modelVersions: 13, cacheEntries: 3, sharedCacheEntries: 1 });
      assert.deepEqual(info.users, ['ana@laptop-1', 'bo@laptop-1']);
    });

    it('refuses a store whose schema is newer than this program', async () => {
      if (kind === 'postgres') await sql(config.url!, 'UPDATE mlops_schema SET version = 999');
      else {
        const { DatabaseSync } = await import('node:sqlite');
        const db = new DatabaseSync(`${config.stateDir}/state.db`);
        db.exec('PRAGMA user_version = 999');
        db.close();
      }
      await assert.rejects(openStore(config), /schema version 999, newer than this mlops knows/);
    });
  });
}

async function waitUntilExpired(store: Store, name: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const l = (await store.info()).leases.find((x) => x.name === name);
    if (!l || l.expiresAt < Date.now() - 5) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`lease ${name} did not expire`);
}
