import { Client, type QueryResultRow } from 'pg';
import { redactUrl } from '../config';
import { StoreError } from '../errors';

export { StoreError };

/** Errors that mean the connection is gone (or not yet back), not that a statement was wrong. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown: the server is stopping
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

export function isConnectionError(e: unknown): boolean {
  const x = e as { code?: string; message?: string } | undefined;
  if (!x) return false;
  if (x.code && CONNECTION_CODES.has(x.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|Connection ended/i.test(x.message ?? '');
}

/**
 * One connection to the team store, made again when it is lost. Statements are sent one at
 * a time in the order asked; `transaction` holds the connection for its statements only.
 */
export class PgConnection {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  /** The tail of the queue of exclusive uses (transactions and single statements). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly url: string) {}

  /** `host:port/database`, for messages. */
  get where(): string {
    try {
      const u = new URL(this.url);
      const host = u.hostname || process.env.PGHOST || 'localhost';
      return `${host}:${u.port || process.env.PGPORT || '5432'}${u.pathname || '/'}`;
    } catch {
      return redactUrl(this.url);
    }
  }

  /** Connects now; an unreachable server is a StoreError naming the host. */
  async open(): Promise<void> {
    try {
      await this.connect();
    } catch (e) {
      const why = (e as Error).message || (e as { code?: string }).code;
      if ((e as { code?: string }).code === '28P01' || /password/i.test(why ?? '')) {
        throw new StoreError(
          `the PostgreSQL store at ${this.where} refused the login (${why}). Set PGPASSWORD or a ~/.pgpass entry (in the editor: MLOps: Set Team Store Password); never put the password in the URL of a settings file.`,
        );
      }
      throw new StoreError(`cannot reach the PostgreSQL store at ${this.where}: ${why}. Start the server, or point --store (or MLOPS_STORE) at a running one.`);
    }
  }

  private connect(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      const c = new Client({ connectionString: this.url, connectionTimeoutMillis: 5000, application_name: 'mlops' });
      // A connection lost while idle is made again on next use; the error itself is expected.
      c.on('error', () => {
        if (this.client === c) this.client = null;
      });
      c.on('end', () => {
        if (this.client === c) this.client = null;
      });
      this.connecting = c.connect().then(
        () => {
          this.connecting = null;
          this.client = c;
          return c;
        },
        (e: unknown) => {
          this.connecting = null;
          void c.end().catch(() => undefined);
          throw e;
        },
      );
    }
    return this.connecting;
  }

  /** Runs `fn` with the connection to itself; a lost connection is dropped so the next use reconnects. */
  private exclusive<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const c = await this.connect();
      try {
        return await fn(c);
      } catch (e) {
        if (isConnectionError(e) && this.client === c) {
          this.client = null;
          void c.end().catch(() => undefined);
        }
        throw e;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async query<R extends QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    return this.exclusive(async (c) => (await c.query<R>(sql, params)).rows);
  }

  /** Runs `fn`'s statements in one transaction; rolls back and rethrows when it throws. */
  async transaction<T>(fn: (q: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
    return this.exclusive(async (c) => {
      await c.query('BEGIN');
      try {
        const out = await fn(async (sql, params = []) => (await c.query(sql, params)).rows);
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    await this.queue;
    const c = this.client ?? (this.connecting ? await this.connecting.catch(() => null) : null);
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
