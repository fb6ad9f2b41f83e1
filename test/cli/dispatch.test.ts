import assert from 'node:assert/strict';
import { dispatch, EXIT } from '../../agent/src/cli/dispatch';
import type { Command } from '../../agent/src/cli/command';
import { UsageError } from '../../agent/src/util/args';

/** Runs `dispatch` with stdout and stderr captured. */
async function captured(cmd: Command, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const write = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((s: string) => ((out.stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((out.stderr += s), true)) as typeof process.stderr.write;
  try {
    return { code: await dispatch(cmd, argv), ...out };
  } finally {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
  }
}

const command = (run: Command['run']): Command => ({ name: 'demo', summary: 'A demo', usage: 'mlops demo [--x]', run });

describe('mlops: how a command ends', () => {
  it('passes the command’s own exit code through', async () => {
    assert.equal(
      (
        await captured(
          command(() => 1),
          [],
        )
      ).code,
      1,
    );
  });

  it('answers --help with the usage and exit 0, without running the command', async () => {
    const r = await captured(
      command(() => assert.fail('ran')),
      ['--help'],
    );
    assert.deepEqual(r, { code: 0, stdout: 'Usage: mlops demo [--x]\n\nA demo.\n', stderr: '' });
  });

  it('turns a usage error into exit 2 with the message and the usage line', async () => {
    const r = await captured(
      command(() => {
        throw new UsageError('Unknown option --y.');
      }),
      [],
    );
    assert.deepEqual(r, { code: EXIT.usage, stdout: '', stderr: 'mlops demo: Unknown option --y.\nUsage: mlops demo [--x]\n' });
  });

  it('turns an unreadable file into exit 2 naming the path', async () => {
    const err = Object.assign(new Error('EACCES'), { code: 'EACCES', path: '/x/y' });
    const r = await captured(
      command(() => {
        throw err;
      }),
      [],
    );
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'mlops demo: cannot read /x/y (EACCES); check the path and its permissions.\n');
  });

  it('turns a crash into exit 70, different from usage, with the stack to report', async () => {
    const r = await captured(
      command(() => {
        throw new TypeError('x is undefined');
      }),
      [],
    );
    assert.equal(r.code, 70);
    assert.notEqual(r.code, EXIT.usage);
    assert.match(r.stderr, /^mlops demo: internal error, please report it with this output: TypeError: x is undefined\n    at /);
  });
});
