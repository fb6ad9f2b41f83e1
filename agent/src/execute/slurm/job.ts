import * as path from 'node:path';
import { quoteForShell } from '../../../../core/src/pipeline/shell';

/** A word the shell reads back exactly (a plain-context word is always quotable). */
const shellQuote = (s: string): string => quoteForShell(s, 'plain')!;
import type { PlannedTask } from '../../plan';

/** One attempt of a task as a Slurm batch job: what sbatch gets and how the agent finds the job again. */
export interface JobRequest {
  /** sbatch's arguments (the script itself goes to its stdin). */
  argv: string[];
  script: string;
  /** `mlops:PIPELINE:TASK`: what `squeue --name` finds. */
  name: string;
  /** `mlops:RUN:TASK:ATTEMPT`: unique per attempt, so a job whose id was never recorded can be told apart. */
  comment: string;
  /** Where the job script writes its exit status (on the shared file system). */
  exitRecord: string;
  /** The options derived from the task's settings, for messages (`--mem=1024M`). */
  resources: { mem: string | null; time: string | null; cpus: string | null; gres: string | null };
}

const MIB = 1024 * 1024;

export function jobName(pipeline: string, task: string): string {
  return `mlops:${pipeline}:${task}`;
}

export function jobComment(runId: string, task: string, attempt: number): string {
  return `mlops:${runId}:${task}:${attempt}`;
}

/** Where an attempt's job script leaves its exit status: beside the run's logs, which the nodes share. */
export function exitRecordPath(runDir: string, task: string, attempt: number): string {
  return path.join(runDir, '.slurm', `${task}.${attempt}.exit`);
}

/**
 * The sbatch options and job script of one attempt. The mapping (docs/slurm.md):
 * cpu → --cpus-per-task (rounded up), memory → --mem (MiB, rounded up), gpu → --gres=gpu:N,
 * timeout → --time (minutes, rounded up), workdir → --chdir; env, params, MLOPS_RUN_ID and
 * MLOPS_TASK are exported by the script; name and comment identify the job; both output
 * streams are appended to the task's log. Dependencies are never passed: the agent submits a
 * task only once its upstream tasks have succeeded.
 */
export function jobRequest(opts: {
  pipeline: string;
  runId: string;
  task: PlannedTask;
  attempt: number;
  log: string;
  runDir: string;
  /** Variables the agent adds (MLOPS_RUN_ID, MLOPS_TASK, MLOPS_PARAM_*). */
  env: Record<string, string>;
}): JobRequest {
  const { task } = opts;
  const spec = task.slurm ?? { partition: null, account: null, qos: null, constraint: null, nodes: 1, args: [] };
  const name = jobName(opts.pipeline, task.id);
  const comment = jobComment(opts.runId, task.id, opts.attempt);
  const exitRecord = exitRecordPath(opts.runDir, task.id, opts.attempt);
  const r = task.resources;
  const cpus = r.cpu > 0 ? String(Math.ceil(r.cpu - 1e-9)) : null;
  const mem = r.memory > 0 ? `${Math.ceil(r.memory / MIB)}M` : null;
  const gres = r.gpu > 0 ? `gpu:${r.gpu}` : null;
  const time = task.timeoutMs !== null ? String(Math.max(1, Math.ceil(task.timeoutMs / 60_000))) : null;
  const argv = ['--parsable', `--job-name=${name}`, `--comment=${comment}`, `--output=${opts.log}`, `--error=${opts.log}`, '--open-mode=append', `--chdir=${task.workdir}`, `--nodes=${spec.nodes}`];
  if (cpus) argv.push(`--cpus-per-task=${cpus}`);
  if (mem) argv.push(`--mem=${mem}`);
  if (gres) argv.push(`--gres=${gres}`);
  if (time) argv.push(`--time=${time}`);
  if (spec.partition) argv.push(`--partition=${spec.partition}`);
  if (spec.account) argv.push(`--account=${spec.account}`);
  if (spec.qos) argv.push(`--qos=${spec.qos}`);
  if (spec.constraint) argv.push(`--constraint=${spec.constraint}`);
  argv.push(...spec.args);
  return { argv, script: jobScript(opts.runId, task, opts.attempt, { ...task.env, ...opts.env }, exitRecord), name, comment, exitRecord, resources: { mem, time, cpus, gres } };
}

/**
 * The batch script: runs the command with bash -c in the task's environment (as the
 * local executor does) and writes the exit status where the agent can read it even after
 * the controller has forgotten the job.
 */
function jobScript(runId: string, task: PlannedTask, attempt: number, env: Record<string, string>, exitRecord: string): string {
  // Through env(1), so that any variable name the pipeline uses arrives as written.
  const vars = Object.entries(env)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `  ${shellQuote(`${k}=${v}`)} \\`);
  const record = shellQuote(exitRecord);
  return [
    '#!/bin/bash',
    `# mlops: run ${runId}, task ${task.id}, attempt ${attempt}`,
    'env \\',
    ...vars,
    `  bash -c ${shellQuote(task.command)}`,
    'status=$?',
    `mkdir -p ${shellQuote(path.dirname(exitRecord))} && printf '%s %s\\n' "$status" "$SLURMD_NODENAME" > ${record}.tmp && mv -f ${record}.tmp ${record}`,
    'exit $status',
    '',
  ].join('\n');
}
