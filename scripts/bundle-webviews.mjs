// Bundles the lit webviews for the browser into dist/webviews/, with the codicon font beside
// them: everything a webview loads comes from that one folder (its localResourceRoots).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** `import src from 'pkg/file.js?worker-source'` gives the file's text, to start a Worker from a blob. */
const workerSource = {
  name: 'worker-source',
  setup(b) {
    const require = createRequire(import.meta.url);
    b.onResolve({ filter: /\?worker-source$/ }, (args) => ({
      path: require.resolve(args.path.replace(/\?worker-source$/, ''), { paths: [args.resolveDir] }),
      namespace: 'worker-source',
    }));
    b.onLoad({ filter: /.*/, namespace: 'worker-source' }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'text' }));
  },
};

/** Every webviews/src/<name>/main.ts becomes dist/webviews/<name>.js, with <name>.css and its *.svg icons beside it. */
export async function buildWebviews(root) {
  const src = join(root, 'webviews', 'src');
  const out = join(root, 'dist', 'webviews');
  mkdirSync(out, { recursive: true });
  const names = readdirSync(src, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(src, d.name, 'main.ts')))
    .map((d) => d.name);
  if (names.length === 0) return;
  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(names.map((n) => [n, `webviews/src/${n}/main.ts`])),
    outdir: 'dist/webviews',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    // VS Code 1.101's Electron 35 is Chromium 134; decorators are lowered for it.
    target: 'chrome120',
    minify: process.env.MLOPS_NO_MINIFY !== '1',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [workerSource],
  });
  // Beside each bundle: its page stylesheet (<name>.css) and its icons (*.svg).
  for (const n of names) {
    for (const f of readdirSync(join(src, n))) if (f === `${n}.css` || f.endsWith('.svg')) copyFileSync(join(src, n, f), join(out, f));
  }
  const codicons = join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(join(codicons, f), join(out, f));
}
