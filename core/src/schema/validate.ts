import type { default as Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import pipelineSchema from '../../../schemas/pipeline.schema.json';
import featuresSchema from '../../../schemas/features.schema.json';
import type { Problems } from '../rules/problem';
import type { Span } from '../text/range';
import { didYouMean } from '../util/closest';
import { get, toData, type YValue } from '../yaml/tree';

export type SchemaKind = 'pipeline' | 'features';

export const SCHEMAS: Record<SchemaKind, Record<string, unknown>> = {
  pipeline: pipelineSchema as Record<string, unknown>,
  features: featuresSchema as Record<string, unknown>,
};

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * The validators `npm run build` compiled ahead of time (scripts/gen-validators.mjs: Ajv
 * standalone code, made with the options below), keyed like `compiled`. Compiling the
 * pipeline schema here costs every process that starts about 70 ms. They are used only if
 * made from the very schemas imported above: without the generated file (after a bare
 * `tsc -b`), or for a schema changed since the build, validators are compiled here.
 */
interface Prebuilt {
  digests?: Record<string, string>;
  [key: string]: unknown;
}
let prebuilt: Prebuilt | null | undefined;

function prebuiltValidator(kind: SchemaKind, key: string): ValidateFunction | undefined {
  if (prebuilt === undefined) {
    try {
      // A require in a try block: esbuild bundles the file when it exists and leaves the
      // call, which then throws, when it does not.
      prebuilt = require('./validators.generated.js') as Prebuilt;
    } catch {
      prebuilt = null;
    }
  }
  const v = prebuilt?.[key];
  if (typeof v !== 'function') return undefined;
  let current = upToDate.get(kind);
  if (current === undefined) upToDate.set(kind, (current = prebuilt?.digests?.[kind] === digest(SCHEMAS[kind])));
  return current ? (v as ValidateFunction) : undefined;
}

/** Per schema: whether the prebuilt validators were made from it. */
const upToDate = new Map<SchemaKind, boolean>();

/**
 * Must match `digest` in scripts/gen-validators.mjs: FNV-1a of the schema's JSON, and its
 * length. It only tells a stale build from a current one (node:crypto would cost ~10 ms to load).
 */
function digest(schema: unknown): string {
  const text = JSON.stringify(schema);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `${(h >>> 0).toString(16)}-${text.length}`;
}

/** False: compile every validator at run time, ignoring the prebuilt ones (tests compare the two). */
export function usePrebuiltValidators(use: boolean): void {
  prebuilt = use ? undefined : null;
  compiled.clear();
  upToDate.clear();
}

/** Whether `kind` is checked with the prebuilt validators (for tests). */
export function usesPrebuiltValidators(kind: SchemaKind): boolean {
  return prebuiltValidator(kind, kind) !== undefined;
}

/** The validator for a schema, or for one of its `$defs` (`fragment` like `#/$defs/task`). */
function validator(kind: SchemaKind, fragment = ''): ValidateFunction {
  const key = `${kind}${fragment}`;
  let v = compiled.get(key);
  if (v) return v;
  v = prebuiltValidator(kind, key);
  if (!v) {
    if (!ajv) {
      // Loaded only when needed: with prebuilt validators, Ajv itself is never loaded.
      const Ajv = (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default;
      ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
      for (const schema of Object.values(SCHEMAS)) ajv.addSchema(schema);
    }
    v = ajv.getSchema(`${String(SCHEMAS[kind].$id)}${fragment}`);
    if (!v) throw new Error(`schema ${key} is missing`);
  }
  compiled.set(key, v);
  return v;
}

/** Schema errors of one task, kept for as long as its (reused) tree node lives. */
const taskErrors = new WeakMap<YValue, ErrorObject[]>();

/**
 * Collects schema errors. Pipelines are validated per task, and a task whose piece of text
 * did not change keeps its earlier result, so an edit validates one task plus the skeleton.
 */
function collectErrors(kind: SchemaKind, root: YValue | null): ErrorObject[] | { overflow: Span } {
  // One budget for the whole document, not one per task or section: an alias bomb split
  // across many small places must be stopped as surely as one in a single place.
  if (expandsBeyond(root, DATA_BUDGET)) {
    const converted = toData(root, DATA_BUDGET);
    if ('overflow' in converted) return converted;
  }
  const tasks = kind === 'pipeline' && root?.kind === 'map' ? get(root, 'tasks')?.value : undefined;
  if (!tasks || tasks.kind !== 'map' || root?.kind !== 'map') {
    const converted = toData(root);
    if ('overflow' in converted) return converted;
    const validate = validator(kind);
    return validate(converted.data) ? [] : [...(validate.errors ?? [])];
  }
  const errors: ErrorObject[] = [];
  const skeleton: Record<string, unknown> = Object.create(null);
  for (const e of root.entries) {
    if (Object.prototype.hasOwnProperty.call(skeleton, e.key)) continue;
    if (e.key === 'tasks') {
      // One valid placeholder keeps the top-level check of the count (at least one task)
      // without the task bodies, which are checked one by one below. Task ids are not
      // needed: their pattern (propertyNames) is reported as invalid-id by the rules.
      skeleton.tasks = tasks.entries.length > 0 ? { t: PLACEHOLDER_TASK } : {};
      continue;
    }
    const converted = toData(e.value);
    if ('overflow' in converted) return converted;
    skeleton[e.key] = converted.data;
  }
  const validateTop = validator(kind);
  if (!validateTop(skeleton)) errors.push(...(validateTop.errors ?? []));
  const validateTask = validator(kind, '#/$defs/task');
  const seen = new Set<string>();
  for (const t of tasks.entries) {
    if (seen.has(t.key)) continue;
    seen.add(t.key);
    const errs = taskErrorsOf(validateTask, t.value, t.key);
    if (errs.length > 0) errors.push(...errs);
  }
  return errors;
}

const DATA_BUDGET = 1_000_000;

/** A valid task body standing in for every task in the top-level check (never changed). */
const PLACEHOLDER_TASK = Object.freeze({ run: 'x' });

/**
 * Whether the tree becomes more than `limit` nodes with every alias expanded. Counted by
 * walking the tree, aliases included, and stopped as soon as the count passes the limit:
 * a plain document costs one pass without allocating, an alias bomb at most `limit` steps.
 */
function expandsBeyond(root: YValue | null, limit: number): boolean {
  let left = limit;
  const walk = (v: YValue | null): boolean => {
    if (--left < 0) return true;
    if (v === null || v.kind === 'scalar') return false;
    if (v.kind === 'map') {
      for (const e of v.entries) if (walk(e.value)) return true;
    } else for (const i of v.items) if (walk(i)) return true;
    return false;
  };
  return walk(root);
}

function taskErrorsOf(validate: ValidateFunction, node: YValue | null, id: string): ErrorObject[] {
  let errs = node ? taskErrors.get(node) : undefined;
  if (!errs) {
    const converted = toData(node);
    errs = 'overflow' in converted ? [] : validate(converted.data) ? [] : [...(validate.errors ?? [])];
    if (node) taskErrors.set(node, errs);
  }
  if (errs.length === 0) return errs;
  const prefix = `/tasks/${id.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return errs.map((e) => ({ ...e, instancePath: `${prefix}${e.instancePath}` }));
}

/** Where a JSON pointer lands in the tree: the value, and the key that holds it (if in a map). */
interface Located {
  value: YValue | null;
  keySpan?: Span;
  /** The key name that holds the value, for messages. */
  key?: string;
}

function locate(root: YValue | null, pointer: string): Located {
  let cur: Located = { value: root };
  if (pointer === '') return cur;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const v = cur.value;
    if (v?.kind === 'map') {
      const e = get(v, seg);
      if (!e) return cur;
      cur = { value: e.value, keySpan: e.keySpan, key: seg };
    } else if (v?.kind === 'seq') {
      const item = v.items[Number(seg)];
      if (!item) return cur;
      cur = { value: item, ...(cur.keySpan ? { keySpan: cur.keySpan } : {}), key: cur.key ?? seg };
    } else return cur;
  }
  return cur;
}

/** The keywords whose findings a more specific semantic rule reports under its own code. */
function coveredElsewhere(e: ErrorObject): boolean {
  // Id patterns: invalid-id.
  if (e.keyword === 'propertyNames') return true;
  if (e.propertyName !== undefined || (e.params as { propertyName?: string }).propertyName !== undefined) return true;
  if (e.keyword === 'pattern' && e.instancePath === '/name') return true;
  // A duration written as a bare number: invalid-duration / invalid-ttl say how to fix it.
  if (e.keyword === 'type' && typeof e.data === 'number' && /\/(timeout|backoff|ttl)$/.test(e.instancePath)) return true;
  // A fractional GPU count fails both branches of integer|string: invalid-quantity says why.
  if (typeof e.data === 'number' && /\/resources\/gpu$/.test(e.instancePath)) return true;
  // A repeated need: redundant-need.
  if (e.keyword === 'uniqueItems' && /\/needs$/.test(e.instancePath)) return true;
  return false;
}

/**
 * Validates the tree against the JSON Schema and reports `schema` problems on the exact key
 * or value, merging the noise of `anyOf`/`oneOf` branches into one message per place.
 */
export function checkSchema(kind: SchemaKind, root: YValue | null, out: Problems): void {
  const collected = collectErrors(kind, root);
  if ('overflow' in collected) {
    out.error('yaml-syntax', collected.overflow, 'Aliases expand into too many nodes (an "alias bomb"); remove the nested aliases.');
    return;
  }
  if (collected.length === 0) return;
  const errors = collected.filter((e) => !coveredElsewhere(e));
  // Something beneath is wrong, whichever rule reports it: then a branch's "must be X or Y" is wrong too.
  const deeper = (p: string) => collected.some((e) => e.instancePath.startsWith(`${p}/`) && !isBranch(e));
  const direct = (p: string) => errors.some((e) => e.instancePath === p && ['additionalProperties', 'required', 'enum', 'const'].includes(e.keyword));
  const reported = new Set<string>();
  const branchPaths = new Set(errors.filter(isBranch).map((e) => e.instancePath));
  for (const e of errors) {
    if (isBranch(e) || e.keyword === 'if' || e.keyword === 'not') continue;
    const path = e.instancePath;
    const inBranch = /\/(anyOf|oneOf)\//.test(e.schemaPath);
    if (inBranch && e.keyword === 'type' && (deeper(path) || direct(path))) continue;
    // A failed alternative's type (also through a $ref, which hides the branch in schemaPath)
    // is summarised below as one "must be X or Y".
    if (e.keyword === 'type' && branchPaths.has(path)) continue;
    const where = locate(root, path);
    const msg = describe(e, where, kind);
    if (!msg) continue;
    const key = `${msg.span[0]}:${msg.span[1]}:${msg.text}`;
    if (reported.has(key)) continue;
    reported.add(key);
    out.error('schema', msg.span, msg.text);
  }
  // Branch errors with nothing more specific beneath them: one "expected X or Y" each.
  for (const path of branchPaths) {
    if (deeper(path) || direct(path)) continue;
    const types = new Set(errors.filter((e) => e.instancePath === path && e.keyword === 'type').flatMap((e) => String((e.params as { type: string }).type).split(',')));
    const where = locate(root, path);
    const span = where.value?.span ?? where.keySpan ?? [0, 0];
    const hasOther = errors.some((e) => e.instancePath === path && !isBranch(e) && e.keyword !== 'type');
    if (hasOther) continue;
    const text = `${label(where)} must be ${[...types].map(article).join(' or ') || 'of another shape'}${hint(path, kind)}`;
    const key = `${span[0]}:${span[1]}:${text}`;
    if (!reported.has(key)) {
      reported.add(key);
      out.error('schema', span, text);
    }
  }
}

function isBranch(e: ErrorObject): boolean {
  return e.keyword === 'anyOf' || e.keyword === 'oneOf';
}

function label(where: Located): string {
  return where.key === undefined ? 'The document' : `'${where.key}'`;
}

function article(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string':
      return 'text';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'empty';
    default:
      return type;
  }
}

function hint(path: string, kind: SchemaKind): string {
  if (path === '')
    return kind === 'pipeline' ? ' with the keys version, name and tasks, e.g. starting with version: 1.' : ' with the key version and any of entities, sources and feature_views, e.g. starting with version: 1.';
  if (/\/needs$/.test(path)) return ', e.g. needs: [ingest].';
  if (/\/(inputs|outputs)$/.test(path)) return ', e.g. [data/raw.csv] or {raw: data/raw.csv}.';
  if (/\/retries$/.test(path)) return ', e.g. retries: 2 or {limit: 2, backoff: 10s}.';
  if (/\/(timeout|backoff|ttl)$/.test(path)) return ', a duration such as 90s, 15m or 1h30m.';
  if (/^\/schedule/.test(path)) return ', e.g. schedule: "0 3 * * *" or {cron: "0 3 * * *", timezone: Europe/Berlin}.';
  return '.';
}

function describe(e: ErrorObject, where: Located, kind: SchemaKind): { span: Span; text: string } | undefined {
  const valueSpan = where.value?.span ?? where.keySpan ?? [0, 0];
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      const map = where.value;
      const entry = map?.kind === 'map' ? get(map, prop) : undefined;
      const allowed = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
      const owner = where.key === undefined ? 'at the top level' : `in '${where.key}'`;
      return {
        span: entry?.keySpan ?? valueSpan,
        text: `Unknown key '${prop}' ${owner}.${didYouMean(prop, allowed) || (allowed.length ? ` Allowed keys: ${allowed.join(', ')}.` : '')}`,
      };
    }
    case 'required': {
      const prop = (e.params as { missingProperty: string }).missingProperty;
      const span = where.keySpan ?? firstKeySpan(where.value) ?? valueSpan;
      return { span, text: `${where.key === undefined ? 'The file' : `'${where.key}'`} is missing the required key '${prop}'.` };
    }
    case 'type': {
      const type = String((e.params as { type: string }).type);
      return { span: valueSpan, text: `${label(where)} must be ${type.split(',').map(article).join(' or ')}${hint(e.instancePath, kind)}` };
    }
    case 'enum': {
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      // The value may be a mapping or list (made with a null prototype, so String() would throw).
      if (e.data !== null && typeof e.data === 'object') {
        return { span: valueSpan, text: `${label(where)} is ${Array.isArray(e.data) ? 'a list' : 'a mapping'}; allowed values: ${allowed.join(', ')}.` };
      }
      const got = String(e.data);
      return { span: valueSpan, text: `${label(where)} is '${got}'; allowed values: ${allowed.join(', ')}.${didYouMean(got, allowed)}` };
    }
    case 'const':
      return { span: valueSpan, text: `${label(where)} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}.` };
    case 'minProperties':
      return { span: where.keySpan ?? valueSpan, text: `${label(where)} must have at least ${(e.params as { limit: number }).limit} entry.` };
    case 'minItems':
      return { span: valueSpan, text: `${label(where)} must have at least ${(e.params as { limit: number }).limit} item(s).` };
    case 'uniqueItems':
      return { span: valueSpan, text: `${label(where)} lists the same item twice; remove the repeat.` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { span: valueSpan, text: `${label(where)} ${e.message}.` };
    default:
      return { span: valueSpan, text: `${label(where)} ${e.message ?? 'is not valid'}.` };
  }
}

function firstKeySpan(v: YValue | null): Span | undefined {
  if (v?.kind === 'map' && v.entries.length > 0) return v.entries[0]!.keySpan;
  return undefined;
}
