// "MLOps: Install 'mlops' Command in PATH" puts a working `mlops` into ~/.local/bin (the
// run's private HOME, which is not on code-server's PATH, so the command says so), and
// "MLOps: Uninstall 'mlops' Command from PATH" takes it away again.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifest } from '../harness/config.mjs';
import { expect, waitFor } from '../harness/wait.mjs';

const INSTALL = "MLOps: Install 'mlops' Command in PATH";
const UNINSTALL = "MLOps: Uninstall 'mlops' Command from PATH";

export const checks = [
  {
    name: 'install-command-puts-a-working-mlops-in-local-bin',
    async run({ vs, home, extensionDir }) {
      const bin = join(home, '.local', 'bin');
      const file = join(bin, 'mlops');
      await vs.runCommandAskingInput(INSTALL, "Install 'mlops' Command in PATH");
      await waitFor(async () => (await vs.quickInputRows()).some((l) => l.startsWith(bin)), {
        what: `the folder choice to offer ${bin}`,
        describe: async () => JSON.stringify(await vs.quickInputRows()),
      });
      const rows = await vs.quickInputRows();
      expect(rows[0].startsWith(bin), `the first choice is not ${bin}: ${JSON.stringify(rows)}`);
      expect(rows[0].includes('not on PATH'), `the choice does not say ${bin} is not on PATH: ${rows[0]}`);
      await vs.keyboard.press('Enter');
      await waitFor(() => existsSync(file), { what: `${file} to be written` });
      const script = readFileSync(file, 'utf8');
      expect(script.includes(join(extensionDir, 'dist', 'agent.js')), `the launcher does not run the installed extension's CLI:\n${script}`);
      // Run as a user would, from a shell that has nothing of code-server's environment.
      const r = spawnSync(file, ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: home } });
      expect(r.status === 0 && r.stdout === `${manifest.version}\n`, `mlops --version printed ${JSON.stringify(r.stdout)} (exit ${r.status}): ${r.stderr}`);
      await waitFor(async () => (await vs.notificationCenter()).some((t) => t.includes('is not on your PATH')), {
        what: 'a notification that the folder is not on PATH',
        describe: async () => JSON.stringify(await vs.notificationCenter()),
      });
    },
  },
  {
    name: 'uninstall-command-removes-it',
    async run({ vs, home, extensionDir }) {
      const file = join(home, '.local', 'bin', 'mlops');
      if (!existsSync(file)) {
        // This file may run alone: install first, without the palette.
        const { installShim } = await import('../../../out/client/src/cli/shim.js');
        await installShim(join(home, '.local', 'bin'), { node: process.execPath, cli: join(extensionDir, 'dist', 'agent.js') });
      }
      await vs.runCommand(UNINSTALL);
      await waitFor(() => !existsSync(file), { what: `${file} to be removed` });
    },
  },
];
