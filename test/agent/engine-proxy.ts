/**
 * A pass-through to a Docker engine's socket that holds back each container start until the
 * test lets it go, so that a test can inspect the container the agent created — with the
 * engine's own `docker inspect` — before it runs, and before a start the engine refuses
 * makes the agent remove it. Bytes are copied as they are (attach streams included); only
 * the first chunk of a `POST …/containers/<id>/start` request waits.
 */
import * as net from 'node:net';

export interface EngineProxy {
  /** The DOCKER_HOST that goes through the proxy. */
  host: string;
  /** The id of the next container whose start is held back (waits for it). */
  nextStart(): Promise<string>;
  /** Lets every held-back start through. */
  release(): void;
  close(): Promise<void>;
}

const START = /^POST \/(?:v[\d.]+\/)?containers\/([0-9a-f]+)\/start\b/;

export async function startEngineProxy(engineSocket: string, socketPath: string): Promise<EngineProxy> {
  const held: (() => void)[] = [];
  const seen: string[] = [];
  let waiting: ((id: string) => void) | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(engineSocket);
    sockets.add(client).add(upstream);
    upstream.pipe(client);
    const forward = (chunk: Buffer) => {
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    };
    client.on('data', (chunk: Buffer) => {
      const start = START.exec(chunk.subarray(0, 200).toString('latin1'));
      if (!start) return forward(chunk);
      client.pause();
      held.push(() => {
        forward(chunk);
        client.resume();
      });
      if (waiting) {
        waiting(start[1]!);
        waiting = undefined;
      } else seen.push(start[1]!);
    });
    client.on('end', () => upstream.end());
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  return {
    host: `unix://${socketPath}`,
    nextStart: () => {
      const id = seen.shift();
      return id ? Promise.resolve(id) : new Promise((resolve) => (waiting = resolve));
    },
    release: () => {
      for (const go of held.splice(0)) go();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
