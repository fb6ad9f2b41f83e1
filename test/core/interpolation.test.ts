import assert from 'node:assert/strict';
import { findReferences, interpolate, parseYaml, referencedTasks, get, type Span } from '../../core/src/index';
import { yaml } from './helpers';

/** The span of a scalar value at a path of keys in a YAML text. */
function valueSpan(text: string, ...keys: string[]): Span {
  let v = parseYaml(text).root;
  for (const k of keys) v = get(v, k)?.value ?? null;
  assert.ok(v, `no value at ${keys.join('.')}`);
  return v.span;
}

describe('core: interpolation', () => {
  it('finds each ${{ }} with its parts and the exact spans of the expression and the whole', () => {
    const text = 'run: echo ${{ params.lr }} ${{tasks.a.outputs.x}}  ${{   run.id   }}\n';
    const refs = findReferences(text, valueSpan(text, 'run'));
    assert.deepEqual(
      refs.map((r) => ({ expr: r.expr, parts: r.parts, inner: text.slice(...r.span), outer: text.slice(...r.outer) })),
      [
        { expr: 'params.lr', parts: ['params', 'lr'], inner: 'params.lr', outer: '${{ params.lr }}' },
        { expr: 'tasks.a.outputs.x', parts: ['tasks', 'a', 'outputs', 'x'], inner: 'tasks.a.outputs.x', outer: '${{tasks.a.outputs.x}}' },
        { expr: 'run.id', parts: ['run', 'id'], inner: 'run.id', outer: '${{   run.id   }}' },
      ],
    );
  });

  it('keeps spans exact in folded, literal and quoted scalars', () => {
    const text = yaml('a: >', '  python x.py', '    --lr ${{ params.lr }}', 'b: "say \\"${{ params.msg }}\\""', "c: 'it''s ${{ env.HOME }}'", 'd: |', '  ${{ inputs.table }}');
    for (const [key, expr] of [
      ['a', 'params.lr'],
      ['b', 'params.msg'],
      ['c', 'env.HOME'],
      ['d', 'inputs.table'],
    ] as const) {
      const [ref] = findReferences(text, valueSpan(text, key));
      assert.ok(ref, key);
      assert.equal(text.slice(...ref.span), expr, key);
      assert.equal(ref.span[0], text.indexOf(expr), key);
    }
  });

  it('finds nothing in text without ${{, and ignores an unclosed one', () => {
    assert.deepEqual(findReferences('x: plain $HOME {{ a }}\n', [3, 22]), []);
    assert.deepEqual(findReferences('x: ${{ params.a \n', [3, 16]), []);
  });

  it('reports an empty expression as one with no parts worth resolving', () => {
    const [ref] = findReferences('x: ${{ }}', [3, 9]);
    assert.equal(ref?.expr, '');
    assert.deepEqual(ref?.parts, ['']);
  });

  it('substitutes resolved expressions and leaves unknown ones as written', () => {
    const values: Record<string, string> = { 'params.lr': '0.1', 'run.id': 'r-7' };
    const out = interpolate('train --lr ${{ params.lr }} --id ${{run.id}} --x ${{ params.nope }}', (parts) => values[parts.join('.')]);
    assert.equal(out, 'train --lr 0.1 --id r-7 --x ${{ params.nope }}');
  });

  it('does not re-interpolate substituted text', () => {
    const out = interpolate('${{ params.a }}', () => '${{ params.b }}');
    assert.equal(out, '${{ params.b }}');
  });

  it('lists the tasks referenced through tasks.ID…', () => {
    const text = 'run: ${{ tasks.a.outputs.x }} ${{ params.p }} ${{ tasks.b.outputs.y }} ${{ tasks }}\n';
    assert.deepEqual(referencedTasks(findReferences(text, valueSpan(text, 'run'))), ['a', 'b']);
  });
});
