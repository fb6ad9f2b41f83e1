import * as assert from 'node:assert/strict';
import { runOptionsOf } from '../../client/src/runs/run-options';

describe('client: run settings as request fields', () => {
  it('leaves every field out at the defaults, so the agent decides', () => {
    assert.deepEqual(runOptionsOf({ parallel: 0, executor: 'pipeline', keepGoing: false, pull: false }), {});
  });

  it('passes what the user set', () => {
    assert.deepEqual(runOptionsOf({ parallel: 3, executor: 'docker', keepGoing: true, pull: true }), { parallel: 3, executor: 'docker', keepGoing: true, pull: true });
    assert.deepEqual(runOptionsOf({ parallel: 1, executor: 'local', keepGoing: false, pull: false }), { parallel: 1, executor: 'local' });
    assert.deepEqual(runOptionsOf({ parallel: 0, executor: 'slurm', keepGoing: false, pull: false }), { executor: 'slurm' });
  });

  it('ignores hand-edited values the settings schema would refuse', () => {
    assert.deepEqual(runOptionsOf({ parallel: -2, executor: 'kubernetes', keepGoing: 'yes', pull: 1 }), {});
    assert.deepEqual(runOptionsOf({ parallel: 2.5, executor: undefined, keepGoing: null, pull: 'true' }), {});
    assert.deepEqual(runOptionsOf({ parallel: '4', executor: 'Docker', keepGoing: true, pull: false }), { keepGoing: true });
  });
});
