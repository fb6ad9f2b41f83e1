import * as fs from 'node:fs';
import type { FileHost, FileText } from '../../../core/src/index';
import { fileText, READ_LIMITS } from '../../../core/src/node/read';
import { nativePath } from '../util/uri';

/**
 * The file system as core's rules see it. Existence answers are cached because rules ask
 * for every input on every keystroke; file watcher events clear the cache. Reads are
 * bounded and stay inside the workspace folders (validation runs in Restricted Mode too).
 */
export class NodeFileHost implements FileHost {
  private readonly existsCache = new Map<string, boolean>();
  /** Native paths of the workspace folders; a read resolving outside them is refused. */
  private within: string[] = [];

  exists(path: string): boolean {
    let hit = this.existsCache.get(path);
    if (hit === undefined) {
      hit = fs.existsSync(nativePath(path));
      this.existsCache.set(path, hit);
    }
    return hit;
  }

  readText(path: string): FileText {
    return fileText(nativePath(path), { limit: READ_LIMITS.source, within: this.within });
  }

  /** The workspace folders (POSIX paths); none means reads are not confined. */
  setFolders(folders: readonly string[]): void {
    this.within = folders.map(nativePath);
  }

  /** Forgets cached answers, e.g. after files were created or deleted. */
  forget(): void {
    this.existsCache.clear();
  }
}
