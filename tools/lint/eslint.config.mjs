// ESLint for the repository (npm run lint). Besides the recommended rules of ESLint and
// typescript-eslint, it draws the walls the TypeScript project graph cannot: what each
// layer may import. Run from the repository root: npm run lint.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Node's built-in modules by their bare names (`fs`, `path`…); `node:*` is a pattern below. */
const nodeBuiltins = (message) => builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message }));

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'out/**', 'dist/**', 'test-results/**', '**/*.generated.js', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // A leading underscore says "deliberately unused".
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Optional modules are loaded with require() on purpose, so that esbuild bundles them
      // only where they exist (the generated validators, Ajv, dockerode) and they load on first use.
      '@typescript-eslint/no-require-imports': 'off',
      // A variable a callback reads before its one assignment cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Generator helpers nested in methods keep the instance as `self`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
    },
  },
  {
    // Code that Playwright runs in the page.
    files: ['test/e2e/**/*.mjs', 'scripts/bench-dag.mjs'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Tests reach into browsers, webviews and untyped JSON; their regexes quote output verbatim.
    files: ['test/**/*.{ts,mjs}'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-regex-spaces': 'off' },
  },
  {
    files: ['webviews/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The webviews run in a browser: only core's browser-safe entry, no Node, no editor API.
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'A webview has no editor API: it talks to the host by message (core/src/protocol/webview.ts).' }, ...nodeBuiltins('Webviews run in a browser: no Node modules.')],
          patterns: [
            { regex: String.raw`(^|/)core/src/(?!browser$)`, message: 'Webviews may import only core/src/browser, the browser-safe entry.' },
            { regex: String.raw`(^|/)(client|server|agent)/src/`, message: 'Webviews may import only core/src/browser.' },
            { group: ['node:*'], message: 'Webviews run in a browser: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // The extension imports core through its public entries only.
    files: ['client/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: String.raw`(^|/)core/src/(?!(browser|index|node)$)`, message: 'Import core through its public entries: core/src/browser, core/src/index or core/src/node.' },
            { regex: String.raw`(^|/)(server|agent|webviews)/src/`, message: 'The extension talks to the server, the agent and the webviews by protocol, not by import.' },
          ],
        },
      ],
    },
  },
  {
    // core's pure part loads anywhere: no Node, no editor, no stdio JSON-RPC. Node-only code
    // lives in core/src/node/, behind the entry core/src/node.ts.
    files: ['core/src/**/*.ts'],
    ignores: ['core/src/node/**', 'core/src/node.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'core runs outside the editor too.' }, ...nodeBuiltins("core's pure part may not import Node modules: put Node-only code in core/src/node/.")],
          patterns: [
            { group: ['node:*'], message: "core's pure part may not import Node modules: put Node-only code in core/src/node/." },
            {
              group: ['vscode-jsonrpc', 'vscode-jsonrpc/*', 'vscode-languageserver', 'vscode-languageserver/*'],
              message: "core's pure part may not load a JSON-RPC transport: declare messages as plain data in core/src/protocol/.",
            },
            { regex: String.raw`^(\.\.?/)+node(/|$)`, message: "core's pure part may not import core/src/node (Node only)." },
            { regex: String.raw`(^|/)(client|server|agent|webviews)/src/`, message: 'core imports no other part of the project.' },
          ],
        },
      ],
    },
  },
);
