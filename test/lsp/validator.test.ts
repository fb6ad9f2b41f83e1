import assert from 'node:assert/strict';
import type { Validation } from '../../server/src/engine/engine';
import type { Router } from '../../server/src/main/router';
import { Validator } from '../../server/src/main/validator';
import { FakeClock } from '../clock';

const URI = 'file:///w/p.pipeline.yaml';

/**
 * The validator against a stand-in router whose checks the test answers by hand, and a fake
 * clock the test moves: when it checks is decided by time and messages alone.
 */
function setUp() {
  const clock = new FakeClock();
  const calls: { uri: string; answer: (v: Validation | null) => void }[] = [];
  const router = {
    call: (uri: string) => new Promise<Validation | null>((answer) => calls.push({ uri, answer })),
    isGivenUp: () => false,
  } as unknown as Router;
  const versions = new Map<string, number>([[URI, 1]]);
  const published: { uri: string; version: number; messages: string[] }[] = [];
  const validator = new Validator(
    router,
    {
      version: (uri) => versions.get(uri),
      publish: (uri, version, diagnostics) => published.push({ uri, version, messages: diagnostics.map((d) => String(d.message)) }),
      log: () => undefined,
    },
    Promise.resolve(),
    clock,
  );
  validator.debounceMs = 300;
  return { clock, calls, versions, published, validator };
}

/** A check's answer with one diagnostic saying `message`. */
const answer = (message: string): Validation => ({
  diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message }],
  status: { uri: URI, kind: 'pipeline', errors: 0, warnings: 0 } as unknown as Validation['status'],
  usesFeatures: false,
  files: [],
});

/** Lets the promises the validator is waiting on settle (no timers: those move only with the clock). */
const flush = () => new Promise((r) => setImmediate(r));

describe('language server: the validator decides when to check, by its clock', () => {
  it('checks a changed document once the quiet period is over, not a millisecond before; a later change restarts it', async () => {
    const { clock, calls, validator } = setUp();
    validator.schedule(URI);
    clock.advance(299);
    await flush();
    assert.equal(calls.length, 0);
    validator.schedule(URI); // typing on
    clock.advance(299);
    await flush();
    assert.equal(calls.length, 0, 'the second change restarted the quiet period');
    assert.equal(validator.pending(URI), true);
    clock.advance(1);
    await flush();
    assert.deepEqual(
      calls.map((c) => c.uri),
      [URI],
    );
  });

  it('by default checks a change on the next turn of the clock, and folds keystrokes typed during a check into one more check', async () => {
    const { clock, calls, versions, validator, published } = setUp();
    validator.debounceMs = new Validator({} as Router, { version: () => undefined, publish: () => undefined, log: () => undefined }, Promise.resolve()).debounceMs;
    assert.equal(validator.debounceMs, 0);
    validator.schedule(URI);
    clock.advance(0);
    await flush();
    assert.equal(calls.length, 1, 'no quiet period: the check started at once');
    for (let v = 2; v <= 6; v++) {
      versions.set(URI, v);
      validator.schedule(URI);
      clock.advance(0);
      await flush();
    }
    assert.equal(calls.length, 1, 'five keystrokes during the check started no check of their own');
    calls[0]!.answer(answer('outdated'));
    await flush();
    assert.equal(calls.length, 2, 'one more check for all of them');
    calls[1]!.answer(answer('current'));
    await flush();
    assert.deepEqual(published, [{ uri: URI, version: 6, messages: ['current'] }]);
  });

  it('checks at once on open or save, dropping the quiet period that was running', async () => {
    const { clock, calls, validator, published } = setUp();
    validator.schedule(URI);
    validator.now(URI);
    await flush();
    assert.equal(calls.length, 1);
    calls[0]!.answer(answer('first'));
    await flush();
    clock.advance(1000);
    await flush();
    assert.equal(calls.length, 1, 'no second check when the quiet period would have ended');
    assert.deepEqual(published, [{ uri: URI, version: 1, messages: ['first'] }]);
  });

  it('runs one check per document at a time, one more for changes meanwhile, and publishes only the current version', async () => {
    const { clock, calls, versions, validator, published } = setUp();
    validator.now(URI);
    await flush();
    versions.set(URI, 2); // edited while the first check runs
    validator.now(URI);
    await flush();
    assert.equal(calls.length, 1, 'the second check waits for the first');
    calls[0]!.answer(answer('for version 1'));
    await flush();
    assert.equal(calls.length, 2, 'then runs');
    assert.deepEqual(published, [], 'the answer for version 1 came when the document was at version 2');
    calls[1]!.answer(answer('for version 2'));
    await flush();
    assert.deepEqual(published, [{ uri: URI, version: 2, messages: ['for version 2'] }]);
    assert.equal(validator.pending(URI), false);
    assert.equal(clock.pending, 0);
  });

  it('forgets a closed document: its quiet period ends without a check', async () => {
    const { clock, calls, validator } = setUp();
    validator.schedule(URI);
    validator.forget(URI);
    clock.advance(10_000);
    await flush();
    assert.equal(calls.length, 0);
    assert.equal(validator.pending(URI), false);
  });
});
