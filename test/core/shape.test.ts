import assert from 'node:assert/strict';
import { AGENT_REQUESTS, runRequestShape, type RunRequest } from '../../core/src/protocol/agent';
import { boolean, integer, list, object, oneOf, optional, record, string, type Infer } from '../../core/src/protocol/shape';

describe('core: message shapes (one declaration: the type and the check)', () => {
  const shape = object({
    name: string({ nonEmpty: true, max: 8 }),
    n: optional(integer({ min: 0, max: 9 })),
    tags: optional(list(string())),
    env: optional(record(string())),
    on: optional(boolean()),
    kind: optional(oneOf('a', 'b')),
  });
  type T = Infer<typeof shape>;

  it('returns a fresh copy with only the declared fields, typed as declared', () => {
    const input = { name: 'x', n: 3, tags: ['a'], env: { K: 'v' }, on: true, kind: 'a' };
    const r = shape.check(input, 'params');
    assert.ok(r.ok);
    const v: T = r.value;
    assert.deepEqual(JSON.parse(JSON.stringify(v)), input);
    assert.notEqual(v, input);
    assert.notEqual(v.tags, input.tags);
  });

  it('names the field and the expected type, never echoing a large value', () => {
    const cases: [unknown, string][] = [
      [{ name: 5 }, 'params.name: expected a non-empty string, got a number'],
      [{ name: '' }, 'params.name: must not be empty'],
      [{ name: 'x'.repeat(9) }, 'params.name: is longer than 8 characters'],
      [{ name: 'a\0' }, 'params.name: contains a NUL character, which no process can receive'],
      [{ name: 'x', n: -1 }, 'params.n: expected a whole number ≥ 0 ≤ 9, got -1'],
      [{ name: 'x', n: 1.5 }, 'params.n: expected a whole number ≥ 0 ≤ 9, got 1.5'],
      [{ name: 'x', n: '3' }, 'params.n: expected a whole number ≥ 0 ≤ 9, got a string'],
      [{ name: 'x', tags: 'abc' }, 'params.tags: expected a list of strings, got a string'],
      [{ name: 'x', tags: [1] }, 'params.tags[0]: expected a string, got a number'],
      [{ name: 'x', env: ['a'] }, 'params.env: expected an object, got a list'],
      [{ name: 'x', env: { '': 'v' } }, "params.env key '': must not be empty"],
      [{ name: 'x', on: 'true' }, 'params.on: expected true or false, got a string'],
      [{ name: 'x', kind: 'c'.repeat(100) }, `params.kind: expected one of 'a', 'b', got '${'c'.repeat(40)}'`],
      [{ name: 'x', extra: 1 }, "params: unknown field 'extra'; the fields are name, n, tags, env, on, kind"],
      [{}, "params: the field 'name' is missing: expected a non-empty string"],
      [null, 'params: expected an object, got null'],
    ];
    for (const [input, error] of cases) assert.deepEqual(shape.check(input, 'params'), { ok: false, error }, JSON.stringify(input));
  });

  it('keeps a key named __proto__ a key, and absent params an empty object', () => {
    const r = record(string()).check(JSON.parse('{"__proto__": "x", "a": "b"}'), 'p');
    assert.ok(r.ok);
    assert.deepEqual(Object.keys(r.value), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(r.value), null);
    assert.deepEqual(object({ a: optional(string()) }).check(undefined, 'params'), { ok: true, value: {} });
  });

  it('declares every agent request with its params shape, and RunRequest is the shape’s type', () => {
    assert.deepEqual(
      AGENT_REQUESTS.map((r) => r.method),
      ['mlops/run.start', 'mlops/run.cancel', 'mlops/runs.list', 'mlops/runs.show', 'mlops/logs.read', 'mlops/schedules.next', 'mlops/agent.info'],
    );
    for (const r of AGENT_REQUESTS) assert.equal(typeof r.params.check, 'function', r.method);
    const req: RunRequest = { file: 'p.pipeline.yaml', only: ['a'], parallel: 2 };
    assert.deepEqual(runRequestShape.check(req, 'params'), { ok: true, value: req });
  });
});
