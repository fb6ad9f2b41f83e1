import type { Template, Volume } from './types';

/** Where the repository comes from for `--code git`. */
export interface GitSource {
  /** A URL the cluster can clone from (`git remote get-url origin`, or `--git-url`). */
  url: string;
  /** The commit every pod works on. */
  commit: string;
  /** The image that runs git (`--git-image`). */
  image: string;
  /** A Secret with an `ssh-privatekey` entry (type kubernetes.io/ssh-auth), for a private repository. */
  secret?: string;
}

/** A small image with git and sh; pinned, since a moving tag would change what a run does. */
export const DEFAULT_GIT_IMAGE = 'docker.io/alpine/git:v2.47.2';

const KEY_DIR = '/etc/mlops-git';

/**
 * The first step's script: turn the workspace folder into a checkout of the commit. It
 * works in an empty volume (which may hold lost+found, so no `git clone .`) and in one a
 * previous run left behind, whose untracked outputs stay, as they do between local runs.
 * The URL and commit come in as variables, so nothing in them reaches the shell as code.
 */
export const CHECKOUT_SCRIPT = [
  'set -eu',
  `if [ -f ${KEY_DIR}/ssh-privatekey ]; then`,
  // ssh refuses a key others may read; the Secret's file belongs to root.
  `  cp ${KEY_DIR}/ssh-privatekey /tmp/mlops-git-key && chmod 600 /tmp/mlops-git-key`,
  '  export GIT_SSH_COMMAND="ssh -i /tmp/mlops-git-key -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=/tmp/mlops-known-hosts"',
  'fi',
  // The volume may belong to another user than this container's: trust it for this command only.
  'g() { git -c safe.directory=\'*\' -c advice.detachedHead=false "$@"; }',
  '[ -d .git ] || g init -q .',
  'g remote remove mlops-origin 2>/dev/null || true',
  'g remote add mlops-origin "$MLOPS_GIT_URL"',
  // A commit fetches on its own where the server allows it; otherwise fetch the branches.
  'g fetch -q --depth 1 mlops-origin "$MLOPS_GIT_COMMIT" || g fetch -q mlops-origin',
  'g checkout -q --force "$MLOPS_GIT_COMMIT"',
  'echo "checked out $MLOPS_GIT_COMMIT"',
].join('\n');

export const GIT_SECRET_VOLUME = 'mlops-git-credentials';

/** The checkout template; `workspace` is the mount every task shares. */
export function checkoutTemplate(name: string, git: GitSource, workspace: { volume: string; path: string }, securityContext: Record<string, unknown>): Template {
  const template: Template = {
    name,
    metadata: { labels: { 'mlops-workbench/step': 'checkout' } },
    retryStrategy: { limit: '2', retryPolicy: 'Always', backoff: { duration: '10s', factor: '2' } },
    container: {
      image: git.image,
      command: ['sh', '-c'],
      args: [CHECKOUT_SCRIPT],
      workingDir: workspace.path,
      env: [
        { name: 'MLOPS_GIT_URL', value: git.url },
        { name: 'MLOPS_GIT_COMMIT', value: git.commit },
      ],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      volumeMounts: [{ name: workspace.volume, mountPath: workspace.path }, ...(git.secret ? [{ name: GIT_SECRET_VOLUME, mountPath: KEY_DIR, readOnly: true }] : [])],
      securityContext,
    },
  };
  if (git.secret) template.volumes = [secretVolume(git.secret)];
  return template;
}

function secretVolume(secretName: string): Volume {
  // 0444: the script copies the key and narrows it, whatever user the container runs as.
  return { name: GIT_SECRET_VOLUME, secret: { secretName, defaultMode: 0o444 } };
}
