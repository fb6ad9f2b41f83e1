import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../files';
import { BIN, NODE24, REPO } from './mlops';

/** Lines of `--trace-opt` output that say a function was compiled by TurboFan. */
function turbofanned(stdout: string): string[] {
  return stdout.split('\n').filter((l) => /completed compiling .*target TURBOFAN/.test(l));
}

describe('cli: the optimising compiler in one-shot commands', () => {
  it('is turned off for validate, export and dag, and left on for every other command', () => {
    const tiering = path.join(REPO, 'out', 'agent', 'src', 'util', 'tiering.js');
    const commands = ['validate', 'export', 'dag', 'run', 'runs', 'agent', 'serve', 'models', 'features', 'store', 'devcontainer', '--version'];
    // In a child process: the flag, once set, holds for the whole process.
    const script = `const { tierForCommand } = require(${JSON.stringify(tiering)}); console.log(JSON.stringify([...${JSON.stringify(commands)}.map((c) => tierForCommand(c)), tierForCommand(undefined)]));`;
    const r = spawnSync(NODE24, ['-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [true, true, true, false, false, false, false, false, false, false, false, false, false]);
  });

  it('compiles nothing with TurboFan while mlops validate checks 2,000 tasks (a hot loop elsewhere is)', () => {
    const t = tempDir('mlops-tiering-');
    try {
      const lines = ['version: 1', 'name: big', 'tasks:'];
      for (let i = 0; i < 2000; i++) lines.push(`  t${i}:`, `    run: echo ${i} > out/${i}.txt`, `    outputs: [out/${i}.txt]`, ...(i > 0 ? [`    inputs: [out/${i - 1}.txt]`] : []));
      fs.writeFileSync(path.join(t.dir, 'big.pipeline.yaml'), `${lines.join('\n')}\n`);
      const r = spawnSync(NODE24, ['--trace-opt', BIN, 'validate', 'big.pipeline.yaml'], { cwd: t.dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /✓ 1 file checked, no problems\n$/);
      assert.deepEqual(turbofanned(r.stdout), []);
      // The check can fail: the same trace of a plain hot loop names TurboFan.
      const control = spawnSync(NODE24, ['--trace-opt', '-e', 'let s = 0; function f(i) { return (i * 31) % 7; } for (let i = 0; i < 3e7; i++) s += f(i); console.log(s > 0);'], { encoding: 'utf8' });
      assert.equal(control.status, 0, control.stderr);
      assert.notDeepEqual(turbofanned(control.stdout), []);
    } finally {
      t.cleanup();
    }
  });
});
