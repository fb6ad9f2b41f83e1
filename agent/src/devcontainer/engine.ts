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

/** Where the client will connect, for messages. */
export function dockerAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
}

/** Whether the engine answers within `timeoutMs`; the error says where it looked and what to do. */
export async function engineReachable(docker: Docker, timeoutMs = 3000): Promise<{ ok: true } | { ok: false; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
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
