import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace, type Diagnostic } from '../../core/src/index';
import { usePrebuiltValidators, usesPrebuiltValidators } from '../../core/src/schema/validate';
import { CHURN_FEATURES, CHURN_PIPELINE, mulberry32, REPO } from './helpers';

/**
 * The build compiles the JSON Schemas ahead of time (scripts/gen-validators.mjs); this checks
 * that those validators and the ones Ajv compiles at run time give the very same diagnostics,
 * on the examples, the schema fixtures and seeded mutants of them.
 */

/** Edits that break the structure the schema checks: keys, types, values, nesting. */
const INSERTS = [
  'bogus: 1\n',
  '  extra: [1, 2]\n',
  '    retries: -1\n',
  '    timeout: 90\n',
  '    needs: x\n',
  '    resources: {gpu: 1.5}\n',
  '    outputs: 3\n',
  'version: 2\n',
  '  - a\n',
  '    env: {A: [1]}\n',
  '    executor: nope\n',
  '    params: {lr: {type: float, default: x}}\n',
  '    features: [1]\n',
  '    ttl: 5\n',
  '    entity: {}\n',
];

function mutate(text: string, rnd: () => number): string {
  const lines = text.split('\n');
  for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
    const i = Math.floor(rnd() * lines.length);
    switch (Math.floor(rnd() * 5)) {
      case 0:
        lines.splice(i, 0, INSERTS[Math.floor(rnd() * INSERTS.length)]!.replace(/\n$/, ''));
        break;
      case 1:
        lines.splice(i, 1);
        break;
      case 2:
        lines[i] = lines[i]!.replace(/: (.+)$/, rnd() < 0.5 ? ': 42' : ': [a, b]');
        break;
      case 3:
        lines[i] = lines[i]!.replace(/^(\s*)([a-z_]+):/, (_m, sp: string, k: string) => `${sp}${k.slice(0, -1) || 'x'}:`);
        break;
      default:
        lines[i] = lines[i]!.replace(/: (.+)$/, ': {}');
    }
  }
  return lines.join('\n');
}

function diagnostics(file: string, text: string, other: [string, string] | undefined): Diagnostic[] {
  const ws = new Workspace({ root: '/ws' });
  if (other) ws.set(other[0], other[1]);
  ws.set(file, text);
  return ws.analyze(file)?.diagnostics ?? [];
}

describe('core: prebuilt schema validators', function () {
  this.timeout(120_000);
  after(() => usePrebuiltValidators(true));

  const generated = path.join(REPO, 'out', 'core', 'src', 'schema', 'validators.generated.js');

  // npm test builds first, so a missing file is a build that no longer writes it: fail, never skip.
  const built = () => assert.ok(fs.existsSync(generated), `${path.relative(REPO, generated)} is missing: npm run build (scripts/gen-validators.mjs, called by scripts/bundle.mjs) writes it`);

  it('are used after npm run build', function () {
    built();
    usePrebuiltValidators(true);
    assert.ok(usesPrebuiltValidators('pipeline'), 'the pipeline schema is compiled at run time although the build prebuilt it');
    assert.ok(usesPrebuiltValidators('features'), 'the features schema is compiled at run time although the build prebuilt it');
  });

  it('give the same diagnostics as validators compiled at run time', function () {
    built();
    const fixtures = path.join(REPO, 'test', 'fixtures', 'schemas');
    const cases: { file: string; text: string; other?: [string, string] }[] = [];
    const bases: [string, string, [string, string]][] = [
      ['/ws/churn.pipeline.yaml', CHURN_PIPELINE, ['/ws/churn.features.yaml', CHURN_FEATURES]],
      ['/ws/churn.features.yaml', CHURN_FEATURES, ['/ws/churn.pipeline.yaml', CHURN_PIPELINE]],
    ];
    for (const f of fs.readdirSync(fixtures).filter((f) => f.endsWith('.yaml'))) {
      const kind = f.includes('features') ? 'features' : 'pipeline';
      bases.push([`/ws/${f.replace(/\.yaml$/, `.${kind}.yaml`)}`, fs.readFileSync(path.join(fixtures, f), 'utf8'), ['/ws/none.txt', '']]);
    }
    const rnd = mulberry32(0x5c4e3a);
    for (const [file, text, other] of bases) {
      cases.push({ file, text, other });
      for (let i = 0; i < 300; i++) cases.push({ file, text: mutate(text, rnd), other });
    }
    const run = (prebuilt: boolean) => {
      usePrebuiltValidators(prebuilt);
      assert.equal(usesPrebuiltValidators('pipeline'), prebuilt);
      return cases.map((c) => diagnostics(c.file, c.text, c.other));
    };
    const fast = run(true);
    const slow = run(false);
    let schemaFindings = 0;
    for (let i = 0; i < cases.length; i++) {
      assert.deepEqual(fast[i], slow[i], `case #${i} of ${cases[i]!.file}:\n${cases[i]!.text}`);
      schemaFindings += fast[i]!.filter((d) => d.code === 'schema').length;
    }
    // The mutants must exercise the schema, or the comparison proves little.
    assert.ok(schemaFindings > 200, `only ${schemaFindings} schema findings`);
  });
});
