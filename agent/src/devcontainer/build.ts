import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { DEVCONTAINER_JSON, parseJsonc } from '../../../core/src/devcontainer/index';
import { fileText, READ_LIMITS } from '../../../core/src/node/read';

/** One event of an image build, as the CLI prints it and the extension shows it. */
export type BuildEvent = { type: 'step'; text: string } | { type: 'log'; text: string } | { type: 'done'; image: string; id?: string } | { type: 'error'; message: string };

/** What devcontainer.json says about building, resolved to absolute paths. */
export interface BuildConfig {
  name: string;
  context: string;
  /** The Dockerfile, relative to the context (as the engine wants it). */
  dockerfile: string;
  args: Record<string, string>;
  remoteUser?: string;
  postCreateCommand?: string | string[];
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** Reads `.devcontainer/devcontainer.json` of a project for its build settings. */
export function readBuildConfig(dir: string): Outcome<BuildConfig> {
  const file = path.join(dir, DEVCONTAINER_JSON);
  const read = fileText(file, { limit: READ_LIMITS.manifest });
  if (!read.ok && read.missing) return { ok: false, error: `${file} does not exist; run 'mlops devcontainer generate' first.` };
  if (!read.ok) return { ok: false, error: `${file} ${read.why}; regenerate it with 'mlops devcontainer generate --force'.` };
  const text = read.text;
  let json: Record<string, unknown>;
  try {
    json = parseJsonc(text) as Record<string, unknown>;
  } catch (e) {
    return { ok: false, error: `${file} is not valid JSON with comments (${(e as Error).message}); fix or regenerate it.` };
  }
  const build = (json['build'] ?? {}) as Record<string, unknown>;
  const dockerfileRel = (build['dockerfile'] ?? json['dockerFile']) as string | undefined;
  if (typeof dockerfileRel !== 'string') {
    return { ok: false, error: `${file} names no build.dockerfile (an image-only dev container has nothing to build).` };
  }
  const cfgDir = path.dirname(file);
  const context = path.resolve(cfgDir, typeof build['context'] === 'string' ? build['context'] : '.');
  const dockerfileAbs = path.resolve(cfgDir, dockerfileRel);
  const rel = path.relative(context, dockerfileAbs);
  if (rel.startsWith('..')) return { ok: false, error: `${dockerfileAbs} lies outside the build context ${context}; move it inside.` };
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries((build['args'] ?? {}) as Record<string, unknown>)) if (typeof v === 'string') args[k] = v;
  const pc = json['postCreateCommand'];
  return {
    ok: true,
    value: {
      name: typeof json['name'] === 'string' ? json['name'] : path.basename(dir),
      context,
      dockerfile: rel.split(path.sep).join('/'),
      args,
      ...(typeof json['remoteUser'] === 'string' ? { remoteUser: json['remoteUser'] } : {}),
      ...(typeof pc === 'string' || Array.isArray(pc) ? { postCreateCommand: pc as string | string[] } : {}),
    },
  };
}

/**
 * The files the build needs: the Dockerfile and the sources of its COPY/ADD instructions.
 * Sending only these keeps a project's data and models out of the build context.
 */
