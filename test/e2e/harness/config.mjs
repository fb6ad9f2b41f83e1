// Where things live for one e2e run: the repository, the pinned versions, the cache and
// the results folder. Everything the suite writes outside the repo goes under a temp root.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The extension manifest, read once. */
export const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

/** The pinned code-server and the Node it runs on, from package.json "mlopsE2E". */
export function pins() {
  const p = manifest.mlopsE2E ?? {};
  if (!p.codeServer || !p.node) {
    throw new Error('package.json has no "mlopsE2E": {"codeServer", "node"} pins; add them to choose the VS Code the suite runs.');
  }
  return { codeServer: String(p.codeServer), node: String(p.node) };
}

/** Root of the install cache; MLOPS_E2E_CACHE overrides it (CI may point it at a shared disk). */
export function cacheRoot() {
  return process.env.MLOPS_E2E_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mlops-workbench');
}

/** Screenshots, results.json and logs; MLOPS_E2E_RESULTS moves them (two runs in one checkout). */
export const resultsDir = resolve(process.env.MLOPS_E2E_RESULTS ?? join(repoRoot, 'test-results', 'e2e'));

export const chromiumPath = process.env.MLOPS_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** The extension's id as VS Code knows it. */
export const extensionId = `${manifest.publisher}.${manifest.name}`;

/** The packaged extension the suite installs (MLOPS_E2E_VSIX overrides it). */
export const vsixPath = () => process.env.MLOPS_E2E_VSIX ?? join(repoRoot, `${manifest.name}-${manifest.version}.vsix`);
