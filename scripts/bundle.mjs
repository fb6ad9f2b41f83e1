// Bundles each process of the extension into dist/ with esbuild. `tsc -b` type-checks first.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { buildWebviews } from './bundle-webviews.mjs';
import { generateValidators } from './gen-validators.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22', // VS Code 1.101+ runs extensions on Node 22.15 (Electron 35)
  sourcemap: 'linked',
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

// docker-modem loads ssh2 when it loads (for ssh:// engines); ssh2 has native parts and the
// .vsix carries no node_modules, so the agent gets a stand-in that explains instead of
// failing to start.
const noSsh2 = {
  name: 'no-ssh2',
  setup(b) {
    b.onResolve({ filter: /^ssh2$/ }, () => ({ path: 'ssh2', namespace: 'no-ssh2' }));
    b.onLoad({ filter: /.*/, namespace: 'no-ssh2' }, () => ({
      contents: "exports.Client = class { constructor() { throw new Error('ssh:// Docker hosts are not supported; set DOCKER_HOST to a unix socket or a tcp:// address.'); } };",
      loader: 'js',
    }));
  },
};

// keepNames wraps every named function in a call that sets its name, also each closure a
// hot loop creates anew (about 0.1 s of a 5,000-task `mlops export`). No code of ours or of
// the bundled libraries reads a function's name, so the processes that analyse pipelines go
// without it; the extension host keeps it.
const entries = [
  { in: 'client/src/extension.ts', out: 'dist/client.js', external: ['vscode'] },
  { in: 'server/src/server.ts', out: 'dist/server.js', keepNames: false },
  // The language server's worker threads: the engine without the LSP library, which only the main thread needs.
  { in: 'server/src/lane.ts', out: 'dist/lane.js', keepNames: false },
  { in: 'agent/src/main.ts', out: 'dist/agent.js', external: ['cpu-features'], plugins: [noSsh2], keepNames: false },
];

// The JSON Schemas, compiled ahead of time into validator code that core loads (git-ignored).
generateValidators(root);

await Promise.all(
  entries
    .filter((e) => existsSync(join(root, e.in)))
    .map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out, external: e.external ?? [], plugins: e.plugins ?? [], keepNames: e.keepNames ?? common.keepNames })),
);
await buildWebviews(root);
