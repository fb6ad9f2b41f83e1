import assert from 'node:assert/strict';
import { isTimeZone, nextFire, parseCron, parseDuration, parseImage, parseQuantity, type CronSpec } from '../../core/src/index';
import { timed } from './helpers';

function cron(expr: string): CronSpec {
  const r = parseCron(expr);
  assert.ok(r.ok, `${expr}: ${r.ok ? '' : r.error}`);
  return r.value;
}

function cronError(expr: string): string {
  const r = parseCron(expr);
  assert.ok(!r.ok, `${expr} should be rejected`);
  return r.error;
}

const iso = (d: Date | undefined) => d?.toISOString();

describe('core: quantities', () => {
  const cases: Array<[string | number, number, string]> = [
    ['500m', 0.5, 'm'],
    ['2', 2, ''],
    [2, 2, ''],
    ['0.5', 0.5, ''],
    ['.5', 0.5, ''],
    ['4Gi', 4 * 2 ** 30, 'Gi'],
    ['512Mi', 512 * 2 ** 20, 'Mi'],
    ['2G', 2e9, 'G'],
    ['1k', 1000, 'k'],
    ['1e3', 1000, 'e3'],
    [' 1Ki ', 1024, 'Ki'],
  ];
  for (const [text, value, suffix] of cases) {
    it(`reads ${JSON.stringify(text)} as ${value}`, () => assert.deepEqual(parseQuantity(text), { value, suffix }));
  }

  it('rejects what Kubernetes rejects', () => {
    for (const bad of ['lots', '', '4GB', '2 Gi', '1.2.3', 'Gi', '1gi', '0x10', Infinity, NaN]) {
      assert.equal(parseQuantity(bad as string | number), undefined, String(bad));
    }
  });
});

