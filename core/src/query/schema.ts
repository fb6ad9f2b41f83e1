/**
 * Reads the JSON Schemas by document path: which keys a mapping accepts, which values a
 * field allows, and the title and description of each — for completion and hover.
 */
import { SCHEMAS, type SchemaKind } from '../schema/validate';
import { ITEM } from './cursor';

type Schema = { [key: string]: unknown };

/** A key a mapping accepts, with its documentation. */
export interface SchemaKey {
  name: string;
  title?: string;
  description?: string;
  required: boolean;
  /** JSON types the value may have (`object`, `array`, `string`, …), when the schema says. */
  types: string[];
}

export interface SchemaDoc {
  title?: string;
  description?: string;
}

/** Path segments from a tree walk (numbers for list items) in schema form. */
export function schemaPath(path: readonly (string | number)[]): string[] {
  return path.map((s) => (typeof s === 'number' ? ITEM : s));
}

function resolveRef(root: Schema, node: Schema, depth = 0): Schema {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/') || depth > 16) return node;
  let cur: unknown = root;
  for (const seg of ref.slice(2).split('/')) cur = (cur as Schema | undefined)?.[seg];
  if (!cur || typeof cur !== 'object') return node;
  // The referring node's own keywords (title, description) are kept by the caller.
  return resolveRef(root, cur as Schema, depth + 1);
}

/** The concrete alternatives a node stands for: $ref followed, oneOf/anyOf/allOf flattened. */
function alternatives(root: Schema, node: Schema, depth = 0): Schema[] {
  if (depth > 16) return [];
  const n = resolveRef(root, node);
  const out: Schema[] = [];
  const branches = [n.oneOf, n.anyOf, n.allOf].filter(Array.isArray) as Schema[][];
  const hasOwn = n.type !== undefined || n.properties !== undefined || n.enum !== undefined || n.const !== undefined || n.items !== undefined;
  if (hasOwn || branches.length === 0) out.push(n);
  for (const list of branches) for (const b of list) out.push(...alternatives(root, b, depth + 1));
  return out;
}

function child(root: Schema, node: Schema, seg: string): Schema[] {
  const out: Schema[] = [];
  for (const alt of alternatives(root, node)) {
    if (seg === ITEM) {
      if (alt.items && typeof alt.items === 'object') out.push(alt.items as Schema);
      continue;
    }
    const props = alt.properties as Record<string, Schema> | undefined;
    if (props && Object.prototype.hasOwnProperty.call(props, seg)) out.push(props[seg]!);
    else if (alt.additionalProperties && typeof alt.additionalProperties === 'object') out.push(alt.additionalProperties as Schema);
  }
  return out;
}

/** The schema nodes (unresolved, so their own title/description survive) that describe `path`. */
function schemaNodesAt(kind: SchemaKind, path: readonly string[]): Schema[] {
  const root = SCHEMAS[kind] as Schema;
  let nodes: Schema[] = [root];
  for (const seg of path) {
    nodes = nodes.flatMap((n) => child(root, n, seg));
    if (nodes.length === 0) return [];
  }
  return nodes;
}

function typesOf(root: Schema, node: Schema): string[] {
  const types = new Set<string>();
  for (const alt of alternatives(root, node)) {
    if (typeof alt.type === 'string') types.add(alt.type);
    else if (Array.isArray(alt.type)) for (const t of alt.type) types.add(String(t));
    else if (alt.properties || alt.additionalProperties) types.add('object');
    else if (alt.items) types.add('array');
  }
  return [...types];
}

/** The keys the mapping at `path` accepts, in schema order. */
export function schemaKeysAt(kind: SchemaKind, path: readonly string[]): SchemaKey[] {
  const root = SCHEMAS[kind] as Schema;
  const out = new Map<string, SchemaKey>();
  for (const node of schemaNodesAt(kind, path)) {
    for (const alt of alternatives(root, node)) {
      const props = alt.properties as Record<string, Schema> | undefined;
      if (!props) continue;
      const required = new Set(Array.isArray(alt.required) ? (alt.required as string[]) : []);
      for (const [name, prop] of Object.entries(props)) {
        if (out.has(name)) continue;
        const doc = docOf(root, prop);
        out.set(name, { name, ...doc, required: required.has(name), types: typesOf(root, prop) });
      }
    }
  }
  return [...out.values()];
}

/** The fixed values a field allows (enum, const, booleans), in schema order. */
export function schemaValuesAt(kind: SchemaKind, path: readonly string[]): unknown[] {
  const root = SCHEMAS[kind] as Schema;
  const out: unknown[] = [];
  const add = (v: unknown) => {
    if (!out.includes(v)) out.push(v);
  };
  for (const node of schemaNodesAt(kind, path)) {
    for (const alt of alternatives(root, node)) {
      if (Array.isArray(alt.enum)) alt.enum.forEach(add);
      if (alt.const !== undefined) add(alt.const);
      if (alt.type === 'boolean') {
        add(true);
        add(false);
      }
    }
  }
  return out;
}

/** Title and description of the field at `path`: the property's own text first, then its type's. */
export function schemaDocAt(kind: SchemaKind, path: readonly string[]): SchemaDoc | undefined {
  const root = SCHEMAS[kind] as Schema;
  for (const node of schemaNodesAt(kind, path)) {
    const doc = docOf(root, node);
    if (doc.title || doc.description) return doc;
  }
  return undefined;
}

function docOf(root: Schema, node: Schema): SchemaDoc {
  // Follow $ref one hop at a time: the nearest node that has its own text wins.
  let title: string | undefined;
  let description: string | undefined;
  let cur: Schema | undefined = node;
  for (let hop = 0; cur && hop < 16 && (title === undefined || description === undefined); hop++) {
    title ??= cur.title as string | undefined;
    description ??= cur.description as string | undefined;
    const ref = cur.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) break;
    let next: unknown = root;
    for (const seg of ref.slice(2).split('/')) next = (next as Schema | undefined)?.[seg];
    cur = next && typeof next === 'object' ? (next as Schema) : undefined;
  }
  const doc: SchemaDoc = {};
  if (title !== undefined) doc.title = title;
  if (description !== undefined) doc.description = description;
  return doc;
}
