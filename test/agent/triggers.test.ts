import assert from 'node:assert/strict';
import { Triggers } from '../../agent/src/triggers';
import { project, removeProjects } from './helpers';

/** A clock and timers the test moves by hand. */
function fakeTime(start: string) {
  let now = new Date(start).getTime();
  let timer: { fn: () => void; at: number } | null = null;
  return {
    now: () => new Date(now),
    setTimer: (fn: () => void, ms: number) => {
      timer = { fn, at: now + ms };
      return {} as NodeJS.Timeout;
    },
    clearTimer: () => {
      timer = null;
    },
    /** Moves the clock, firing the armed timer whenever it comes due. */
    advanceTo(iso: string) {
      const target = new Date(iso).getTime();
      while (timer && timer.at <= target) {
        now = timer.at;
        const t = timer;
        timer = null;
        t.fn();
      }
      now = target;
    },
    nextTimer: () => (timer ? new Date(timer.at).toISOString() : null),
  };
}

describe('schedules', () => {
  after(removeProjects);
  const pipelines = {
    'nightly.pipeline.yaml': 'version: 1\nname: nightly\nschedule: {cron: "0 3 * * *", timezone: Europe/Berlin}\ntasks:\n  a: {run: "true"}\n',
    'often.pipeline.yaml': 'version: 1\nname: often\nschedule: ["*/15 * * * *"]\ntasks:\n  a: {run: "true"}\n',
    'never.pipeline.yaml': 'version: 1\nname: never\ntasks:\n  a: {run: "true"}\n',
  };

  it('lists the next fire time of each scheduled pipeline, in its time zone', () => {
    const dir = project(pipelines);
    const time = fakeTime('2026-07-01T10:07:00Z');
    const t = new Triggers({ root: dir, now: time.now, claim: () => true, fire: () => undefined, setTimer: time.setTimer, clearTimer: time.clearTimer });
    const next = t.next().map((s) => [s.pipeline, s.cron, s.timezone, s.next]);
    assert.deepEqual(next, [
      ['nightly', '0 3 * * *', 'Europe/Berlin', '2026-07-02T01:00:00.000Z'], // 03:00 CEST
      ['often', '*/15 * * * *', 'UTC', '2026-07-01T10:15:00.000Z'],
    ]);
  });

  it('fires at cron times while running, once per time, and never replays missed times', () => {
    const dir = project(pipelines);
    const time = fakeTime('2026-01-15T01:50:00Z');
    const fired: string[] = [];
    const claimed = new Set<string>();
    const t = new Triggers({
      root: dir,
      now: time.now,
      claim: (file, cron, at) => {
        const key = `${file} ${cron} ${at.toISOString()}`;
        if (claimed.has(key)) return false;
        claimed.add(key);
        return true;
      },
      fire: (file, at) => fired.push(`${file.replace(`${dir}/`, '')} ${at.toISOString()}`),
      setTimer: time.setTimer,
      clearTimer: time.clearTimer,
    });
    t.start();
    assert.ok(time.nextTimer()! <= '2026-01-15T02:00:00.000Z', 'wakes up by the first fire time');
    time.advanceTo('2026-01-15T02:31:00Z');
    assert.deepEqual(fired, [
      'nightly.pipeline.yaml 2026-01-15T02:00:00.000Z', // 03:00 CET
      'often.pipeline.yaml 2026-01-15T02:00:00.000Z',
      'often.pipeline.yaml 2026-01-15T02:15:00.000Z',
      'often.pipeline.yaml 2026-01-15T02:30:00.000Z',
    ]);

    // Stopped for three hours: the times in between are not replayed.
    t.stop();
    time.advanceTo('2026-01-15T05:40:00Z');
    t.start();
    fired.length = 0;
    time.advanceTo('2026-01-15T06:01:00Z');
    assert.deepEqual(fired, ['often.pipeline.yaml 2026-01-15T05:45:00.000Z', 'often.pipeline.yaml 2026-01-15T06:00:00.000Z']);
  });

  it('does not fire a time another agent already claimed', () => {
    const dir = project({ 'often.pipeline.yaml': pipelines['often.pipeline.yaml'] });
    const time = fakeTime('2026-01-15T01:50:00Z');
    const fired: string[] = [];
    const t = new Triggers({ root: dir, now: time.now, claim: () => false, fire: (f) => fired.push(f), setTimer: time.setTimer, clearTimer: time.clearTimer });
    t.start();
    time.advanceTo('2026-01-15T02:20:00Z');
    assert.deepEqual(fired, []);
  });
});