export function contextEntries(context: string, dockerfile: string): Outcome<string[]> {
  const read = fileText(path.join(context, dockerfile), { limit: READ_LIMITS.manifest });
  if (!read.ok) return { ok: false, error: `The Dockerfile ${path.join(context, dockerfile)} ${read.why}; fix it or regenerate it with 'mlops devcontainer generate --force'.` };
  const text = read.text.replace(/\\\r?\n/g, ' ');
  const entries = new Set([dockerfile]);
  if (fs.existsSync(path.join(context, '.dockerignore'))) entries.add('.dockerignore');
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!m) continue;
    const words = m[2]!.trim().split(/\s+/);
    if (words.some((w) => /^--from=/.test(w))) continue;
    const srcs = words.filter((w) => !w.startsWith('--')).slice(0, -1);
    for (const s of srcs) {
      if (/^https?:\/\//.test(s)) continue;
      const clean = s.replace(/^\.\//, '');
      if (/[*?[]/.test(clean)) for (const f of fs.globSync(clean, { cwd: context })) entries.add(f.split(path.sep).join('/'));
      else if (fs.existsSync(path.join(context, clean))) entries.add(clean === '.' ? '.' : clean);
    }
  }
  return { ok: true, value: [...entries] };
}

export interface BuildRequest {
  dir: string;
  tag: string;
  /** Overrides the BASE_IMAGE build argument. */
  baseImage?: string;
  /** The engine's network mode for RUN steps (`host`, `none`, a network name); the engine default otherwise. */
  network?: string;
  signal?: AbortSignal;
  onEvent(e: BuildEvent): void;
}

/** Builds the dev container image of a project, streaming progress; resolves to the image id or an error sentence. */
export async function buildImage(docker: Docker, req: BuildRequest): Promise<Outcome<{ image: string; id?: string }>> {
  const cfg = readBuildConfig(req.dir);
  if (!cfg.ok) return cfg;
  const { context, dockerfile } = cfg.value;
  const buildargs = { ...cfg.value.args, ...(req.baseImage ? { BASE_IMAGE: req.baseImage } : {}) };
  const src = contextEntries(context, dockerfile);
  if (!src.ok) return src;
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage({ context, src: src.value }, {
      t: req.tag,
      dockerfile,
      buildargs,
      rm: true,
      forcerm: true,
      ...(req.network ? { networkmode: req.network } : {}),
      ...(req.signal ? { abortSignal: req.signal } : {}),
    } as Docker.ImageBuildOptions);
  } catch (e) {
    if (req.signal?.aborted) return { ok: false, error: 'The build was cancelled.' };
    return { ok: false, error: `The engine refused the build: ${(e as Error).message}` };
  }
  return new Promise((resolve) => {
    let id: string | undefined;
    let failure: string | undefined;
    const onAbort = () => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      resolve({ ok: false, error: 'The build was cancelled.' });
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        req.signal?.removeEventListener('abort', onAbort);
        if (req.signal?.aborted) return resolve({ ok: false, error: 'The build was cancelled.' });
        if (err || failure) {
          const message = failure ?? err!.message;
          req.onEvent({ type: 'error', message });
          return resolve({ ok: false, error: `The image build failed: ${message}` });
        }
        req.onEvent({ type: 'done', image: req.tag, ...(id ? { id } : {}) });
        resolve({ ok: true, value: { image: req.tag, ...(id ? { id } : {}) } });
      },
      (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }) => {
        if (event.error) failure = event.errorDetail?.message ?? event.error;
        if (event.aux?.ID) id = event.aux.ID;
        const text = (event.stream ?? event.status ?? '').replace(/\n$/, '');
        if (!text) return;
        for (const line of text.split('\n')) req.onEvent(/^Step \d+\/\d+ :/.test(line) ? { type: 'step', text: line } : { type: 'log', text: line });
      },
    );
  });
}

/** The check a dev container runs once created, run in a throwaway container of the built image. */
export async function runPostCreate(
  docker: Docker,
  image: string,
  cfg: BuildConfig,
  dir: string,
  onOutput: (text: string) => void,
  /** The network the check runs on; none unless given (the build's --network, so a local mirror stays reachable). */
  network?: string,
): Promise<Outcome<{ exitCode: number }>> {
  if (!cfg.postCreateCommand) return { ok: false, error: 'devcontainer.json has no postCreateCommand to run.' };
  const workspace = `/workspaces/${path.basename(path.resolve(dir))}`;
  const cmd = Array.isArray(cfg.postCreateCommand) ? cfg.postCreateCommand : ['/bin/sh', '-c', cfg.postCreateCommand];
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    WorkingDir: workspace,
    ...(cfg.remoteUser ? { User: cfg.remoteUser } : {}),
    HostConfig: { Binds: [`${path.resolve(dir)}:${workspace}`], NetworkMode: network ?? 'none', AutoRemove: false },
  });
  try {
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    onOutput(demux(logs));
    return { ok: true, value: { exitCode: result.StatusCode } };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Docker's multiplexed log frames (8-byte headers) → plain text. */
function demux(buf: Buffer): string {
  const parts: string[] = [];
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2) && buf[i + 1] === 0) {
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + len).toString('utf8'));
    i += 8 + len;
  }
  return i === 0 ? buf.toString('utf8') : parts.join('');
}
