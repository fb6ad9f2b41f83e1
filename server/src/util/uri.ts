import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Absolute POSIX path for a document URI: core keys documents by path. Non-file URIs get a
 * path under `/<scheme>/` so they never collide with files.
 */
export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      const p = fileURLToPath(uri).replace(/\\/g, '/');
      return p.startsWith('/') ? p : `/${p}`;
    } catch {
      // fall through: an odd file URI is still a name
    }
  }
  const colon = uri.indexOf(':');
  const scheme = colon > 0 ? uri.slice(0, colon) : 'unknown';
  const rest = decodeURIComponent(uri.slice(colon + 1).replace(/^\/*/, ''));
  return `/${scheme}/${rest}`;
}

/** The file URI of an absolute path, for documents read from disk. */
export function pathToUri(path: string): string {
  // Windows paths are kept as `/c:/x` by uriToPath.
  return pathToFileURL(/^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path).href;
}

/** The native file-system path for an absolute POSIX path from uriToPath. */
export function nativePath(path: string): string {
  return process.platform === 'win32' && /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}
