import assert from 'node:assert/strict';
import { storeEnv, withoutPassword } from '../../client/src/agent/store-env';

describe('client: team store settings as the agents’ environment', () => {
  it('passes the store and artifact folder, and the password only with a store', () => {
    assert.deepEqual(storeEnv({ url: '', artifacts: '' }, 'secret'), {});
    assert.deepEqual(storeEnv({ url: 'postgresql://ana@db:5432/mlops', artifacts: '/mnt/mlops' }, 'secret'), {
      MLOPS_STORE: 'postgresql://ana@db:5432/mlops',
      MLOPS_ARTIFACTS: '/mnt/mlops',
      PGPASSWORD: 'secret',
    });
    assert.deepEqual(storeEnv({ url: 'postgresql://ana@db/mlops', artifacts: '' }, undefined), { MLOPS_STORE: 'postgresql://ana@db/mlops' });
    assert.deepEqual(storeEnv({ url: '', artifacts: 'shared' }, 'secret'), { MLOPS_ARTIFACTS: 'shared' });
  });

  it('keys the secret by the URL without its password', () => {
    assert.equal(withoutPassword('postgresql://ana:hunter2@db:5432/mlops'), 'postgresql://ana@db:5432/mlops');
    assert.equal(withoutPassword('postgresql://ana@db:5432/mlops'), 'postgresql://ana@db:5432/mlops');
    assert.equal(withoutPassword('postgres://db/mlops'), 'postgres://db/mlops');
  });
});
