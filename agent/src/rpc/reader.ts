import { AbstractMessageReader, Disposable, ErrorCodes, type DataCallback, type Message, type ResponseMessage } from 'vscode-jsonrpc/node';
import type { Shape } from '../../../core/src/protocol/shape';

/** The largest message body the agent reads; anything bigger is answered and skipped. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** The longest header block; a real one is a few dozen bytes. */
const MAX_HEADER_BYTES = 8 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /content-length:/i;

/**
 * Reads JSON-RPC messages from a stream (LSP-style `Content-Length` framing) and lets through
 * only well-formed ones: every other message is answered here, as JSON-RPC 2.0 requires —
 * -32700 for bytes that are not JSON (or not a frame), -32600 for JSON that is not a
 * request, notification or response, -32602 for a request to one of `requests` whose params
 * do not fit its declared shape (the message names the field). A request that fits goes on
 * with its params replaced by the checked copy, which holds only the declared fields.
 * After a broken frame the reader skips to the next `Content-Length:` header, so one bad
 * message never stops the ones after it.
 */
export class CheckedMessageReader extends AbstractMessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of an oversized body still to drop. */
  private skipping = 0;

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly requests: ReadonlyMap<string, Shape<unknown>>,
    private readonly reply: (message: ResponseMessage) => void,
    private readonly log: (message: string) => void,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    const onData = (chunk: Buffer) => this.onData(chunk, callback);
    const onError = (e: Error) => this.fireError(e);
    const onEnd = () => this.fireClose();
    this.input.on('data', onData);
    this.input.on('error', onError);
    this.input.on('end', onEnd);
    this.input.on('close', onEnd);
    return Disposable.create(() => {
      this.input.off('data', onData);
      this.input.off('error', onError);
      this.input.off('end', onEnd);
      this.input.off('close', onEnd);
    });
  }

  private onData(chunk: Buffer, callback: DataCallback): void {
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, chunk.length);
      this.skipping -= n;
      chunk = chunk.subarray(n);
    }
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf(HEADER_END);
      if (end === -1) {
        if (this.buffer.length <= MAX_HEADER_BYTES) return;
        this.resync('the message header is too long or never ends');
        continue;
      }
      const length = contentLength(this.buffer.subarray(0, end).toString('latin1'));
      if (length === undefined) {
        this.buffer = this.buffer.subarray(end + HEADER_END.length);
        this.parseError('the message has no valid Content-Length header');
        this.resync();
        continue;
      }
      const start = end + HEADER_END.length;
      if (length > MAX_MESSAGE_BYTES) {
        this.reply(errorReply(null, ErrorCodes.InvalidRequest, `Invalid request: the message has ${length} bytes; the agent reads at most ${MAX_MESSAGE_BYTES}.`));
        const have = this.buffer.length - start;
        this.skipping = Math.max(0, length - have);
        this.buffer = this.buffer.subarray(Math.min(this.buffer.length, start + length));
        continue;
      }
      if (this.buffer.length - start < length) return;
      const body = this.buffer.subarray(start, start + length);
      this.buffer = this.buffer.subarray(start + length);
      const message = this.check(body);
      if (message) callback(message);
    }
  }

  /** Drops bytes up to the next header that starts a message (one that begins after the first byte). */
  private resync(why?: string): void {
    if (why) this.parseError(why);
    const rest = this.buffer.subarray(why ? 1 : 0);
    const m = CONTENT_LENGTH.exec(rest.toString('latin1'));
    // Without a header yet, keep a tail that may be the start of one split across chunks.
    this.buffer = rest.subarray(m ? m.index : Math.max(0, rest.length - 'content-length:'.length + 1));
  }

  private parseError(why: string): void {
    this.reply(errorReply(null, ErrorCodes.ParseError, `Parse error: ${why}.`));
  }

  /** The message to hand on, or undefined when it was answered here. */
  private check(body: Buffer): Message | undefined {
    let data: unknown;
    try {
      data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      this.parseError('the message is not valid JSON in UTF-8');
      return undefined;
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      const what = Array.isArray(data) ? 'a batch (a list); send one request per message' : 'not a JSON-RPC object';
      this.reply(errorReply(null, ErrorCodes.InvalidRequest, `Invalid request: the message is ${what}.`));
      return undefined;
    }
    const m = data as Record<string, unknown>;
    const hasId = 'id' in m;
    const id = m.id;
    const validId = typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)) || id === null;
    const invalid = (why: string) => {
      this.reply(errorReply(hasId && validId && id !== null ? (id as string | number) : null, ErrorCodes.InvalidRequest, `Invalid request: ${why}.`));
      return undefined;
    };
    if (m.jsonrpc !== '2.0') return invalid('"jsonrpc" must be "2.0"');
    if (hasId && !validId) return invalid('"id" must be a string, a whole number or null');
    if (!('method' in m)) {
      // A response to something the agent sent (it sends none today); let the connection judge it.
      if (hasId && ('result' in m || 'error' in m)) return m as unknown as Message;
      return invalid('the message has no "method"');
    }
    if (typeof m.method !== 'string' || m.method === '') return invalid('"method" must be a non-empty string');
    if ('params' in m && (typeof m.params !== 'object' || m.params === null)) return invalid('"params" must be an object or a list');
    const shape = this.requests.get(m.method);
    if (!shape) return m as unknown as Message;
    if (!hasId || id === null) {
      this.log(`ignored ${m.method} sent as a notification: it is a request and needs an id`);
      return undefined;
    }
    const params = shape.check(m.params, 'params');
    if (!params.ok) {
      this.reply(errorReply(id as string | number, ErrorCodes.InvalidParams, `Invalid params: ${params.error}.`));
      return undefined;
    }
    return { jsonrpc: '2.0', id, method: m.method, params: params.value } as Message;
  }
}

function contentLength(header: string): number | undefined {
  let length: number | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) return undefined;
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const v = line.slice(colon + 1).trim();
    if (!/^\d{1,12}$/.test(v)) return undefined;
    length = Number(v);
  }
  return length;
}

function errorReply(id: string | number | null, code: number, message: string): ResponseMessage {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
