import { EXECUTORS, type ExecutorKind, type RunRequest } from '../../../core/src/protocol/agent';

export type RunOptions = Pick<RunRequest, 'parallel' | 'executor' | 'keepGoing' | 'pull'>;

/**
 * The run settings as request fields; a default leaves its field out, so the agent decides
 * (parallel: the machine's CPU count; executor: each task's own). Values outside the
 * settings' schema (hand-edited settings.json) are ignored rather than sent.
 */
export function runOptionsOf(s: { parallel: unknown; executor: unknown; keepGoing: unknown; pull: unknown }): RunOptions {
  const o: RunOptions = {};
  if (typeof s.parallel === 'number' && Number.isInteger(s.parallel) && s.parallel > 0) o.parallel = s.parallel;
  if (typeof s.executor === 'string' && (EXECUTORS as readonly string[]).includes(s.executor)) o.executor = s.executor as ExecutorKind;
  if (s.keepGoing === true) o.keepGoing = true;
  if (s.pull === true) o.pull = true;
  return o;
}

