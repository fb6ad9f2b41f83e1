/** A store written by a newer mlops is refused by every command, with exit 2 and what to do. */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import * as path from 'node:path';
import { mlops, project, removeProjects } from '../agent/helpers';
import { dropDatabases, freshDatabase, requirePostgres, sql } from './pg';

describe('store: a newer schema is refused (real CLI)', function () {
  this.timeout(60_000);
  after(async () => {
    removeProjects();
    await dropDatabases();
  });

  it('SQLite: exit 2 naming both versions', async () => {
    const dir = project({ 'p.pipeline.yaml': 'version: 1\nname: p\ntasks:\n  a: {run: "true"}\n' });
    assert.equal((await mlops(['run', 'p.pipeline.yaml'], dir)).code, 0);
    const db = new DatabaseSync(path.join(dir, '.mlops', 'state.db'));
    db.exec('PRAGMA user_version = 99');
    db.close();
    const r = await mlops(['runs', 'list'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^mlops runs: The state database has schema version 99, newer than this mlops knows \(\d+\); upgrade mlops or use another --state-dir\.\n$/);
  });

  it('PostgreSQL: exit 2 naming the store and both versions', async function () {
    await requirePostgres(this);
    const url = await freshDatabase();
    const dir = project({});
    assert.equal((await mlops(['store', 'info', '--store', url], dir)).code, 0);
    await sql(url, 'UPDATE mlops_schema SET version = 99');
    const r = await mlops(['runs', 'list', '--store', url], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^mlops runs: The team store at 127\.0\.0\.1:\d+\/mlops_t_[0-9a-f]+ has schema version 99, newer than this mlops knows \(\d+\); upgrade mlops, or use another store\.\n$/);
  });
});
