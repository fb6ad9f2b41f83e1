import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { parse } from 'yaml';

// Compiled to out/test/schemas/, so the repository root is three levels up.
const repoRoot = path.resolve(__dirname, '../../..');
const schemaDir = path.join(repoRoot, 'schemas');
const fixtureDir = path.join(repoRoot, 'test', 'fixtures', 'schemas');

type SchemaObject = { [key: string]: unknown };
type Doc = { [key: string]: any };

const PIPELINE_ID = 'https://mlops-workbench.dev/schemas/pipeline.schema.json';
const FEATURES_ID = 'https://mlops-workbench.dev/schemas/features.schema.json';

function readSchema(file: string): SchemaObject {
  return JSON.parse(fs.readFileSync(path.join(schemaDir, file), 'utf8')) as SchemaObject;
}

/** The YAML examples of a docs/ page, parsed, in order. */
function docsExamples(page: string): Doc[] {
  const text = fs.readFileSync(path.join(repoRoot, 'docs', page), 'utf8');
  return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => parse(m[1]!) as Doc);
}

function readFixture(file: string): Doc {
  return parse(fs.readFileSync(path.join(fixtureDir, file), 'utf8')) as Doc;
}

const pipelineSchema = readSchema('pipeline.schema.json');
const featuresSchema = readSchema('features.schema.json');

// Strict mode turns unknown keywords, union types and other schema smells into compile errors.
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validatePipeline = ajv.compile(pipelineSchema);
const validateFeatures = ajv.compile(featuresSchema);

function errorsOf(validate: ValidateFunction, doc: unknown): ErrorObject[] {
  return validate(doc) ? [] : [...(validate.errors ?? [])];
}

function assertValid(validate: ValidateFunction, doc: unknown): void {
  assert.deepEqual(errorsOf(validate, doc), []);
}

interface Expected {
  keyword: string;
  instancePath: string;
  params?: Record<string, unknown>;
}

function assertRejected(validate: ValidateFunction, doc: unknown, expected: Expected): void {
  const errors = errorsOf(validate, doc);
  const found = errors.some((e) => e.keyword === expected.keyword && e.instancePath === expected.instancePath && Object.entries(expected.params ?? {}).every(([k, v]) => (e.params as Record<string, unknown>)[k] === v));
  const seen = errors.map((e) => `${e.keyword} at '${e.instancePath}' ${JSON.stringify(e.params)}`).join('\n  ');
  assert.ok(found, `expected ${JSON.stringify(expected)}, got:\n  ${seen || '(valid)'}`);
}

/** Returns a deep copy of `doc` after `edit` has changed it. */
function edited(doc: Doc, edit: (d: Doc) => void): Doc {
  const copy = structuredClone(doc);
  edit(copy);
  return copy;
}

// Keywords whose values are schemas (maps of schemas, arrays of schemas, or one schema).
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];
const SCHEMA_ARRAYS = ['oneOf', 'anyOf', 'allOf', 'prefixItems'];
const SCHEMA_SINGLES = ['additionalProperties', 'unevaluatedProperties', 'items', 'unevaluatedItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else'];

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every subschema of `schema` with its JSON pointer; `examples`, `enum`, `const` and `default` are data, not schemas. */
function* subschemas(schema: SchemaObject, pointer = ''): Generator<{ pointer: string; node: SchemaObject; parentKeyword?: string }> {
  for (const keyword of SCHEMA_MAPS) {
    const map = schema[keyword] as Record<string, SchemaObject> | undefined;
    for (const [name, node] of Object.entries(map ?? {})) {
      const p = `${pointer}/${keyword}/${escapePointer(name)}`;
      yield { pointer: p, node, parentKeyword: keyword };
      yield* subschemas(node, p);
    }
  }
  for (const keyword of SCHEMA_ARRAYS) {
    const list = (schema[keyword] as SchemaObject[] | undefined) ?? [];
    for (const [i, node] of list.entries()) {
      yield { pointer: `${pointer}/${keyword}/${i}`, node };
      yield* subschemas(node, `${pointer}/${keyword}/${i}`);
    }
  }
  for (const keyword of SCHEMA_SINGLES) {
    const node = schema[keyword];
    if (node !== null && typeof node === 'object') {
      yield { pointer: `${pointer}/${keyword}`, node: node as SchemaObject };
      yield* subschemas(node as SchemaObject, `${pointer}/${keyword}`);
    }
  }
}

