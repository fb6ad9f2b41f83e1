/**
 * What a pipeline may pass to sbatch in `slurm.args`. The agent builds every job's options
 * itself (name, comment, output, working directory, resources); an extra argument that
 * would override one of those, or that a pipeline field already gives, is an error here —
 * in the editor and `mlops validate` — rather than a surprise on the cluster.
 */

/** sbatch's long options (Slurm 22.05 and later), to resolve abbreviations as sbatch does. */
const LONG_OPTIONS = [
  'account',
  'acctg-freq',
  'array',
  'batch',
  'bb',
  'bbf',
  'begin',
  'chdir',
  'cluster-constraint',
  'clusters',
  'comment',
  'constraint',
  'container',
  'contiguous',
  'core-spec',
  'cores-per-socket',
  'cpu-freq',
  'cpus-per-gpu',
  'cpus-per-task',
  'deadline',
  'delay-boot',
  'dependency',
  'distribution',
  'error',
  'exclude',
  'exclusive',
  'export',
  'export-file',
  'extra-node-info',
  'get-user-env',
  'gid',
  'gpu-bind',
  'gpu-freq',
  'gpus',
  'gpus-per-node',
  'gpus-per-socket',
  'gpus-per-task',
  'gres',
  'gres-flags',
  'help',
  'hint',
  'hold',
  'ignore-pbs',
  'input',
  'job-name',
  'kill-on-invalid-dep',
  'licenses',
  'mail-type',
  'mail-user',
  'mcs-label',
  'mem',
  'mem-bind',
  'mem-per-cpu',
  'mem-per-gpu',
  'mincpus',
  'network',
  'nice',
  'no-kill',
  'no-requeue',
  'nodefile',
  'nodelist',
  'nodes',
  'ntasks',
  'ntasks-per-core',
  'ntasks-per-gpu',
  'ntasks-per-node',
  'ntasks-per-socket',
  'open-mode',
  'output',
  'overcommit',
  'oversubscribe',
  'parsable',
  'partition',
  'power',
  'priority',
  'profile',
  'propagate',
  'qos',
  'quiet',
  'reboot',
  'requeue',
  'reservation',
  'signal',
  'sockets-per-node',
  'spread-job',
  'switches',
  'test-only',
  'thread-spec',
  'threads-per-core',
  'time',
  'time-min',
  'tmp',
  'uid',
  'usage',
  'use-min-nodes',
  'verbose',
  'version',
  'wait',
  'wait-all-nodes',
  'wckey',
  'wrap',
];

/** Short options that matter here, by letter. */
const SHORT: Record<string, string> = {
  o: 'output',
  e: 'error',
  J: 'job-name',
  d: 'dependency',
  D: 'chdir',
  a: 'array',
  W: 'wait',
  H: 'hold',
  M: 'clusters',
  p: 'partition',
  A: 'account',
  q: 'qos',
  C: 'constraint',
  N: 'nodes',
  c: 'cpus-per-task',
  t: 'time',
  G: 'gpus',
  h: 'help',
  V: 'version',
};

/** Options the agent sets on every job, and why a pipeline cannot. */
const OWNED: Record<string, string> = {
  output: "the job's output goes to the task's log under .mlops/runs/",
  error: "the job's output goes to the task's log under .mlops/runs/",
  'open-mode': "each attempt is appended to the task's log",
  wrap: "the task's run: command is the job's script",
  'job-name': 'jobs are named mlops:PIPELINE:TASK',
  comment: 'the comment carries the run id, by which the agent finds its jobs again',
  dependency: 'the agent submits a task only once its upstream tasks have succeeded',
  'kill-on-invalid-dep': 'the agent submits a task only once its upstream tasks have succeeded',
  chdir: "the job runs in the task's workdir: (set that instead)",
  parsable: "the agent reads the job id from sbatch's answer",
  array: 'every attempt of a task is one job',
  wait: 'the agent watches its jobs itself',
  'test-only': 'the agent must submit the job',
  hold: 'the agent submits a task when it is ready to start; a held job would never start',
  clusters: 'the agent watches one cluster, the one the Slurm commands reach by default',
  help: 'the agent must submit the job',
  usage: 'the agent must submit the job',
  version: 'the agent must submit the job',
};

/** A pipeline field that some sbatch options would contradict when the task sets it. */
export type SetField = 'resources.cpu' | 'resources.memory' | 'resources.gpu' | 'timeout';

/** Options a field of the pipeline gives: a field of the slurm block (always), or one the task may set (`when`). */
const FIELDS: Record<string, { slurm: string } | { when: SetField }> = {
  partition: { slurm: 'partition' },
  account: { slurm: 'account' },
  qos: { slurm: 'qos' },
  constraint: { slurm: 'constraint' },
  nodes: { slurm: 'nodes' },
  'cpus-per-task': { when: 'resources.cpu' },
  mem: { when: 'resources.memory' },
  'mem-per-cpu': { when: 'resources.memory' },
  'mem-per-gpu': { when: 'resources.memory' },
  gres: { when: 'resources.gpu' },
  gpus: { when: 'resources.gpu' },
  'gpus-per-node': { when: 'resources.gpu' },
  'gpus-per-task': { when: 'resources.gpu' },
  time: { when: 'timeout' },
};

/** sbatch's name for a long option as written (an unambiguous prefix counts, as in sbatch). */
function resolveLong(name: string): string {
  if (LONG_OPTIONS.includes(name)) return name;
  const matches = LONG_OPTIONS.filter((o) => o.startsWith(name));
  return matches.length === 1 ? matches[0]! : name;
}

/** Why `arg` cannot be one of a task's extra sbatch arguments, or undefined when it can. */
export function sbatchArgProblem(arg: string, set: ReadonlySet<SetField>): string | undefined {
  let option: string;
  let written: string;
  // Whether the item holds a space where sbatch would read it as part of the option (`-p gpu`).
  let split: boolean;
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    written = eq < 0 ? arg : arg.slice(0, eq);
    if (written === '--' || /\s/.test(written)) return notOne(arg);
    option = resolveLong(written.slice(2));
    split = false;
  } else if (/^-[A-Za-z]/.test(arg)) {
    written = arg.slice(0, 2);
    option = SHORT[arg[1]!] ?? written;
    split = /^\s/.test(arg.slice(2));
  } else {
    return `'${arg}' is not an sbatch option; write one option per item, with its value after '=', e.g. --mail-type=FAIL.`;
  }
  // What the option is about says more than how it is written.
  const owned = OWNED[option];
  if (owned) return `${written} is set by mlops (${owned}); remove it.`;
  const field = FIELDS[option];
  if (field && 'slurm' in field) return `${written} is what slurm.${field.slurm} sets; write ${field.slurm}: in the slurm block instead.`;
  if (field && set.has(field.when)) return `${written} contradicts the task's ${field.when}, which mlops passes to sbatch; remove one of them.`;
  return split ? notOne(arg) : undefined;
}

function notOne(arg: string): string {
  return `'${arg}' is not one sbatch option; write one option per item, with its value after '=', e.g. --mail-type=FAIL.`;
}
