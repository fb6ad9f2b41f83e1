// Bundles each process of the extension into dist/ with esbuild. `tsc -b` type-checks first.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { buildWebviews } from './bundle-webviews.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

const entries = [
  { in: 'client/src/extension.ts', out: 'dist/client.js', external: ['vscode'] },
  { in: 'server/src/server.ts', out: 'dist/server.js' },
  { in: 'agent/src/main.ts', out: 'dist/agent.js', external: ['cpu-features', 'ssh2'] },
];

await Promise.all(
  entries
    .filter((e) => existsSync(join(root, e.in)))
    .map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out, external: e.external ?? [] })),
);
await buildWebviews(root);
