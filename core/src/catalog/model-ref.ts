import { err, ok, type Result } from '../result';

/** How a user names a model version: `NAME`, `NAME:VERSION` or `NAME@ALIAS`. */

/** A parsed reference; without version or alias it means the newest version. */
export type ModelRef = { name: string; kind: 'latest' } | { name: string; kind: 'version'; version: number } | { name: string; kind: 'alias'; alias: string };

/** Aliases and tag keys: a letter or digit, then letters, digits, `_`, `-` or `.`. */
export const ALIAS_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Checks an alias before it is written; the message says what would be valid. */
export function checkAlias(alias: string): Result<void> {
  if (!ALIAS_PATTERN.test(alias)) return err(`'${alias}' is not an alias; use letters, digits, '_', '-' and '.', e.g. champion.`);
  if (/^\d+$/.test(alias)) return err(`An alias cannot be a number ('${alias}' would read as a version); use a word such as champion.`);
  return ok(undefined);
}

/** Checks a tag key before it is written. */
export function checkTagKey(key: string): Result<void> {
  return ALIAS_PATTERN.test(key) ? ok(undefined) : err(`'${key}' is not a tag key; use letters, digits, '_', '-' and '.'.`);
}

/** Parses `KEY=VALUE` as a tag (the value may be empty or hold '='). */
export function parseTag(text: string): Result<{ key: string; value: string }> {
  const eq = text.indexOf('=');
  if (eq <= 0) return err(`Tags are KEY=VALUE, not '${text}'; e.g. reviewed=yes.`);
  const key = text.slice(0, eq);
  const valid = checkTagKey(key);
  return valid.ok ? ok({ key, value: text.slice(eq + 1) }) : valid;
}

/** Characters a model name may not contain: they separate the parts of a reference or a path. */
const NAME_FORBIDDEN = /[:@/\\%\s]/;

/** Whether a model name is usable in references, URIs and the store (MLflow forbids `/` and `%` too). */
export function isModelName(name: string): boolean {
  return name.length > 0 && name.length <= 256 && !NAME_FORBIDDEN.test(name);
}

/** Parses `NAME[:VERSION|@ALIAS]`; the error is a sentence saying what to write instead. */
export function parseModelRef(text: string): Result<ModelRef> {
  const s = text.trim();
  const at = s.indexOf('@');
  const colon = s.indexOf(':');
  if (at !== -1 && colon !== -1) return err(`'${text}' names both a version and an alias; use NAME:VERSION or NAME@ALIAS.`);
  if (at !== -1) {
    const name = s.slice(0, at);
    const alias = s.slice(at + 1);
    if (!isModelName(name)) return err(`'${name}' is not a model name; write NAME@ALIAS, e.g. churn-classifier@champion.`);
    if (!ALIAS_PATTERN.test(alias)) return err(`'${alias}' is not an alias; aliases use letters, digits, '_', '-' and '.', e.g. champion.`);
    return ok({ name, kind: 'alias', alias });
  }
  if (colon !== -1) {
    const name = s.slice(0, colon);
    const v = s.slice(colon + 1);
    if (!isModelName(name)) return err(`'${name}' is not a model name; write NAME:VERSION, e.g. churn-classifier:3.`);
    if (!/^[1-9]\d{0,8}$/.test(v)) return err(`'${v}' is not a version; versions are 1, 2, 3…, e.g. ${name}:1.`);
    return ok({ name, kind: 'version', version: Number(v) });
  }
  if (!isModelName(s)) return err(`'${text}' is not a model reference; write NAME, NAME:VERSION or NAME@ALIAS.`);
  return ok({ name: s, kind: 'latest' });
}

/** The reference as text, the inverse of parseModelRef. */
export function formatModelRef(ref: ModelRef): string {
  switch (ref.kind) {
    case 'latest':
      return ref.name;
    case 'version':
      return `${ref.name}:${ref.version}`;
    case 'alias':
      return `${ref.name}@${ref.alias}`;
  }
}

/**
 * The URI a version is copied as: `models:/NAME/VERSION` (or `models:/NAME@ALIAS`), the
 * form MLflow clients and serving tools already accept.
 */
export function modelUri(name: string, versionOrAlias: number | string): string {
  const n = encodeURIComponent(name);
  return typeof versionOrAlias === 'number' ? `models:/${n}/${versionOrAlias}` : `models:/${n}@${encodeURIComponent(versionOrAlias)}`;
}
