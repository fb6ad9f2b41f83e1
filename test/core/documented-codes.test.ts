import assert from 'node:assert/strict';
import { EXPORT_CODES, FEATURE_CODES, PIPELINE_CODES } from '../../core/src/index';
import { documentedCodes } from './helpers';

describe('docs: the diagnostic-code tables', () => {
  const pipeline = documentedCodes('pipeline-format.md');
  const features = documentedCodes('feature-catalog.md');

  it('docs/pipeline-format.md has a row for every pipeline code and none for a code that does not exist', () => {
    assert.deepEqual([...pipeline.keys()].sort(), [...PIPELINE_CODES].sort());
  });

  it('docs/feature-catalog.md has a row for every catalog code and none for a code that does not exist', () => {
    assert.deepEqual([...features.keys()].sort(), [...FEATURE_CODES].sort());
  });

  it('docs/argo.md has a row for every export code and none for a code that does not exist', () => {
    assert.deepEqual([...documentedCodes('argo.md').keys()].sort(), [...EXPORT_CODES].sort());
  });

  it('gives a code shared by both formats the same severity in both tables', () => {
    const shared = FEATURE_CODES.filter((c) => (PIPELINE_CODES as readonly string[]).includes(c));
    assert.deepEqual(shared, ['yaml-syntax', 'duplicate-key', 'schema', 'invalid-id']);
    for (const c of shared) assert.equal(features.get(c), pipeline.get(c), c);
  });
});
