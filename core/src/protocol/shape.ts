/**
 * Message shapes declared once, as values: the TypeScript type of a message is derived from
 * its shape (`Infer<typeof shape>`), and the same shape checks an untrusted message at run
 * time, so the declaration and the check can never drift apart. Small on purpose: the
 * agent protocol needs strings, bounded integers, booleans, literals, lists, string maps
 * and objects with optional fields. Every check is bounded (string length, list and map
 * size), refuses NUL in strings (no process, path or environment can carry it) and names
 * the offending field (`params.only[2]`).
 */
import { err, ok, type Result } from '../result';

/** A checked value, or why the value was refused, naming the field. */
export type Checked<T> = Result<T>;

/** A shape: checks an unknown value and returns a fresh copy holding only what it declares. */
export interface Shape<T> {
  /** Phantom: binds the type, never set. */
  readonly _type?: T;
  /** How the shape is written in messages: `a string`, `a whole number ≥ 1`. */
  readonly expected: string;
  readonly optional: boolean;
  check(x: unknown, field: string): Checked<T>;
}

/** The TypeScript type a shape checks. */
export type Infer<S> = S extends Shape<infer T> ? T : never;

type Fields = Record<string, Shape<unknown>>;
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K]['optional'] extends true ? K : never }[keyof F];
type RequiredKeys<F extends Fields> = Exclude<keyof F, OptionalKeys<F>>;
type Flatten<T> = { [K in keyof T]: T[K] };
/** The object type of a field map: optional shapes become optional properties. */
export type ObjectOf<F extends Fields> = Flatten<{ [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }>;

/** The longest string any field takes unless it says otherwise: paths, ids and param values stay far below. */
export const MAX_STRING = 64 * 1024;
/** The most items a list or map takes unless it says otherwise. */
export const MAX_ITEMS = 10_000;

const fail = (field: string, message: string): Checked<never> => err(`${field}: ${message}`);

/** How a refused value is described in a message: its JSON type, never its (possibly huge) content. */
function typeOf(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a list';
  if (typeof x === 'object') return 'an object';
  if (typeof x === 'number' && !Number.isFinite(x)) return 'a non-finite number';
  return `a ${typeof x}`;
}

function make<T>(expected: string, check: (x: unknown, field: string) => Checked<T>): Shape<T> & { optional: false } {
  return { expected, optional: false, check: (x, field) => check(x, field) };
}

export interface StringOptions {
  /** At most this many characters (default MAX_STRING). */
  max?: number;
  /** The empty string is refused. */
  nonEmpty?: boolean;
}

export function string(opts: StringOptions = {}): Shape<string> & { optional: false } {
  const max = opts.max ?? MAX_STRING;
  const expected = opts.nonEmpty ? 'a non-empty string' : 'a string';
  return make(expected, (x, field) => {
    if (typeof x !== 'string') return fail(field, `expected ${expected}, got ${typeOf(x)}`);
    if (opts.nonEmpty && x === '') return fail(field, 'must not be empty');
    if (x.length > max) return fail(field, `is longer than ${max} characters`);
    if (x.includes('\0')) return fail(field, 'contains a NUL character, which no process can receive');
    return ok(x);
  });
}

export function integer(opts: { min?: number; max?: number } = {}): Shape<number> & { optional: false } {
  const min = opts.min ?? Number.MIN_SAFE_INTEGER;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const expected = `a whole number${opts.min !== undefined ? ` ≥ ${min}` : ''}${opts.max !== undefined ? ` ≤ ${max}` : ''}`;
  return make(expected, (x, field) => {
    if (typeof x !== 'number' || !Number.isInteger(x)) return fail(field, `expected ${expected}, got ${typeof x === 'number' && Number.isFinite(x) ? String(x) : typeOf(x)}`);
    if (x < min || x > max) return fail(field, `expected ${expected}, got ${x}`);
    return ok(x);
  });
}

export function boolean(): Shape<boolean> & { optional: false } {
  return make('true or false', (x, field) => (typeof x === 'boolean' ? ok(x) : fail(field, `expected true or false, got ${typeOf(x)}`)));
}

/** One of a few string values. */
export function oneOf<const V extends readonly string[]>(...values: V): Shape<V[number]> & { optional: false } {
  const expected = `one of ${values.map((v) => `'${v}'`).join(', ')}`;
  return make(expected, (x, field) => ((values as readonly unknown[]).includes(x) ? ok(x as V[number]) : fail(field, `expected ${expected}, got ${typeof x === 'string' ? `'${x.slice(0, 40)}'` : typeOf(x)}`)));
}

export function list<T>(item: Shape<T>, opts: { max?: number } = {}): Shape<T[]> & { optional: false } {
  const max = opts.max ?? MAX_ITEMS;
  const expected = `a list of ${item.expected.replace(/^an? /, '')}s`;
  return make(expected, (x, field) => {
    // A string is not a list of its letters.
    if (!Array.isArray(x)) return fail(field, `expected ${expected}, got ${typeOf(x)}`);
    if (x.length > max) return fail(field, `has more than ${max} items`);
    const out: T[] = [];
    for (let i = 0; i < x.length; i++) {
      const r = item.check(x[i], `${field}[${i}]`);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return ok(out);
  });
}

/** An object used as a map from names to values of one shape. */
export function record<T>(value: Shape<T>, opts: { max?: number; key?: Shape<string> } = {}): Shape<Record<string, T>> & { optional: false } {
  const max = opts.max ?? MAX_ITEMS;
  const key = opts.key ?? string({ max: 1024, nonEmpty: true });
  return make(`an object of ${value.expected.replace(/^an? /, '')}s`, (x, field) => {
    if (!isPlainObject(x)) return fail(field, `expected an object, got ${typeOf(x)}`);
    const keys = Object.keys(x);
    if (keys.length > max) return fail(field, `has more than ${max} entries`);
    // No prototype: a key named __proto__ stays a key.
    const out: Record<string, T> = Object.create(null);
    for (const k of keys) {
      const kr = key.check(k, `${field} key '${k.slice(0, 40)}'`);
      if (!kr.ok) return kr;
      const r = value.check(x[k], `${field}.${k}`);
      if (!r.ok) return r;
      out[k] = r.value;
    }
    return ok(out);
  });
}

/** An object with declared fields; any other field is refused (client and agent ship together). */
export function object<F extends Fields>(fields: F): Shape<ObjectOf<F>> & { optional: false; fields: F } {
  const shape = make('an object', (x, field) => {
    // JSON-RPC lets a client leave out params that are all optional.
    if (x === undefined) x = {};
    if (!isPlainObject(x)) return fail(field, `expected an object, got ${typeOf(x)}`);
    for (const k of Object.keys(x)) {
      if (!Object.prototype.hasOwnProperty.call(fields, k)) return fail(field, `unknown field '${k.slice(0, 40)}'${Object.keys(fields).length ? `; the fields are ${Object.keys(fields).join(', ')}` : ''}`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(fields)) {
      const v = x[k];
      if (v === undefined) {
        if (s.optional) continue;
        return fail(field, `the field '${k}' is missing: expected ${s.expected}`);
      }
      const r = s.check(v, field === '' ? k : `${field}.${k}`);
      if (!r.ok) return r;
      out[k] = r.value;
    }
    return ok(out as ObjectOf<F>);
  });
  return { ...shape, fields };
}

/** The same shape, allowed to be absent. */
export function optional<T>(shape: Shape<T>): Shape<T> & { optional: true } {
  return { expected: shape.expected, optional: true, check: (x, field) => shape.check(x, field) };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
