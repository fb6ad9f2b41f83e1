import type { ChildProcess } from 'node:child_process';
import { spawnMlops, waitFor } from './helpers';

/** A JSON-RPC response as it came over the wire. */
export interface Reply {
  jsonrpc: string;
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * Talks to `mlops agent --stdio` byte by byte, without a JSON-RPC library in between, so
 * that tests can send what no well-behaved client would: broken JSON, broken frames, wrong
 * types. Collects every response; notifications (run events) are counted apart.
 */
export class RawAgent {
  readonly child: ChildProcess;
  readonly replies: Reply[] = [];
  notifications = 0;
  private buffer = Buffer.alloc(0);

  constructor(dir: string) {
    this.child = spawnMlops(['agent', '--stdio'], dir, {}, 'pipe');
    this.child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr!.resume();
  }

  /** Sends a message: an object as JSON, a string as it is, each in a Content-Length frame. */
  send(message: unknown): void {
    const body = Buffer.from(typeof message === 'string' ? message : JSON.stringify(message), 'utf8');
    this.child.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  }

  /** Writes raw bytes, frame or not. */
  write(bytes: string | Buffer): void {
    this.child.stdin!.write(bytes);
  }

  /** The reply to request `id`, waiting for it. */
  reply(id: string | number): Promise<Reply> {
    return waitFor(`a reply to request ${JSON.stringify(id)}`, () => this.replies.find((r) => r.id === id));
  }

  /** Waits until `n` replies have come in. */
  async count(n: number, ms = 60_000): Promise<void> {
    await waitFor(
      () => `${n} replies (got ${this.replies.length})`,
      () => this.replies.length >= n,
      ms,
    );
  }

  close(): void {
    this.child.stdin!.end();
    this.child.kill('SIGTERM');
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const m = /Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString('latin1'));
      if (!m) throw new Error(`the agent wrote a frame without Content-Length: ${this.buffer.subarray(0, end).toString()}`);
      const length = Number(m[1]);
      if (this.buffer.length < end + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8')) as Reply & { method?: string };
      this.buffer = this.buffer.subarray(end + 4 + length);
      if (message.method !== undefined) this.notifications++;
      else this.replies.push(message);
    }
  }
}
