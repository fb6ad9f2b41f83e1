import * as fs from 'node:fs';
import type Docker from 'dockerode';
import { connectDocker, pingEngine } from '../devcontainer/engine';
import type { PlannedTask } from '../plan';
import { err, ok, type Result } from '../../../core/src/result';
import { cappedLog, logLimit } from './log-limit';
import { killGraceMs, type AttemptListener, type Executor, type Exit, type Launch, type TaskHandle } from './executor';

/** Labels that let a later agent find (and remove) the containers of an interrupted run. */
export const RUN_LABEL = 'mlops.run';
export const TASK_LABEL = 'mlops.task';

const PING_TIMEOUT_MS = 5000;

/**
 * docker-modem parses a tcp:// DOCKER_HOST with url.parse, whose deprecation warning (shown
 * once per process) would land on every user's terminal and says nothing they can act on.
 * The first calls — the client and its ping — run with deprecation warnings off.
 */
function quietly<T>(fn: () => T): T {
  const before = process.noDeprecation;
  process.noDeprecation = true;
  try {
    return fn();
  } finally {
    process.noDeprecation = before;
  }
}

const client = () => quietly(connectDocker);

/** The engine address dockerode will use, for messages. */
export function engineAddress(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/**
 * Answers within the deadline or says why not; never hangs on an engine that does not
 * answer (the unanswered request is aborted, or its open socket would keep the process
 * alive after it has said so).
 */
async function reachable(docker: Docker): Promise<Result<void>> {
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  const timeout = new Promise<Result<void>>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve(err(`no answer within ${PING_TIMEOUT_MS / 1000}s`));
    }, PING_TIMEOUT_MS);
  });
  const ping = quietly(() => pingEngine(docker, abort.signal)).then(
    () => ok(undefined),
    (e: NodeJS.ErrnoException) => err(e.code ?? e.message),
  );
  const r = await Promise.race([ping, timeout]);
  clearTimeout(timer);
  return r.ok ? r : err(`Cannot reach the Docker engine at ${engineAddress()} (${r.error}); start Docker or use --executor local.`);
}

/**
 * Runs each task in a container of its image: the workspace bind-mounted at the same
 * path, the task's workdir and environment, cpu/memory limits and GPU device requests from
 * its resources; output streamed into the task's log; the container removed afterwards
 * and stopped on cancel. Images are never pulled unless asked (`--pull`).
 */
export class DockerExecutor implements Executor {
  readonly kind = 'docker' as const;
  private readonly docker = client();

  constructor(private readonly opts: { pull: boolean; logLimit?: number }) {}

  private get logLimit(): number {
    return logLimit(this.opts.logLimit);
  }

  async prepare(tasks: PlannedTask[]): Promise<Result<void>> {
    if (tasks.length === 0) return ok(undefined);
    const up = await reachable(this.docker);
    if (!up.ok) return up;
    for (const image of new Set(tasks.map((t) => t.image!))) {
      const present = await this.docker
        .getImage(image)
        .inspect()
        .then(
          () => true,
          (e: { statusCode?: number }) => (e.statusCode === 404 ? false : Promise.reject(e)),
        );
      if (present) continue;
      if (!this.opts.pull) return err(`Image ${image} is not present locally; build or pull it (docker pull ${image}) or pass --pull.`);
      const pulled = await this.pull(image);
      if (!pulled.ok) return pulled;
    }
    return ok(undefined);
  }

  private pull(image: string): Promise<Result<void>> {
    return new Promise((resolve) => {
      this.docker.pull(image, (e: Error | null, stream: NodeJS.ReadableStream) => {
        if (e) return resolve(err(`Cannot pull ${image}: ${e.message}`));
        this.docker.modem.followProgress(stream, (e2: Error | null) => resolve(e2 ? err(`Cannot pull ${image}: ${e2.message}`) : ok(undefined)));
      });
    });
  }

  async dispose(): Promise<void> {}

  start(launch: Launch, listener: AttemptListener): TaskHandle {
    const grace = Math.ceil(killGraceMs() / 1000);
    let container: Docker.Container | undefined;
    let stopRequested: 'stop' | 'kill' | null = null;
    let done = false;
    const finish = (exit: Exit) => {
      if (done) return;
      done = true;
      listener.exited(exit);
    };
    const halt = (how: 'stop' | 'kill') => {
      if (!container) return;
      const c = container;
      (how === 'kill' ? c.kill() : c.stop({ t: grace })).catch(() => undefined);
    };

    const run = async (): Promise<Exit> => {
      const task = launch.task;
      const env = { ...task.env, ...launch.env };
      container = await this.docker.createContainer({
        Image: task.image!,
        Cmd: ['sh', '-c', task.command],
        WorkingDir: task.workdir,
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        Labels: { [RUN_LABEL]: launch.runId, [TASK_LABEL]: task.id },
        Tty: false,
        AttachStdout: true,
        AttachStderr: true,
        HostConfig: {
          Binds: [`${task.root}:${task.root}`],
          ...(task.resources.cpu > 0 ? { NanoCpus: Math.round(task.resources.cpu * 1e9) } : {}),
          ...(task.resources.memory > 0 ? { Memory: Math.round(task.resources.memory) } : {}),
          ...(launch.gpus.length > 0 ? { DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: launch.gpus, Capabilities: [['gpu']] }] } : {}),
        },
      });
      try {
        if (stopRequested) return { code: null, signal: null, error: 'stopped before it started' };
        const log = cappedLog(fs.createWriteStream(launch.log, { flags: 'a' }), this.logLimit);
        const stream = await container.attach({ stream: true, stdout: true, stderr: true });
        const drained = new Promise<void>((resolve) =>
          stream
            .on('end', resolve)
            .on('close', resolve)
            .on('error', () => resolve()),
        );
        this.docker.modem.demuxStream(stream, log, log);
        await container.start();
        listener.started(null);
        if (stopRequested) halt(stopRequested);
        const result = (await container.wait()) as { StatusCode: number };
        await drained;
        await new Promise<void>((resolve) => log.end(resolve));
        const state = (await container.inspect()).State;
        if (state.OOMKilled) return { code: result.StatusCode, signal: null, error: `killed: out of memory (limit ${task.resources.memory} bytes)` };
        return { code: result.StatusCode, signal: null, error: null };
      } finally {
        await container.remove({ force: true }).catch(() => undefined);
      }
    };

    run().then(finish, (e: Error) => finish({ code: null, signal: null, error: `Docker: ${e.message}` }));
    return {
      stop(force = false) {
        if (done) return;
        stopRequested = force ? 'kill' : 'stop';
        halt(stopRequested);
      },
    };
  }
}

/** Removes the containers an interrupted run left behind (best effort, bounded in time). */
export async function removeRunContainers(runId: string): Promise<void> {
  const docker = client();
  if (!(await reachable(docker)).ok) return;
  const list = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } }).catch(() => []);
  await Promise.all(
    list.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}
