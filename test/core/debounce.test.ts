import assert from 'node:assert/strict';
import { KeyedDebouncer } from '../../core/src/util/debounce';
import { FakeClock } from '../clock';

describe('core: the keyed debouncer', () => {
  it('runs a key’s action once its wait has passed with no newer call', () => {
    const clock = new FakeClock();
    const d = new KeyedDebouncer<string>(clock);
    const ran: string[] = [];
    d.schedule('a', 100, () => ran.push('a1'));
    clock.advance(99);
    assert.deepEqual(ran, []);
    assert.ok(d.pending('a'));
    clock.advance(1);
    assert.deepEqual(ran, ['a1']);
    assert.ok(!d.pending('a'));
  });

  it('restarts the wait and keeps only the newest action when called again', () => {
    const clock = new FakeClock();
    const d = new KeyedDebouncer<string>(clock);
    const ran: string[] = [];
    d.schedule('a', 100, () => ran.push('a1'));
    clock.advance(60);
    d.schedule('a', 100, () => ran.push('a2'));
    clock.advance(60);
    assert.deepEqual(ran, []);
    clock.advance(40);
    assert.deepEqual(ran, ['a2']);
  });

  it('keeps keys apart, and cancel and dispose drop pending actions', () => {
    const clock = new FakeClock();
    const d = new KeyedDebouncer<string>(clock);
    const ran: string[] = [];
    d.schedule('a', 10, () => ran.push('a'));
    d.schedule('b', 20, () => ran.push('b'));
    d.schedule('c', 30, () => ran.push('c'));
    d.cancel('a');
    clock.advance(20);
    assert.deepEqual(ran, ['b']);
    d.dispose();
    clock.advance(100);
    assert.deepEqual(ran, ['b']);
    assert.equal(clock.pending, 0);
  });
});
