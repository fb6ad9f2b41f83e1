import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mlops, parseRun, project, removeProjects, stopSpawned } from './helpers';

/** What a hostile value must never do: create this file. */
const PWNED = 'pwned';
const HOSTILE = ['"; touch pwned; "', "'; touch pwned; '", '$(touch pwned)', '`touch pwned`', 'a\nb', '', 'it\'s \\ "x" $HOME *'];

describe('mlops run: hostile params and values (real processes)', function () {
  this.timeout(60_000);
  after(removeProjects);
  afterEach(stopSpawned);

  it('a string param pasted into run arrives as one word, byte for byte, however it is quoted around it', async () => {
    // One param and one task per hostile value, all in one run.
    const params = HOSTILE.map((_, i) => `  m${i}: {type: string, default: hi}`).join('\n');
    const tasks = HOSTILE.map(
      (_, i) =>
        `  t${i}: {run: 'printf "%s|" \${{ params.m${i} }} end > ${i}-plain; printf "%s" "<\${{ params.m${i} }}>" > ${i}-double; ` +
        `printf "%s" ''<\${{ params.m${i} }}>'' > ${i}-single; printf "%s" "$MLOPS_PARAM_M${i}" > ${i}-env'}`,
    ).join('\n');
    const dir = project({ 'p.pipeline.yaml': `version: 1\nname: quoting\nparams:\n${params}\ntasks:\n${tasks}\n` });
    const r = await mlops(['run', 'p.pipeline.yaml', ...HOSTILE.flatMap((v, i) => ['--param', `m${i}=${v}`]), '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseRun(r.stdout).status, 'succeeded');
    const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
    HOSTILE.forEach((value, i) => {
      const what = JSON.stringify(value);
      assert.equal(read(`${i}-plain`), `${value}|end|`, what);
      assert.equal(read(`${i}-double`), `<${value}>`, what);
      assert.equal(read(`${i}-single`), `<${value}>`, what);
      assert.equal(read(`${i}-env`), value, what);
    });
    assert.equal(fs.existsSync(path.join(dir, PWNED)), false, 'a value ran a command');
  });

  it('refuses a value with shell characters where it cannot be quoted, before anything runs', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: backquotes
params:
  msg: {type: string, default: hi}
tasks:
  first: {run: touch first-ran}
  a: {needs: [first], run: 'echo \`echo \${{ params.msg }}\`'}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml', '--param', 'msg=a;touch pwned'], dir);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `mlops run: Task 'a': the value of \${{ params.msg }} has characters the shell treats specially, and it stands inside backquotes, where it cannot be quoted safely; use "$MLOPS_PARAM_MSG" in the command instead.\n`,
    );
    assert.equal(fs.existsSync(path.join(dir, 'first-ran')), false);
    assert.equal(fs.existsSync(path.join(dir, PWNED)), false);
  });

  it('refuses NUL in an env value of the file with the validator diagnostic, and runs nothing', async () => {
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: nul
tasks:
  a:
    run: touch ran
    env: {V: "x\\0y"}
  b: {needs: [a], run: touch ran-b}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /p\.pipeline\.yaml:6:14: error nul-character: This value contains a NUL character \(\\0\), which no process can receive/);
    assert.equal(fs.existsSync(path.join(dir, 'ran')), false);
    const v = await mlops(['validate', 'p.pipeline.yaml', '--format', 'json'], dir);
    assert.equal(v.code, 1);
    assert.deepEqual(
      (JSON.parse(v.stdout) as { code: string; line: number; column: number }[]).map((d) => [d.code, d.line, d.column]),
      [['nul-character', 6, 14]],
    );
  });

  it('carries every other character to a task: U+0001 to U+00FF in a param, its env and an env value', async () => {
    const all = Array.from({ length: 255 }, (_, i) => String.fromCharCode(i + 1)).join('');
    const dir = project({
      'p.pipeline.yaml': `version: 1
name: bytes
params:
  msg: {type: string, default: hi}
tasks:
  a:
    run: 'printf "%s" \${{ params.msg }} > arg.bin; printf "%s" "$MLOPS_PARAM_MSG" > env.bin; printf "%s" "$V" > v.bin'
    env: {V: "${[...all].map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}"}
  b: {needs: [a], run: touch b-ran}
`,
    });
    const r = await mlops(['run', 'p.pipeline.yaml', '--param', `msg=${all}`, '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const expected = Buffer.from(all);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'arg.bin')), expected);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'env.bin')), expected);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'v.bin')), Buffer.from(all));
    assert.equal(fs.existsSync(path.join(dir, 'b-ran')), true, 'the next task ran');
  });
});