describe('core: durations', () => {
  const cases: Array<[string, number]> = [
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['30d', 30 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['0s', 0],
  ];
  for (const [text, ms] of cases) {
    it(`reads ${text} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }

  it('rejects numbers without units, spaces, signs and unknown units', () => {
    for (const bad of ['90', '', 'forever', '1h 30m', '-1s', '1y', 'h', '1.h', '10 s', 's10']) assert.equal(parseDuration(bad), undefined, bad);
  });
});

describe('core: image references', () => {
  const good: Array<[string, ReturnType<typeof parseImage>]> = [
    ['python', { name: 'python' }],
    ['python:3.12-slim', { name: 'python', tag: '3.12-slim' }],
    ['ghcr.io/org/trainer:1.4', { name: 'ghcr.io/org/trainer', tag: '1.4' }],
    ['localhost:5000/trainer:3.1', { name: 'localhost:5000/trainer', tag: '3.1' }],
    ['docker.io/library/python:Latest_1', { name: 'docker.io/library/python', tag: 'Latest_1' }],
    ['my-org/my_image__x:v1', { name: 'my-org/my_image__x', tag: 'v1' }],
    [`python@sha256:${'a'.repeat(64)}`, { name: 'python', digest: `sha256:${'a'.repeat(64)}` }],
    [`python:3@sha256:${'0'.repeat(64)}`, { name: 'python', tag: '3', digest: `sha256:${'0'.repeat(64)}` }],
  ];
  for (const [ref, parts] of good) {
    it(`splits ${ref.slice(0, 40)}`, () => assert.deepEqual(parseImage(ref), parts));
  }

  it('rejects invalid references', () => {
    for (const bad of ['Python', 'python:', 'Not An Image!', 'a//b', '-python', 'python:-1', 'python@sha256:abc', ':tag', '', `x:${'a'.repeat(129)}`, `${'a/'.repeat(130)}b`]) {
      assert.equal(parseImage(bad), undefined, bad);
    }
  });
});

describe('core: time zones', () => {
  it('accepts IANA names and rejects others', () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Etc/GMT+2']) assert.equal(isTimeZone(tz), true, tz);
    for (const tz of ['Mars/Base', '+02:00', '', 'Europe/Berln', '2']) assert.equal(isTimeZone(tz), false, tz);
  });
});

describe('core: cron expressions', () => {
  it('parses fields, ranges, steps, lists, names and macros', () => {
    const s = cron('*/15 9-17/4 1,15 jan-MAR mon-fri');
    assert.deepEqual([...s.minutes], [0, 15, 30, 45]);
    assert.deepEqual([...s.hours], [9, 13, 17]);
    assert.deepEqual([...s.days], [1, 15]);
    assert.deepEqual([...s.months], [1, 2, 3]);
    assert.deepEqual([...s.weekdays], [1, 2, 3, 4, 5]);
    assert.equal(s.dayRestricted && s.weekdayRestricted, true);
    assert.deepEqual([...cron('0 0 * * 7').weekdays], [0]);
    assert.deepEqual([...cron('5/20 * * * *').minutes], [5, 25, 45]);
    assert.deepEqual(cron('@daily'), cron('0 0 * * *'));
    assert.deepEqual(cron('@HOURLY'), cron('0 * * * *'));
    assert.deepEqual(cron('  0 3 * * *  '), cron('0 3 * * *'));
  });

  it('says which field is wrong and why', () => {
    assert.equal(cronError('0 25 * * *'), "'25' is not a valid hour (allowed 0-23).");
    assert.equal(cronError('60 * * * *'), "'60' is not a valid minute (allowed 0-59).");
    assert.equal(cronError('0 0 0 * *'), "'0' is not a valid day of month (allowed 1-31).");
    assert.equal(cronError('0 0 * 13 *'), "'13' is not a valid month (allowed 1-12 or names like jan, feb, mar).");
    assert.equal(cronError('0 0 * * funday'), "'funday' is not a valid day of week (allowed 0-7 or names like sun, mon, tue).");
    assert.equal(cronError('* * *'), "A cron expression has 5 fields (minute hour day-of-month month day-of-week); '* * *' has 3.");
    assert.equal(cronError('0 3 * * * *'), "A cron expression has 5 fields (minute hour day-of-month month day-of-week); '0 3 * * * *' has 6.");
    assert.equal(cronError('@nightly'), "'@nightly' is not a known macro; use @hourly, @daily, @weekly, @monthly or @yearly.");
    assert.equal(cronError('*/0 * * * *'), "The step '/0' in the minute field must be a positive whole number.");
    assert.equal(cronError('1/2/3 * * * *'), "The minute field '1/2/3' has more than one '/'.");
    assert.equal(cronError('0 17-9 * * *'), "The range '17-9' in the hour field runs backwards; write the smaller value first.");
    assert.equal(cronError('5- * * * *'), "'5-' in the minute field is not a value or range.");
    assert.match(cronError(''), /has 5 fields/);
  });
});

describe('core: next fire time', () => {
  it('fires at the next matching minute, strictly after the given time (UTC)', () => {
    const s = cron('0 3 * * *');
    assert.equal(iso(nextFire(s, new Date('2025-06-01T02:59:30Z'))), '2025-06-01T03:00:00.000Z');
    assert.equal(iso(nextFire(s, new Date('2025-06-01T03:00:00Z'))), '2025-06-02T03:00:00.000Z');
    assert.equal(iso(nextFire(cron('*/15 * * * *'), new Date('2025-06-01T10:07:00Z'))), '2025-06-01T10:15:00.000Z');
  });

  it('follows Europe/Berlin across the spring change: 03:00 local is 02:00 UTC before and 01:00 UTC after', () => {
    const s = cron('0 3 * * *');
    assert.equal(iso(nextFire(s, new Date('2025-03-29T00:00:00Z'), 'Europe/Berlin')), '2025-03-29T02:00:00.000Z');
    assert.equal(iso(nextFire(s, new Date('2025-03-29T02:00:00Z'), 'Europe/Berlin')), '2025-03-30T01:00:00.000Z');
    assert.equal(iso(nextFire(s, new Date('2025-03-30T01:00:00Z'), 'Europe/Berlin')), '2025-03-31T01:00:00.000Z');
  });

  it('follows Europe/Berlin across the autumn change', () => {
    const s = cron('0 3 * * *');
    assert.equal(iso(nextFire(s, new Date('2025-10-25T01:30:00Z'), 'Europe/Berlin')), '2025-10-26T02:00:00.000Z');
    assert.equal(iso(nextFire(s, new Date('2025-10-26T02:00:00Z'), 'Europe/Berlin')), '2025-10-27T02:00:00.000Z');
  });

  it('skips a wall-clock time that does not exist, and fires a repeated one once', () => {
    const s = cron('30 2 * * *');
    // 2025-03-30 02:30 does not exist in Berlin: the next run is on the 31st.
    assert.equal(iso(nextFire(s, new Date('2025-03-29T23:00:00Z'), 'Europe/Berlin')), '2025-03-31T00:30:00.000Z');
    // 2025-10-26 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET): only the first counts.
    assert.equal(iso(nextFire(s, new Date('2025-10-25T23:00:00Z'), 'Europe/Berlin')), '2025-10-26T00:30:00.000Z');
    assert.equal(iso(nextFire(s, new Date('2025-10-26T00:30:00Z'), 'Europe/Berlin')), '2025-10-27T01:30:00.000Z');
  });

  it('does not skip the morning after a short day (Monday 00:30 after the spring change)', () => {
    // Sunday 2025-03-30 has 23 hours in Berlin.
    const s = cron('30 0 * * 1');
    assert.equal(iso(nextFire(s, new Date('2025-03-29T22:00:00Z'), 'Europe/Berlin')), '2025-03-30T22:30:00.000Z');
  });

  it('works in a zone with a half-hour offset', () => {
    assert.equal(iso(nextFire(cron('0 9 * * *'), new Date('2025-06-01T00:00:00Z'), 'Asia/Kolkata')), '2025-06-01T03:30:00.000Z');
  });

  it('ORs day of month and day of week when both are restricted, as cron does', () => {
    // 2025-02-03 is a Monday, long before the 29th.
    assert.equal(iso(nextFire(cron('0 0 29 2 1'), new Date('2025-01-01T00:00:00Z'))), '2025-02-03T00:00:00.000Z');
    assert.equal(iso(nextFire(cron('0 0 29 2 *'), new Date('2025-01-01T00:00:00Z'))), '2028-02-29T00:00:00.000Z');
  });

  it('gives up quickly on a date that never comes', () => {
    const { value, ms } = timed(() => nextFire(cron('0 0 30 2 *'), new Date('2025-01-01T00:00:00Z'), 'Europe/Berlin'));
    assert.equal(value, undefined);
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms of CPU time`);
  });
});
