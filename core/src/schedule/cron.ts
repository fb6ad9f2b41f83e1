/** Five-field cron expressions and the @macros, parsed once and able to compute next fire times. */
import { err, ok, type Result } from '../result';

export interface CronSpec {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Whether day-of-month / day-of-week were restricted (cron ORs them when both are). */
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, base: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, base: 0 },
] as const;

/** Parses a cron expression; the error says which field is wrong and why. */
export function parseCron(expr: string): Result<CronSpec> {
  const trimmed = expr.trim();
  const expanded = MACROS[trimmed.toLowerCase()] ?? trimmed;
  if (expanded.startsWith('@')) {
    return err(`'${trimmed}' is not a known macro; use @hourly, @daily, @weekly, @monthly or @yearly.`);
  }
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) {
    return err(`A cron expression has 5 fields (minute hour day-of-month month day-of-week); '${trimmed}' has ${parts.length}.`);
  }
  const sets: Set<number>[] = [];
  for (let i = 0; i < 5; i++) {
    const r = parseField(parts[i]!, FIELDS[i]!);
    if (typeof r === 'string') return err(r);
    sets.push(r);
  }
  const weekdays = new Set([...sets[4]!].map((d) => d % 7));
  return ok({
    minutes: sets[0]!,
    hours: sets[1]!,
    days: sets[2]!,
    months: sets[3]!,
    weekdays,
    dayRestricted: parts[2] !== '*' && parts[2] !== '?',
    weekdayRestricted: parts[4] !== '*' && parts[4] !== '?',
  });
}

type Field = (typeof FIELDS)[number];

function parseField(text: string, f: Field): Set<number> | string {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [rangePart, stepPart, extra] = item.split('/');
    if (extra !== undefined) return `The ${f.name} field '${text}' has more than one '/'.`;
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) === 0) return `The step '/${stepPart}' in the ${f.name} field must be a positive whole number.`;
      step = Number(stepPart);
    }
    let lo: number;
    let hi: number;
    if (rangePart === '*' || rangePart === '?') {
      lo = f.min;
      hi = f.name === 'day of week' ? 6 : f.max;
    } else {
      const bounds = rangePart!.split('-');
      if (bounds.length > 2 || bounds.some((b) => b === '')) return `'${rangePart}' in the ${f.name} field is not a value or range.`;
      const nums: number[] = [];
      for (const b of bounds) {
        const n = value(b, f);
        if (n === undefined) return `'${b}' is not a valid ${f.name} (allowed ${f.min}-${f.max}${'names' in f ? ' or names like ' + f.names.slice(0, 3).join(', ') : ''}).`;
        nums.push(n);
      }
      lo = nums[0]!;
      hi = nums.length === 2 ? nums[1]! : stepPart !== undefined ? (f.name === 'day of week' ? 6 : f.max) : lo;
      if (hi < lo) return `The range '${rangePart}' in the ${f.name} field runs backwards; write the smaller value first.`;
    }
    for (let n = lo; n <= hi; n += step) out.add(n);
  }
  return out;
}

function value(text: string, f: Field): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= f.min && n <= f.max ? n : undefined;
  }
  if ('names' in f) {
    const i = (f.names as readonly string[]).indexOf(text.toLowerCase());
    if (i !== -1) return i + f.base;
  }
  return undefined;
}

type Wall = { y: number; mo: number; d: number; h: number; mi: number; wd: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of an instant (ms since the epoch) in a time zone. */
function zoned(ms: number, timeZone: string): Wall {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    y: Number(parts.year),
    mo: Number(parts.month),
    d: Number(parts.day),
    h: Number(parts.hour),
    mi: Number(parts.minute),
    wd: DAYS.indexOf(parts.weekday!.toLowerCase().slice(0, 3)),
  };
}

function sameWall(a: Wall, b: Wall): boolean {
  return a.y === b.y && a.mo === b.mo && a.d === b.d && a.h === b.h && a.mi === b.mi;
}

/**
 * The first fire time strictly after `after`, in the given time zone; days and hours that
 * cannot match are skipped. Like cron, a wall-clock time that does not exist (clocks go
 * forward) is skipped, and one that happens twice (clocks go back) fires only the first time.
 * Undefined if none within ~5 years.
 */
export function nextFire(spec: CronSpec, after: Date, timeZone = 'UTC'): Date | undefined {
  let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
  const limit = t + 5 * 366 * 86_400_000;
  while (t < limit) {
    const z = zoned(t, timeZone);
    if (!spec.months.has(z.mo) || !dayMatches(spec, z)) {
      t = nextMidnight(t, z, timeZone);
      continue;
    }
    if (!spec.hours.has(z.h)) {
      t += (60 - z.mi) * 60_000;
      continue;
    }
    if (spec.minutes.has(z.mi) && !happenedBefore(t, z, timeZone)) return new Date(t);
    t += 60_000;
  }
  return undefined;
}

/** The start of the next local day. A day is 23 or 25 hours long when the clocks change. */
function nextMidnight(t: number, z: Wall, timeZone: string): number {
  const next = t + (24 * 60 - (z.h * 60 + z.mi)) * 60_000;
  const n = zoned(next, timeZone);
  const over = n.h * 60 + n.mi;
  // A short day: we landed past midnight. Step back unless midnight itself does not exist.
  if ((n.d !== z.d || n.mo !== z.mo || n.y !== z.y) && over > 0) {
    const back = next - over * 60_000;
    const b = zoned(back, timeZone);
    if (b.d === n.d && b.mo === n.mo && b.y === n.y) return back;
  }
  return next;
}

/** True when the same wall-clock minute already happened shortly before (clocks went back). */
function happenedBefore(t: number, z: Wall, timeZone: string): boolean {
  return sameWall(zoned(t - 3_600_000, timeZone), z) || sameWall(zoned(t - 1_800_000, timeZone), z);
}

function dayMatches(spec: CronSpec, z: Wall): boolean {
  const dom = spec.days.has(z.d);
  const dow = spec.weekdays.has(z.wd);
  if (spec.dayRestricted && spec.weekdayRestricted) return dom || dow;
  return dom && dow;
}
