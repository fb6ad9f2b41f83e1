/**
 * PostgreSQL for tests: the cluster scripts/pg-up.sh starts (MLOPS_TEST_PG_URL, else its
 * fixed port), a fresh database per suite, and private servers that fault tests stop and
 * start themselves. Without a server the PostgreSQL tests skip with a message;
 * MLOPS_REQUIRE_POSTGRES=1 (set by .ci/run) makes that a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

export const TEST_PG_URL = process.env.MLOPS_TEST_PG_URL || 'postgresql://postgres@127.0.0.1:55432/mlops_test';

let reachable: Promise<string | null> | undefined;

/** Null when the test server answers; otherwise why not. */
function probe(): Promise<string | null> {
  reachable ??= (async () => {
    const c = new Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return null;
    } catch (e) {
      return `no PostgreSQL answers at ${TEST_PG_URL} (${(e as Error).message})`;
    } finally {
      await c.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/** For a `before` hook: skips the suite without a server, or fails when MLOPS_REQUIRE_POSTGRES=1. */
export async function requirePostgres(ctx: Mocha.Context): Promise<void> {
  const why = await probe();
  if (!why) return;
  if (process.env.MLOPS_REQUIRE_POSTGRES === '1') throw new Error(`MLOPS_REQUIRE_POSTGRES=1 but ${why}; start one with scripts/pg-up.sh.`);
  console.log(`      skipping the PostgreSQL tests: ${why}; start one with scripts/pg-up.sh, or set MLOPS_REQUIRE_POSTGRES=1 to make this a failure.`);
  ctx.skip();
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const made: { url: string; db: string }[] = [];

/** A new, empty database on the test server; its URL. Dropped by `dropDatabases`. */
export async function freshDatabase(base = TEST_PG_URL): Promise<string> {
  const db = `mlops_t_${randomBytes(5).toString('hex')}`;
  await admin(base, (c) => c.query(`CREATE DATABASE ${db}`));
  made.push({ url: base, db });
  return withDatabase(base, db);
}

/** For after(): drops the databases `freshDatabase` made. */
export async function dropDatabases(): Promise<void> {
  for (const { url, db } of made.splice(0)) {
    await admin(url, (c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)).catch(() => undefined);
  }
}

/** Runs SQL against a database (for checks a test makes behind the store's back). */
export async function sql(url: string, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const v = fs.readdirSync(base).sort((a, b) => Number(b) - Number(a))[0];
  return path.join(base, v!, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A PostgreSQL server of a test's own, on a free port in a temp folder, for fault tests that
 * stop and start it without disturbing anyone else's server. Same binaries as pg-up.sh.
 */
export class PrivateServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivateServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-pg-'));
    fs.chmodSync(dir, 0o777);
    const port = await freePort();
    const s = new PrivateServer(dir, port);
    s.asOwner('initdb', ['-D', s.data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    s.start();
    await admin(s.url('postgres'), (c) => c.query('CREATE DATABASE mlops'));
    return s;
  }

  get data(): string {
    return path.join(this.dir, 'data');
  }

  url(db = 'mlops'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${db}`;
  }

  private asOwner(program: string, args: string[]): void {
    const file = path.join(pgBin(), program);
    const root = process.getuid?.() === 0;
    const r = root ? spawnSync('runuser', ['-u', 'postgres', '--', file, ...args], { encoding: 'utf8' }) : spawnSync(file, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  }

  start(): void {
    this.asOwner('pg_ctl', ['-D', this.data, '-l', path.join(this.dir, 'log'), '-w', '-t', '60', '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir}`, 'start']);
  }

  /** Stops the server at once (open connections are cut, as when a database host goes away). */
  stop(): void {
    this.asOwner('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', '-t', '60', 'stop']);
  }

  running(): boolean {
    try {
      execFileSync(path.join(pgBin(), 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(this.port)]);
      return true;
    } catch {
      return false;
    }
  }

  destroy(): void {
    if (fs.existsSync(path.join(this.data, 'postmaster.pid'))) {
      try {
        this.asOwner('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already stopped.
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
