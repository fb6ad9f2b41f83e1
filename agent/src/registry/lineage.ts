import { simpleGit, type SimpleGit } from 'simple-git';
import type { ModelCode } from '../../../core/src/catalog/index';

/** Diffs above this size are cut: a model record must stay readable and small. */
const MAX_DIFF = 2 * 1024 * 1024;

/** A remote URL without credentials, which must never land in a model record. */
export function redactRemote(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/**
 * The git state of the folder: commit, branch, remote, whether anything is uncommitted and
 * then the diff (tracked changes against HEAD) and the untracked files. Never throws: what
 * cannot be found is null, with a note saying why.
 */
export async function gitLineage(dir: string): Promise<ModelCode> {
  const none = (note: string): ModelCode => ({ repository: false, commit: null, branch: null, remote: null, dirty: false, diff: null, untracked: [], note });
  let git: SimpleGit;
  try {
    git = simpleGit({ baseDir: dir, timeout: { block: 30_000 } });
    if (!(await git.checkIsRepo())) return none(`${dir} is not a git repository: the commit and uncommitted changes of the code are not recorded; run git init and commit to track them`);
  } catch (e) {
    return none(`git could not be run (${firstLine(e)}); the code's commit is not recorded`);
  }
  const notes: string[] = [];
  const out: ModelCode = { repository: true, commit: null, branch: null, remote: null, dirty: false, diff: null, untracked: [], note: null };
  try {
    out.commit = (await git.revparse(['HEAD'])).trim();
  } catch {
    notes.push('the repository has no commit yet');
  }
  try {
    const b = (await git.raw(['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
    if (b && b !== 'HEAD') out.branch = b;
    else if (out.commit) notes.push('detached HEAD');
  } catch {
    // No commit yet: the branch is unborn; symbolic-ref still names it.
    try {
      out.branch = (await git.raw(['symbolic-ref', '--short', 'HEAD'])).trim() || null;
    } catch {
      /* leave null */
    }
  }
  try {
    const remotes = await git.getRemotes(true);
    const r = remotes.find((x) => x.name === 'origin') ?? remotes[0];
    if (r) out.remote = redactRemote(r.refs.fetch || r.refs.push);
  } catch {
    /* no remote is normal */
  }
  try {
    const st = await git.status();
    out.untracked = [...st.not_added].sort();
    out.dirty = !st.isClean();
  } catch (e) {
    notes.push(`git status failed (${firstLine(e)})`);
  }
  if (out.dirty) {
    try {
      const diff = out.commit ? await git.raw(['diff', 'HEAD', '--no-color', '--no-ext-diff']) : await git.raw(['diff', '--cached', '--no-color', '--no-ext-diff']);
      out.diff = diff.length > MAX_DIFF ? `${diff.slice(0, MAX_DIFF)}\n… diff cut at ${MAX_DIFF} bytes\n` : diff;
      if (out.untracked.length > 0) notes.push(`${out.untracked.length} untracked file${out.untracked.length === 1 ? '' : 's'} (listed, not in the diff)`);
    } catch (e) {
      notes.push(`git diff failed (${firstLine(e)})`);
    }
  }
  out.note = notes.length > 0 ? notes.join('; ') : null;
  return out;
}

function firstLine(e: unknown): string {
  return String((e as Error).message ?? e)
    .split('\n')[0]!
    .trim();
}
