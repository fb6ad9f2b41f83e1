import * as fs from 'node:fs';
import type { FileHost } from '../../../core/src/index';
import { nativePath } from '../util/uri';

/**
 * The file system as core's rules see it. Existence answers are cached because rules ask
 * for every input on every keystroke; file watcher events clear the cache.
 */
export class NodeFileHost implements FileHost {
  private readonly existsCache = new Map<string, boolean>();

  exists(path: string): boolean {
    let hit = this.existsCache.get(path);
    if (hit === undefined) {
      hit = fs.existsSync(nativePath(path));
      this.existsCache.set(path, hit);
    }
    return hit;
  }

  readText(path: string): string | undefined {
    try {
      return fs.readFileSync(nativePath(path), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Forgets cached answers, e.g. after files were created or deleted. */
  forget(): void {
    this.existsCache.clear();
  }
}
