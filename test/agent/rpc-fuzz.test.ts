import assert from 'node:assert/strict';
import { mulberry32 } from '../core/helpers';
import { project, removeProjects, stopSpawned, waitFor } from './helpers';
import { RawAgent, type Reply } from './raw-rpc';

/** MLOPS_FUZZ_SEED=n reruns one failing sequence; every failure names its seed. */
const SEED = Number(process.env.MLOPS_FUZZ_SEED ?? 0x12b0f022);
const MESSAGES = 2400;
const BATCH = 60;

const METHODS = ['mlops/run.start', 'mlops/run.cancel', 'mlops/runs.list', 'mlops/runs.show', 'mlops/logs.read', 'mlops/schedules.next', 'mlops/agent.info'];
const ERROR_CODES = new Set([-32700, -32600, -32601, -32602]);

type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

/** Any JSON value, small. */
function junk(rnd: Rnd, depth = 0): unknown {
  switch (Math.floor(rnd() * (depth > 2 ? 8 : 11))) {
    case 0:
      return null;
    case 1:
      return rnd() < 0.5;
    case 2:
      return pick(rnd, [0, -1, 1, 1.5, -1e300, 1e300, 2 ** 53, -0, 4097, 1_000_001]);
    case 3:
      return '';
    case 4:
      return pick(rnd, ['last', 'a', 'ok.pipeline.yaml', '../outside.pipeline.yaml', '/etc/passwd', '__proto__', 'constructor', 'a\0b', '日本 ✓', '\u202e', 'x'.repeat(70_000)]);
    case 5:
      return String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 12) }, () => Math.floor(rnd() * 0x3000)));
    case 6:
      return Math.floor(rnd() * 1e6) - 5e5;
    case 7:
      return 'abc';
    case 8:
      return Array.from({ length: Math.floor(rnd() * 4) }, () => junk(rnd, depth + 1));
    case 9:
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [pick(rnd, ['file', 'runId', 'x', '__proto__', 'only', 'params', 'a']), junk(rnd, depth + 1)]));
    default:
      return { nested: junk(rnd, depth + 1) };
  }
}

/** Params that fit the method's declared shape. */
function validParams(rnd: Rnd, method: string): Record<string, unknown> | undefined {
  const maybe = (p: number, v: () => unknown) => (rnd() < p ? v() : undefined);
  const o = (x: Record<string, unknown>) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined));
  switch (method) {
    case 'mlops/run.start':
      return o({
        file: pick(rnd, ['ok.pipeline.yaml', 'missing.pipeline.yaml', 'bad.pipeline.yaml', '../outside.pipeline.yaml']),
        params: maybe(0.3, () => (rnd() < 0.7 ? { msg: pick(rnd, ['hi', '"; touch pwned; "', '']) } : { nope: 'x' })),
        only: maybe(0.2, () => [pick(rnd, ['a', 'b', 'zzz'])]),
        from: maybe(0.1, () => 'a'),
        resume: maybe(0.1, () => pick(rnd, ['last', 'no-such-run'])),
        force: maybe(0.2, () => rnd() < 0.5),
        parallel: maybe(0.2, () => 1 + Math.floor(rnd() * 4)),
        executor: maybe(0.1, () => 'local'),
        keepGoing: maybe(0.1, () => true),
      });
    case 'mlops/run.cancel':
      return { runId: pick(rnd, ['last', 'no-such-run', '20260101-000000-abcd']) };
    case 'mlops/runs.list':
      return o({ file: maybe(0.3, () => pick(rnd, ['ok.pipeline.yaml', '/nowhere.pipeline.yaml'])), limit: maybe(0.5, () => 1 + Math.floor(rnd() * 50)) });
    case 'mlops/runs.show':
      return { runId: pick(rnd, ['last', 'nope']) };
    case 'mlops/logs.read':
      return o({ runId: pick(rnd, ['last', 'nope']), task: pick(rnd, ['a', 'b', 'zzz']), offset: maybe(0.5, () => Math.floor(rnd() * 100)), limit: maybe(0.5, () => 1 + Math.floor(rnd() * 100)) });
    case 'mlops/schedules.next':
      return o({ file: maybe(0.3, () => 'ok.pipeline.yaml') });
    default:
      return rnd() < 0.5 ? {} : undefined;
  }
}

