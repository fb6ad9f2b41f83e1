import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { tempDir } from '../files';

// Compiled to out/test/cli/, so the repository root is three levels up.
const REPO = path.resolve(__dirname, '../../..');
const BIN = path.join(REPO, 'bin', 'mlops.js');
const NODE = path.join(REPO, 'node_modules', '.bin', 'node');

function mlops(args: string[], cwd: string): { status: number | null; stderr: string } {
  const r = spawnSync(NODE, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stderr: r.stderr };
}

describe('mlops: usage errors', function () {
  this.timeout(120_000);
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir('mlops-usage-')));
  after(() => cleanup());

  const SUBCOMMANDS: Array<[string, string]> = [
    ['models', 'list, show, alias, tag, diff or check'],
    ['runs', 'list, show, logs or reattach'],
    ['features', 'list or show'],
    ['store', 'info or migrate'],
    ['devcontainer', 'generate or build'],
  ];

  for (const [cmd, names] of SUBCOMMANDS) {
    it(`mlops ${cmd}: the same words for a missing and an unknown sub-command`, () => {
      const none = mlops([cmd], dir);
      assert.equal(none.status, 2);
      assert.match(none.stderr, new RegExp(`^mlops ${cmd}: Name a sub-command: ${names}\\.\\nUsage: mlops ${cmd} `));
      const unknown = mlops([cmd, 'nope'], dir);
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, new RegExp(`^mlops ${cmd}: Unknown sub-command 'nope'; use ${names}\\.\\nUsage: `));
    });
  }

  it('refuses an option the sub-command does not take, even when a sibling takes it', () => {
    const alias = mlops(['models', 'alias', 'm', '1', 'champion', '--mlruns', 'x'], dir);
    assert.equal(alias.status, 2);
    assert.match(alias.stderr, /^mlops models: Unknown option --mlruns\. Options: --state-dir, --store, --artifacts\.\n/);
    const logs = mlops(['runs', 'logs', 'last', 't', '--limit', '3'], dir);
    assert.equal(logs.status, 2);
    assert.match(logs.stderr, /^mlops runs: Unknown option --limit\. Options: --follow, /);
    const build = mlops(['devcontainer', 'build', '--dry-run'], dir);
    assert.equal(build.status, 2);
    assert.match(build.stderr, /^mlops devcontainer: Unknown option --dry-run\. Options: --verify, --dir, /);
  });

  it('words every usage error as one sentence ending in a full stop, followed by the usage', () => {
    const cases = [['validate'], ['run'], ['dag'], ['runs', 'list', '--limit', '0'], ['models', 'show'], ['features', 'list', 'x'], ['store', 'info', 'x'], ['devcontainer', 'generate', 'x'], ['agent']];
    for (const args of cases) {
      const r = mlops(args, dir);
      assert.equal(r.status, 2, args.join(' '));
      const [first, second] = r.stderr.split('\n');
      assert.match(first!, new RegExp(`^mlops ${args[0]}: [A-Z'-].*[.]$`), `${args.join(' ')}: ${first}`);
      assert.match(second!, /^Usage: mlops /, args.join(' '));
    }
  });
});
