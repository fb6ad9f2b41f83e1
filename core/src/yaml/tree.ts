import { isAlias, isMap, isScalar, isSeq, Scalar, type Document, type Node as YamlNode } from 'yaml';
import type { Span } from '../text/range';

/** A scalar value in the document, with its source span. */
export interface YScalar {
  kind: 'scalar';
  value: string | number | boolean | null;
  span: Span;
  /** Plain scalars may be read as numbers/booleans; quoted and block scalars are always text. */
  quoted: boolean;
}

/** One `key: value` pair of a mapping; `value` is null when the key has no value. */
export interface YEntry {
  key: string;
  keySpan: Span;
  value: YValue | null;
}

export interface YMap {
  kind: 'map';
  entries: YEntry[];
  span: Span;
}

export interface YSeq {
  kind: 'seq';
  items: YValue[];
  span: Span;
}

/** The position-carrying tree every rule reads; aliases are resolved to shared subtrees. */
export type YValue = YScalar | YMap | YSeq;

/** A structural problem found while converting, reported as `yaml-syntax` or `duplicate-key`. */
export interface TreeProblem {
  code: 'yaml-syntax' | 'duplicate-key';
  message: string;
  span: Span;
}

/** The problem reported for the second and later uses of a key in one mapping. */
export function duplicateKeyProblem(key: string, span: Span): TreeProblem {
  return {
    code: 'duplicate-key',
    message: `Key '${key}' appears twice in this mapping; YAML would silently keep only the last one. Remove or rename one of them.`,
    span,
  };
}

/** Nesting deeper than this is rejected: no real pipeline comes close, and it guards the stack. */
export const MAX_DEPTH = 200;

/**
 * Converts a parsed `yaml` document into a YValue tree whose spans are shifted by `base`
 * (the offset of the parsed text inside the whole file).
 */
export function toTree(doc: Document.Parsed, base: number, problems: TreeProblem[]): YValue | null {
  const anchors = new Map<string, YValue | 'pending'>();
  const convert = (node: unknown, depth: number): YValue | null => {
    if (node === null || node === undefined) return null;
    if (depth > MAX_DEPTH) {
      const span = spanOf(node as YamlNode, base);
      problems.push({ code: 'yaml-syntax', message: `Nesting is deeper than ${MAX_DEPTH} levels; flatten the structure.`, span });
      return { kind: 'scalar', value: null, span, quoted: false };
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const span = spanOf(node, base);
      if (target === undefined || target === 'pending') {
        problems.push({ code: 'yaml-syntax', message: `Alias *${node.source} refers to no anchor defined before it; define &${node.source} first.`, span });
        return { kind: 'scalar', value: null, span, quoted: false };
      }
      return target;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, 'pending');
    let out: YValue;
    if (isScalar(node)) {
      out = scalarOf(node, base);
    } else if (isMap(node)) {
      const entries: YEntry[] = [];
      const seen = new Map<string, YEntry>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const keySpan = keyNode ? spanOf(keyNode, base) : spanOf(pair.value as YamlNode, base);
        let key: string;
        if (isScalar(keyNode)) key = String(keyNode.value);
        else if (keyNode === null) key = '';
        else {
          problems.push({ code: 'yaml-syntax', message: 'Only plain text keys are supported here; write the key as a string.', span: keySpan });
          continue;
        }
        const entry: YEntry = { key, keySpan, value: convert(pair.value, depth + 1) };
        const first = seen.get(key);
        if (first) {
          problems.push(duplicateKeyProblem(key, keySpan));
        } else seen.set(key, entry);
        entries.push(entry);
      }
      out = { kind: 'map', entries, span: spanOf(node, base) };
    } else if (isSeq(node)) {
      const items: YValue[] = [];
      for (const item of node.items) {
        const v = convert(item, depth + 1);
        items.push(v ?? { kind: 'scalar', value: null, span: spanOf(item as YamlNode, base), quoted: false });
      }
      out = { kind: 'seq', items, span: spanOf(node, base) };
    } else {
      return null;
    }
    if (anchor) anchors.set(anchor, out);
    return out;
  };
  return convert(doc.contents, 0);
}

function scalarOf(node: Scalar, base: number): YScalar {
  const v = node.value;
  const quoted = node.type !== undefined && node.type !== Scalar.PLAIN;
  let value: YScalar['value'];
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) value = v;
  else if (typeof v === 'bigint') value = Number(v);
  else value = v === undefined ? null : String(v);
  return { kind: 'scalar', value, span: spanOf(node, base), quoted };
}

function spanOf(node: YamlNode | null | undefined, base: number): Span {
  const r = node?.range;
  if (!r) return [base, base];
  return [base + r[0], base + r[1]];
}

/** Looks up a key in a mapping (the first occurrence). */
export function get(map: YValue | null | undefined, key: string): YEntry | undefined {
  if (!map || map.kind !== 'map') return undefined;
  for (const e of map.entries) if (e.key === key) return e;
  return undefined;
}

/** The scalar's text when it is a string (or a number/boolean written plainly), else undefined. */
export function text(v: YValue | null | undefined): string | undefined {
  if (!v || v.kind !== 'scalar' || v.value === null) return undefined;
  return String(v.value);
}

/** Converts to plain JSON data, expanding aliases within a node budget (an alias bomb exceeds it). */
export function toData(root: YValue | null, budget = 1_000_000): { data: unknown } | { overflow: Span } {
  let left = budget;
  let overflow: Span | undefined;
  const go = (v: YValue | null): unknown => {
    if (overflow) return null;
    if (--left < 0) {
      overflow = v?.span ?? [0, 0];
      return null;
    }
    if (v === null) return null;
    switch (v.kind) {
      case 'scalar':
        return v.value;
      case 'seq':
        return v.items.map(go);
      case 'map': {
        const o: Record<string, unknown> = Object.create(null);
        for (const e of v.entries) if (!Object.prototype.hasOwnProperty.call(o, e.key)) o[e.key] = go(e.value);
        return o;
      }
    }
  };
  const data = go(root);
  return overflow ? { overflow } : { data };
}
