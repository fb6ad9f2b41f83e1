import type Docker from 'dockerode';

/**
 * A Docker engine client. dockerode (docker-modem) reads DOCKER_HOST, DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH itself, and falls back to the local socket. Loaded here, on first use:
 * dockerode and its HTTP stack take ~50 ms to load, which every other `mlops` command (all
 * in one bundle) would otherwise pay at start-up.
 */
export function connectDocker(): Docker {
  const Dockerode = require('dockerode') as typeof Docker;
  return new Dockerode();
}

/** dockerode's ping, aborted by `signal` (dockerode takes the option; its type declarations omit it). */
export function pingEngine(docker: Docker, signal: AbortSignal): Promise<unknown> {
  return (docker as unknown as { ping(opts: { abortSignal: AbortSignal }): Promise<unknown> }).ping({ abortSignal: signal });
}

/** Where the client will connect, for messages. */
export function dockerAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
}

/**
 * Whether the engine answers within `timeoutMs`; the error says where it looked and what to
 * do. An unanswered ping is aborted: its open socket would keep the process alive.
 */
export async function engineReachable(docker: Docker, timeoutMs = 3000): Promise<{ ok: true } | { ok: false; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  try {
    await Promise.race([
      pingEngine(docker, abort.signal),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          abort.abort();
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (e) {
    return {
      ok: false,
      error: `No Docker engine answers at ${dockerAddress()} (${(e as Error).message}); start Docker or set DOCKER_HOST to a running engine.`,
    };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
