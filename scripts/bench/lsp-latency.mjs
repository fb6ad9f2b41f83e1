#!/usr/bin/env node
// The language-server latency harness: a plain LSP client over stdio that measures what a
// user waits for after typing, for any server that pushes diagnostics.
//
//   node scripts/bench/lsp-latency.mjs --file F.pipeline.yaml [--edits 15] [--error needs-nope|unknown-key]
//        [--gap-ms 300] [--yaml-schema SCHEMA.json --glob '*.pipeline.yaml'] [--label NAME] -- SERVER_COMMAND…
//
// It starts the server, initializes it, opens the file and times didOpen → the first
// publishDiagnostics, then sends --edits full-text changes, each injecting one error into a
// different task, and times each didChange → the publishDiagnostics that follows it. Edits
// are sent one after the other, each --gap-ms after the previous one was answered (a user
// reads the squiggle before typing on). The server's process tree (it and every descendant)
// is sampled for its resident memory every 25 ms; the peak is the larger of those samples
// and the kernel's own high-water marks (VmHWM) of the processes at the end.
// Prints one JSON line: {label, tasks, openMs, edit: {medianMs, minMs, maxMs, diagnosticsMedian},
// samples: [{edit, nextMs, diagnostics}], memory: {peakRssMiB}}.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const server = dash === -1 ? [] : argv.slice(dash + 1);
const own = dash === -1 ? argv : argv.slice(0, dash);
const opt = (name, def) => (own.includes(`--${name}`) ? own[own.indexOf(`--${name}`) + 1] : def);
const file = opt('file');
const EDITS = Number(opt('edits', '15'));
const ERROR = opt('error', 'needs-nope');
const schema = opt('yaml-schema');
const glob = opt('glob', '*.pipeline.yaml');
const label = opt('label', server.join(' '));
const GAP_MS = Number(opt('gap-ms', '300'));
const TIMEOUT_MS = 120_000;
if (!file || server.length === 0 || !['needs-nope', 'unknown-key'].includes(ERROR)) {
  console.error('Usage: node scripts/bench/lsp-latency.mjs --file F.yaml [--edits N] [--error needs-nope|unknown-key] [--gap-ms MS] [--yaml-schema S.json [--glob G]] [--label L] -- SERVER_COMMAND…');
  process.exit(2);
}

const path = resolve(file);
const uri = pathToFileURL(path).href;
const text = readFileSync(path, 'utf8');
const lines = text.split('\n');
const taskLines = lines.map((l, i) => (/^ {2}[a-z0-9][-a-z0-9_]*: \{/.test(l) ? i : -1)).filter((i) => i >= 0);
if (taskLines.length < EDITS) throw new Error(`${file} has ${taskLines.length} tasks written as one-line mappings; --edits ${EDITS} needs as many`);

/** The file with one error injected into the task on line `at`. */
function withError(at) {
  const copy = [...lines];
  copy[at] = ERROR === 'needs-nope' ? copy[at].replace('needs: [', 'needs: [nope, ').replace(', ]', ']') : copy[at].replace(': {', ': {bogus: 1, ');
  return copy.join('\n');
}

// ---- the server and its memory
const child = spawn(server[0], server.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
let peakKiB = 0;
/** The resident memory of a process and all its descendants, in KiB, from /proc (`field`: VmRSS now, VmHWM the peak). */
function treeRssKiB(root, field = 'VmRSS') {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop();
    try {
      const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {
      continue;
    }
    for (const [p, pp] of parent) if (pp === pid) todo.push(p);
  }
  return total;
}
const sampler = setInterval(() => (peakKiB = Math.max(peakKiB, treeRssKiB(child.pid))), 25);

// ---- the client
const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
const settings = { yaml: { validate: true, schemas: schema ? { [pathToFileURL(resolve(schema)).href]: glob } : {} }, mlops: {} };
conn.onRequest('workspace/configuration', (p) => p.items.map((i) => (i.section ?? '').split('.').reduce((o, k) => o?.[k], settings) ?? null));
conn.onRequest('client/registerCapability', () => null);
conn.onRequest('window/workDoneProgress/create', () => null);
conn.onRequest('workspace/workspaceFolders', () => [{ uri: pathToFileURL(resolve(path, '..')).href, name: 'bench' }]);
conn.onNotification('window/logMessage', () => {});
let waiting;
conn.onNotification('textDocument/publishDiagnostics', (p) => {
  if (p.uri === uri && waiting) waiting(p.diagnostics.length);
});
conn.listen();

/** Sends `send()` and resolves with the time until the next diagnostics of the file and their count. */
function timedDiagnostics(send) {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no diagnostics within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    const t0 = performance.now();
    waiting = (count) => {
      clearTimeout(timer);
      waiting = undefined;
      done({ ms: performance.now() - t0, count });
    };
    send();
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

try {
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(resolve(path, '..')).href,
    workspaceFolders: [{ uri: pathToFileURL(resolve(path, '..')).href, name: 'bench' }],
    capabilities: { workspace: { configuration: true, workspaceFolders: true }, textDocument: { publishDiagnostics: {}, synchronization: { dynamicRegistration: false } } },
    initializationOptions: {},
  });
  await conn.sendNotification('initialized', {});
  await conn.sendNotification('workspace/didChangeConfiguration', { settings });
  const open = await timedDiagnostics(() => conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } }));
  const samples = [];
  const step = Math.max(1, Math.floor(taskLines.length / EDITS));
  for (let e = 0; e < EDITS; e++) {
    const changed = withError(taskLines[(e * step) % taskLines.length]);
    const r = await timedDiagnostics(() => conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: e + 2 }, contentChanges: [{ text: changed }] }));
    samples.push({ edit: e + 1, nextMs: round(r.ms), diagnostics: r.count });
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  // A peak between two samples is still counted: the kernel keeps each process's high-water mark.
  peakKiB = Math.max(peakKiB, treeRssKiB(child.pid, 'VmHWM'));
  const times = samples.map((s) => s.nextMs);
  console.log(
    JSON.stringify({
      label,
      tasks: taskLines.length,
      openMs: round(open.ms),
      edit: { medianMs: round(median(times)), minMs: Math.min(...times), maxMs: Math.max(...times), diagnosticsMedian: median(samples.map((s) => s.diagnostics)) },
      samples,
      memory: { peakRssMiB: round(peakKiB / 1024) },
    }),
  );
  await conn.sendRequest('shutdown').catch(() => undefined);
  await conn.sendNotification('exit').catch(() => undefined);
} catch (err) {
  console.error(`lsp-latency: ${label}: ${err.message}`);
  process.exitCode = 1;
} finally {
  clearInterval(sampler);
  conn.dispose();
  child.kill();
}
