import assert from 'node:assert/strict';
import { redactUrl, storeConfig } from '../../agent/src/state/config';
import { parseArgs } from '../../agent/src/util/args';

const args = (...argv: string[]) => parseArgs(argv, { values: ['store', 'artifacts', 'state-dir'] });

describe('store: choosing the store', () => {
  it('is SQLite in .mlops/ unless a postgresql:// URL is given; the flag wins over MLOPS_STORE', () => {
    assert.deepEqual(storeConfig('/w', args(), {}), { url: null, stateDir: '/w/.mlops', artifacts: '/w/.mlops' });
    assert.deepEqual(storeConfig('/w', args('--state-dir', 's'), { MLOPS_STORE: '' }), { url: null, stateDir: '/w/s', artifacts: '/w/s' });
    assert.equal(storeConfig('/w', args(), { MLOPS_STORE: 'postgresql://a@db/x' }).url, 'postgresql://a@db/x');
    assert.equal(storeConfig('/w', args('--store', 'postgres://b@db/y'), { MLOPS_STORE: 'postgresql://a@db/x' }).url, 'postgres://b@db/y');
  });

  it('puts artifacts in --artifacts, else MLOPS_ARTIFACTS, else the state folder', () => {
    assert.equal(storeConfig('/w', args('--artifacts', 'shared'), { MLOPS_ARTIFACTS: '/mnt/a' }).artifacts, '/w/shared');
    assert.equal(storeConfig('/w', args(), { MLOPS_ARTIFACTS: '/mnt/a' }).artifacts, '/mnt/a');
  });

  it('refuses another kind of URL, without printing its password', () => {
    assert.throws(
      () => storeConfig('/w', args('--store', 'mysql://u:hunter2@db/x'), {}),
      (e: Error) => {
        assert.equal(e.message, "--store takes a postgresql://USER@HOST:PORT/DATABASE URL (got 'mysql://u:***@db/x'); leave it out to keep the history in /w/.mlops.");
        return true;
      },
    );
    assert.equal(redactUrl('postgresql://ana:pw@db:5432/m'), 'postgresql://ana:***@db:5432/m');
    assert.equal(redactUrl('postgresql://ana@db:5432/m'), 'postgresql://ana@db:5432/m');
  });
});