/** Follows local `$ref`s until a schema states `key` itself (a `$ref` sibling wins, as in the YAML language server). */
function annotation(root: SchemaObject, node: SchemaObject, key: string): unknown {
  const seen = new Set<SchemaObject>();
  let current: SchemaObject | undefined = node;
  while (current && !seen.has(current)) {
    seen.add(current);
    if (current[key] !== undefined) return current[key];
    const ref: unknown = current['$ref'];
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return undefined;
    current = ref
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<SchemaObject | undefined>((n, s) => n?.[s] as SchemaObject | undefined, root);
  }
  return undefined;
}

const schemas: Array<[string, SchemaObject]> = [
  ['pipeline', pipelineSchema],
  ['features', featuresSchema],
];

describe('JSON schemas', () => {
  describe('both schemas', () => {
    for (const [label, schema] of schemas) {
      it(`${label}: is a draft 2020-12 schema with an $id`, () => {
        assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
        assert.equal(schema['$id'], label === 'pipeline' ? PIPELINE_ID : FEATURES_ID);
        assert.equal(ajv.validateSchema(schema), true, ajv.errorsText());
      });

      it(`${label}: every property and $defs entry has a title and a description (hover text)`, () => {
        const missing: string[] = [];
        for (const { pointer, node, parentKeyword } of subschemas(schema)) {
          if (parentKeyword !== 'properties' && parentKeyword !== '$defs') continue;
          // $defs entries must carry their own text; properties may inherit it through $ref.
          const get = (key: string) => (parentKeyword === '$defs' ? node[key] : annotation(schema, node, key));
          for (const key of ['title', 'description']) {
            const text = get(key);
            if (typeof text !== 'string' || text.trim() === '') missing.push(`${pointer} (${key})`);
          }
        }
        assert.deepEqual(missing, []);
      });

      it(`${label}: every example is valid against the schema it annotates`, () => {
        let checked = 0;
        const nodes = [{ pointer: '', node: schema }, ...subschemas(schema)];
        for (const { pointer, node } of nodes) {
          const examples = node['examples'];
          if (examples === undefined) continue;
          assert.ok(Array.isArray(examples), `${pointer}/examples must be an array`);
          const validate = ajv.getSchema(`${String(schema['$id'])}#${pointer}`);
          assert.ok(validate, `cannot compile ${pointer}`);
          for (const example of examples) {
            assert.ok(validate(example), `${pointer}: example ${JSON.stringify(example)} is invalid: ${ajv.errorsText(validate.errors)}`);
            checked++;
          }
        }
        assert.ok(checked > 20, `only ${checked} examples found`);
      });
    }
  });

  describe('pipeline.schema.json', () => {
    const example = readFixture('design-example-pipeline.yaml');

    it('accepts the full example pipeline of the format (every top-level field)', () => {
      assert.equal(example['name'], 'churn-train');
      assertValid(validatePipeline, example);
    });

    it('accepts the example of docs/pipeline-format.md', () => {
      const examples = docsExamples('pipeline-format.md');
      assert.equal(examples.length, 1);
      assert.equal(examples[0]!['name'], 'churn-train');
      assertValid(validatePipeline, examples[0]);
    });

    it('lets a task set every field that defaults can set, and keeps run/needs/inputs/outputs/model out of defaults', () => {
      const defs = pipelineSchema['$defs'] as Record<string, SchemaObject>;
      const settings = Object.keys(defs['taskSettings']!['properties'] as object);
      const task = defs['task']!['properties'] as Record<string, SchemaObject>;
      for (const key of settings) {
        assert.deepEqual(task[key], { $ref: `#/$defs/taskSettings/properties/${key}` }, key);
      }
      const taskOnly = Object.keys(task)
        .filter((k) => !settings.includes(k))
        .sort();
      assert.deepEqual(taskOnly, ['inputs', 'model', 'needs', 'outputs', 'run']);
    });

    it('accepts the other documented shapes: string and list schedules, named inputs, typed outputs, param enums', () => {
      assertValid(
        validatePipeline,
        edited(example, (d) => {
          d['schedule'] = '@daily';
        }),
      );
      assertValid(
        validatePipeline,
        edited(example, (d) => {
          d['schedule'] = ['0 3 * * *', { cron: '0 12 * * 1-5', timezone: 'UTC' }];
        }),
      );
      assertValid(
        validatePipeline,
        edited(example, (d) => {
          d['params'].optimizer = { type: 'string', default: 'adam', enum: ['adam', 'sgd'] };
          d['tasks'].train.inputs = { table: '${{ tasks.featurize.outputs.table }}' };
          d['tasks'].train.outputs = { model: { path: 'models/churn.json', kind: 'model' }, log: 'logs/train.txt' };
          d['tasks'].train.env = { SEED: 42, DEBUG: false, MODE: 'full' };
          d['tasks'].train.retries = 3;
          d['tasks'].train.cache = false;
          d['tasks'].train.executor = 'docker';
          d['tasks'].train.features = ['customer_stats.avg_spend_30d'];
        }),
      );
    });

    it('leaves the content of cron, time zone, quantity, duration and image strings to the validator', () => {
      // These have their own diagnostic codes (invalid-cron, invalid-quantity...), so the schema must not report them as `schema`.
      assertValid(
        validatePipeline,
        edited(example, (d) => {
          d['schedule'] = { cron: 'every night', timezone: 'Mars/Olympus' };
          d['defaults'].image = 'Not An Image!';
          d['defaults'].timeout = 'forever';
          d['tasks'].train.resources = { cpu: 'lots', memory: 512, gpu: 'one' };
          d['tasks'].train.retries = { limit: 1, backoff: 'soon' };
          d['tasks'].train.needs = ['no-such-task'];
        }),
      );
    });

    const rejected: Array<[string, (d: Doc) => void, Expected]> = [
      [
        'a misspelled task key',
        (d) => {
          d['tasks'].train.nedds = ['featurize'];
        },
        { keyword: 'additionalProperties', instancePath: '/tasks/train', params: { additionalProperty: 'nedds' } },
      ],
      [
        'a task without run',
        (d) => {
          delete d['tasks'].report.run;
        },
        { keyword: 'required', instancePath: '/tasks/report', params: { missingProperty: 'run' } },
      ],
      [
        'an unknown executor',
        (d) => {
          d['tasks'].train.executor = 'kubernetes';
        },
        { keyword: 'enum', instancePath: '/tasks/train/executor' },
      ],
      [
        'an unknown executor in defaults',
        (d) => {
          d['defaults'].executor = 'kubernetes';
        },
        { keyword: 'enum', instancePath: '/defaults/executor' },
      ],
      [
        'an unknown output kind',
        (d) => {
          d['tasks'].train.outputs = { model: { path: 'models/churn.json', kind: 'weights' } };
        },
        { keyword: 'enum', instancePath: '/tasks/train/outputs/model/kind' },
      ],
      [
        'run in defaults',
        (d) => {
          d['defaults'].run = 'make';
        },
        { keyword: 'additionalProperties', instancePath: '/defaults', params: { additionalProperty: 'run' } },
      ],
      [
        'model in defaults',
        (d) => {
          d['defaults'].model = { name: 'm', path: 'm.bin' };
        },
        { keyword: 'additionalProperties', instancePath: '/defaults', params: { additionalProperty: 'model' } },
      ],
      [
        'an unknown top-level key',
        (d) => {
          d['task'] = {};
        },
        { keyword: 'additionalProperties', instancePath: '', params: { additionalProperty: 'task' } },
      ],
      [
        'a misspelled resource',
        (d) => {
          d['tasks'].train.resources.gpus = 1;
        },
        { keyword: 'additionalProperties', instancePath: '/tasks/train/resources', params: { additionalProperty: 'gpus' } },
      ],
      [
        'a misspelled retry key',
        (d) => {
          d['tasks'].train.retries = { limit: 2, backof: '10s' };
        },
        { keyword: 'additionalProperties', instancePath: '/tasks/train/retries', params: { additionalProperty: 'backof' } },
      ],
      [
        'a retry policy without limit',
        (d) => {
          d['tasks'].train.retries = { backoff: '10s' };
        },
        { keyword: 'required', instancePath: '/tasks/train/retries', params: { missingProperty: 'limit' } },
      ],
      [
        'negative retries',
        (d) => {
          d['defaults'].retries = -1;
        },
        { keyword: 'minimum', instancePath: '/defaults/retries' },
      ],
      [
        'a misspelled schedule key',
        (d) => {
          d['schedule'] = { cron: '0 3 * * *', tz: 'UTC' };
        },
        { keyword: 'additionalProperties', instancePath: '/schedule', params: { additionalProperty: 'tz' } },
      ],
      [
        'needs as a single string',
        (d) => {
          d['tasks'].train.needs = 'featurize';
        },
        { keyword: 'type', instancePath: '/tasks/train/needs' },
      ],
      [
        'a repeated need',
        (d) => {
          d['tasks'].train.needs = ['featurize', 'featurize'];
        },
        { keyword: 'uniqueItems', instancePath: '/tasks/train/needs' },
      ],
      [
        'a model without path',
        (d) => {
          delete d['tasks'].train.model.path;
        },
        { keyword: 'required', instancePath: '/tasks/train/model', params: { missingProperty: 'path' } },
      ],
      [
        'a misspelled model key',
        (d) => {
          d['tasks'].train.model.metric = 'reports/metrics.json';
        },
        { keyword: 'additionalProperties', instancePath: '/tasks/train/model', params: { additionalProperty: 'metric' } },
      ],
      [
        'a non-string tag value',
        (d) => {
          d['tasks'].train.model.tags = { team: ['growth'] };
        },
        { keyword: 'type', instancePath: '/tasks/train/model/tags/team' },
      ],
      [
        'an unknown param type',
        (d) => {
          d['params'].lr.type = 'float';
        },
        { keyword: 'enum', instancePath: '/params/lr/type' },
      ],
      [
        'a misspelled param key',
        (d) => {
          d['params'].lr.defualt = 0.1;
        },
        { keyword: 'additionalProperties', instancePath: '/params/lr', params: { additionalProperty: 'defualt' } },
      ],
      [
        'a task id with capitals',
        (d) => {
          d['tasks'].Train = { run: 'true' };
        },
        { keyword: 'pattern', instancePath: '/tasks', params: { pattern: '^[a-z0-9]([-a-z0-9_]{0,126}[a-z0-9])?$' } },
      ],
      [
        'a pipeline name with an underscore',
        (d) => {
          d['name'] = 'churn_train';
        },
        { keyword: 'pattern', instancePath: '/name' },
      ],
      [
        'a param name with a dash',
        (d) => {
          d['params']['learning-rate'] = 0.1;
        },
        { keyword: 'propertyNames', instancePath: '/params', params: { propertyName: 'learning-rate' } },
      ],
      [
        'no tasks',
        (d) => {
          d['tasks'] = {};
        },
        { keyword: 'minProperties', instancePath: '/tasks' },
      ],
      [
        'a missing name',
        (d) => {
          delete d['name'];
        },
        { keyword: 'required', instancePath: '', params: { missingProperty: 'name' } },
      ],
      [
        'version 2',
        (d) => {
          d['version'] = 2;
        },
        { keyword: 'const', instancePath: '/version' },
      ],
    ];
    for (const [what, edit, expected] of rejected) {
      it(`rejects ${what}`, () => assertRejected(validatePipeline, edited(example, edit), expected));
    }
  });

  describe('features.schema.json', () => {
    const example = readFixture('design-example-features.yaml');

    it('accepts the full example catalog of the format', () => {
      assert.equal(example['project'], 'churn');
      assertValid(validateFeatures, example);
    });

    it('accepts the example of docs/feature-catalog.md', () => {
      const examples = docsExamples('feature-catalog.md');
      assert.equal(examples.length, 1);
      assert.equal(examples[0]!['project'], 'churn');
      assertValid(validateFeatures, examples[0]);
    });

    it('leaves the content of ttl and feature types to the validator', () => {
      // invalid-ttl and invalid-feature-type are the validator's codes.
      assertValid(
        validateFeatures,
        edited(example, (d) => {
          const view = d['feature_views'].customer_stats;
          view.ttl = 'a month';
          view.features.orders_30d = 'float128';
          view.features.embedding = { type: 'array<float32>' };
        }),
      );
    });

    const rejected: Array<[string, (d: Doc) => void, Expected]> = [
      [
        'a feature object with an unknown key',
        (d) => {
          d['feature_views'].customer_stats.features.avg_spend_30d.descripton = 'x';
        },
        { keyword: 'additionalProperties', instancePath: '/feature_views/customer_stats/features/avg_spend_30d', params: { additionalProperty: 'descripton' } },
      ],
      [
        'a feature object without type',
        (d) => {
          delete d['feature_views'].customer_stats.features.avg_spend_30d.type;
        },
        { keyword: 'required', instancePath: '/feature_views/customer_stats/features/avg_spend_30d', params: { missingProperty: 'type' } },
      ],
      [
        'a misspelled feature view key',
        (d) => {
          d['feature_views'].customer_stats.sourse = 'transactions';
        },
        { keyword: 'additionalProperties', instancePath: '/feature_views/customer_stats', params: { additionalProperty: 'sourse' } },
      ],
      [
        'a misspelled entity key',
        (d) => {
          d['entities'].customer = { join_key: ['customer_id'] };
        },
        { keyword: 'additionalProperties', instancePath: '/entities/customer', params: { additionalProperty: 'join_key' } },
      ],
      [
        'an entity without join keys',
        (d) => {
          d['entities'].customer = { description: 'x' };
        },
        { keyword: 'required', instancePath: '/entities/customer', params: { missingProperty: 'join_keys' } },
      ],
      [
        'a misspelled source key',
        (d) => {
          d['sources'].transactions.timestamp = 'event_ts';
        },
        { keyword: 'additionalProperties', instancePath: '/sources/transactions', params: { additionalProperty: 'timestamp' } },
      ],
      [
        'a view with entities as a string',
        (d) => {
          d['feature_views'].customer_stats.entities = 'customer';
        },
        { keyword: 'type', instancePath: '/feature_views/customer_stats/entities' },
      ],
      [
        'a view without features',
        (d) => {
          d['feature_views'].customer_stats.features = {};
        },
        { keyword: 'minProperties', instancePath: '/feature_views/customer_stats/features' },
      ],
      [
        'a view name with a dash',
        (d) => {
          d['feature_views']['customer-stats'] = { features: { x: 'int64' } };
        },
        { keyword: 'propertyNames', instancePath: '/feature_views', params: { propertyName: 'customer-stats' } },
      ],
      [
        'a feature name starting with a digit',
        (d) => {
          d['feature_views'].customer_stats.features['30d_orders'] = 'int64';
        },
        { keyword: 'pattern', instancePath: '/feature_views/customer_stats/features' },
      ],
      [
        'an unknown top-level key',
        (d) => {
          d['views'] = {};
        },
        { keyword: 'additionalProperties', instancePath: '', params: { additionalProperty: 'views' } },
      ],
      [
        'a missing version',
        (d) => {
          delete d['version'];
        },
        { keyword: 'required', instancePath: '', params: { missingProperty: 'version' } },
      ],
    ];
    for (const [what, edit, expected] of rejected) {
      it(`rejects ${what}`, () => assertRejected(validateFeatures, edited(example, edit), expected));
    }
  });
});
