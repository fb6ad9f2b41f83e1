/** Folders never searched for pipeline and feature files: dependencies, caches, build output. */
const SKIP = new Set(['node_modules', '.git', '.mlops', '.venv', 'venv', '__pycache__', 'dist', 'out', '.tox', '.cache']);

/** True for a folder that the CLI and the language server skip when they look for project files. */
export function skippedFolder(name: string): boolean {
  return SKIP.has(name);
}
