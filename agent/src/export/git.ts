import { simpleGit } from 'simple-git';
import { gitLineage, redactRemote } from '../registry/lineage';

/** What an export records of the repository and needs to check it out elsewhere. */
export interface GitFacts {
  /** False when the folder is in no git repository. */
  repository: boolean;
  commit: string | null;
  /** Uncommitted changes or untracked files (that are not ignored). */
  dirty: boolean;
  /** The first changed paths, for the message that refuses a dirty tree. */
  changed: string[];
  /** The fetch URL of the branch's remote (else `origin`, else the first), without credentials. */
  remote: string | null;
  /** Whether a remote-tracking branch contains the commit; null when unknown. */
  pushed: boolean | null;
}

/**
 * Reads the repository `root` once; never throws (a missing git is "no repository").
 * `generated` (paths relative to `root`) do not make the tree dirty: the manifest an
 * earlier export wrote must not stop the next one.
 */
export async function gitFacts(root: string, generated: string[] = []): Promise<GitFacts> {
  const lineage = await gitLineage(root);
  const facts: GitFacts = { repository: lineage.repository, commit: lineage.commit, dirty: lineage.dirty, changed: [], remote: lineage.remote, pushed: null };
  if (!lineage.repository || !lineage.commit) return facts;
  const git = simpleGit({ baseDir: root, timeout: { block: 30_000 } });
  try {
    const st = await git.status();
    const changed = st.files.map((f) => f.path).filter((f) => !generated.includes(f));
    facts.dirty = changed.length > 0;
    facts.changed = changed.slice(0, 5);
  } catch {
    /* the dirty flag above stands */
  }
  try {
    // The remote the branch pushes to is the one the cluster should clone from.
    const upstream = (await git.raw(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}'])).trim();
    const remote = upstream.split('/')[0];
    if (remote) facts.remote = redactRemote((await git.raw(['remote', 'get-url', remote])).trim());
  } catch {
    /* no upstream: gitLineage's choice (origin, else the first remote) stands */
  }
  try {
    facts.pushed = (await git.raw(['branch', '--remotes', '--contains', lineage.commit])).trim() !== '';
  } catch {
    facts.pushed = null;
  }
  return facts;
}