/** One field replaced, removed or added, a type flipped, or the whole params replaced. */
function mutateParams(rnd: Rnd, params: Record<string, unknown> | undefined): unknown {
  const p: Record<string, unknown> = { ...(params ?? {}) };
  const keys = Object.keys(p);
  switch (Math.floor(rnd() * 6)) {
    case 0:
      if (keys.length) p[pick(rnd, keys)] = junk(rnd);
      return p;
    case 1:
      if (keys.length) delete p[pick(rnd, keys)];
      return p;
    case 2:
      p[pick(rnd, ['extra', 'file', 'only', 'parallel', 'offset', 'limit', 'params', 'runId'])] = junk(rnd);
      return p;
    case 3:
      // A string where a list is expected, and the like.
      if (keys.length) p[pick(rnd, keys)] = typeof p[keys[0]!] === 'string' ? [p[keys[0]!]] : String(p[keys[0]!]);
      return p;
    case 4:
      return junk(rnd);
    default:
      return [p];
  }
}

interface Sent {
  /** What was written, for the failure message. */
  text: string;
  /** The id the reply must carry: a value, null (an error without id), or undefined (no reply: a notification). */
  expect: string | number | null | undefined;
}

/** A message to send and the reply it must get, following JSON-RPC 2.0. */
function nextMessage(rnd: Rnd, n: number): Sent {
  const r = rnd();
  if (r < 0.04) {
    // Bytes that are not JSON: a valid request cut short, or noise.
    const whole = JSON.stringify({ jsonrpc: '2.0', id: n, method: pick(rnd, METHODS), params: {} });
    const text = rnd() < 0.5 ? whole.slice(0, Math.floor(rnd() * (whole.length - 1))) : `{${String.fromCharCode(...Array.from({ length: 8 }, () => 32 + Math.floor(rnd() * 90)))}`;
    return { text, expect: null };
  }
  const method = r < 0.1 ? pick(rnd, ['mlops/nope', 'mlops/run.Start', 'initialize', 'shutdown', 'mlops/']) : pick(rnd, METHODS);
  const valid = validParams(rnd, method);
  const params = rnd() < 0.55 ? mutateParams(rnd, valid) : valid;
  const m: Record<string, unknown> = { jsonrpc: '2.0', id: n, method };
  if (params !== undefined) m.params = params;
  const e = rnd();
  if (e < 0.04) m.jsonrpc = pick(rnd, ['1.0', 2, null]);
  else if (e < 0.07) m.id = pick(rnd, [{ a: 1 }, [1], 1.5, true]);
  else if (e < 0.09) m.method = junk(rnd);
  else if (e < 0.1) delete m.id;
  else if (e < 0.11) return { text: JSON.stringify([m]), expect: null };
  return { text: JSON.stringify(m), expect: expectedReply(m) };
}

/** The id of the reply JSON-RPC 2.0 requires for `m` (undefined: none, it is a notification). */
function expectedReply(m: Record<string, unknown>): string | number | null | undefined {
  const hasId = 'id' in m;
  const id = m.id;
  const validId = typeof id === 'number' && Number.isSafeInteger(id);
  if (m.jsonrpc !== '2.0') return validId ? id : null;
  if (hasId && !validId) return null;
  if (typeof m.method !== 'string' || m.method === '') return validId ? id : null;
  if ('params' in m && (typeof m.params !== 'object' || m.params === null)) return validId ? id : null;
  return validId ? id : undefined;
}

