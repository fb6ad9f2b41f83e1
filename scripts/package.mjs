// Packages the built extension into mlops-workbench-<version>.vsix with @vscode/vsce.
// The bundles in dist/ are self-contained, so no node_modules go in (--no-dependencies);
// .vscodeignore keeps the rest out. Run after `npm run build` (`npm run package` does both).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1] : join(root, `${pkg.name}-${pkg.version}.vsix`);

const main = join(root, pkg.main ?? 'dist/client.js');
for (const f of [main, join(root, 'dist', 'server.js')]) {
  if (!existsSync(f)) {
    console.error(`package: ${relative(root, f)} is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
}

const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
// README links stay relative: its screenshots travel in the .vsix (docs/screenshots), so
// the extension's page in VS Code shows them from the installed folder.
const args = [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out];
if (!existsSync(join(root, 'LICENSE'))) args.push('--skip-license');
// No stdin: vsce must never wait on a question in CI.
const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  console.error(`package: vsce failed (exit ${r.status ?? r.signal}).`);
  process.exit(1);
}

const listing = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
const files = listing.stdout.split('\n').filter(Boolean);
const maps = files.filter((f) => f.endsWith('.map'));
if (maps.length) {
  console.error(`package: source maps would ship in the .vsix (${maps.join(', ')}); fix .vscodeignore.`);
  process.exit(1);
}
console.log(`package: ${relative(process.cwd(), out) || out} (${Math.round(statSync(out).size / 1024)} KiB, ${files.length} files)`);