describe('mlops agent --stdio: protocol fuzz', function () {
  this.timeout(240_000);
  after(removeProjects);
  afterEach(stopSpawned);

  it(`answers ${MESSAGES} random and mutated messages with a result or a typed error, and still serves (seed ${SEED})`, async () => {
    const dir = project({
      'ok.pipeline.yaml': "version: 1\nname: ok\nparams:\n  msg: {type: string, default: hi}\ntasks:\n  a: {run: 'printf %s \"$MLOPS_PARAM_MSG\"'}\n  b: {needs: [a], run: 'true'}\n",
      'bad.pipeline.yaml': 'version: 1\nname: bad\ntasks:\n  a: {run: "true", needs: [nope]}\n',
    });
    const agent = new RawAgent(dir);
    const rnd = mulberry32(SEED);
    const fail = (why: string): never => assert.fail(`seed ${SEED} (rerun with MLOPS_FUZZ_SEED=${SEED}): ${why}`);
    let nulls = 0;
    const byId = new Map<string | number, Sent>();
    try {
      for (let start = 0; start < MESSAGES; start += BATCH) {
        const batch: Sent[] = [];
        for (let n = start; n < Math.min(MESSAGES, start + BATCH); n++) {
          const sent = nextMessage(rnd, n);
          batch.push(sent);
          agent.send(sent.text);
          if (sent.expect === null) nulls++;
          else if (sent.expect !== undefined) byId.set(sent.expect, sent);
        }
        await waitFor(
          () => `replies to messages ${start}–${start + batch.length - 1}`,
          () => agent.replies.filter((r) => r.id === null).length >= nulls && [...byId.keys()].every((id) => agent.replies.some((r) => r.id === id)),
          30_000,
        ).catch(() => {
          const missing = batch.filter((s) => s.expect !== null && s.expect !== undefined && !agent.replies.some((r) => r.id === s.expect));
          fail(
            `no reply to ${missing.map((s) => s.text.slice(0, 300)).join('\n') || `${nulls - agent.replies.filter((r) => r.id === null).length} malformed messages`}; the agent ${agent.child.exitCode === null ? 'is alive' : `exited with ${agent.child.exitCode}`}`,
          );
        });
      }
      // Every reply is for something sent, once, and is a result or a typed error.
      const seen = new Set<string | number>();
      for (const r of agent.replies) {
        if (r.jsonrpc !== '2.0') fail(`a reply without jsonrpc 2.0: ${JSON.stringify(r)}`);
        if (r.id !== null) {
          if (!byId.has(r.id)) fail(`a reply to ${r.id}, which expected none: ${JSON.stringify(r).slice(0, 300)}`);
          if (seen.has(r.id)) fail(`two replies to ${r.id}`);
          seen.add(r.id);
        }
        if ((r.result === undefined) === (r.error === undefined)) fail(`neither or both of result and error: ${JSON.stringify(r).slice(0, 300)}`);
        if (r.error && !ERROR_CODES.has(r.error.code)) {
          fail(`error ${r.error.code} "${r.error.message}" for ${r.id === null ? 'a malformed message' : byId.get(r.id)!.text.slice(0, 300)}`);
        }
        if (r.error && /is not a function|undefined|TypeError|at .*\.js/.test(r.error.message)) fail(`an internal message leaked: ${r.error.message}`);
      }
      assert.equal(agent.replies.filter((r) => r.id === null).length, nulls, `seed ${SEED}: replies without id`);
      assert.ok(byId.size + nulls >= 2000, `only ${byId.size + nulls} messages expected a reply`);
      // Still serving.
      agent.send({ jsonrpc: '2.0', id: 'after', method: 'mlops/agent.info' });
      const after: Reply = await agent.reply('after');
      assert.equal((after.result as { pid: number }).pid, agent.child.pid, `seed ${SEED}`);
      agent.send({ jsonrpc: '2.0', id: 'list', method: 'mlops/runs.list', params: { limit: 5 } });
      assert.ok(Array.isArray(((await agent.reply('list')).result as { runs: unknown[] }).runs), `seed ${SEED}`);
    } finally {
      agent.close();
    }
  });
});
