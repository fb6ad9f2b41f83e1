#!/usr/bin/env node
// npm run bench:lsp-memory — where the language server's memory goes. For each size it
// starts dist/server.js (MLOPS_LSP_MEMORY_REPORT=1, which answers mlops/heapReport) in a
// folder with one generated layered pipeline, and reports the process's resident memory
// (VmRSS, and VmHWM: the peak) when idle, after didOpen, after EDITS edits (with a pause
// after each, as a user types) and after didClose; then each thread's V8 heap (main thread
// and each lane) and what a heap snapshot of it holds, by kind of object. It also measures
// what one empty worker thread costs, and one lane worker with nothing to check.
//
//   NS="1000 5000" EDITS=10 npm run bench:lsp-memory [-- --keep DIR]   (--keep: keep the snapshots)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { writeWorkload } from './bench/workload.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NS = (process.env.NS ?? '1000 5000').split(/\s+/).filter(Boolean).map(Number);
const EDITS = Number(process.env.EDITS ?? 10);
const GAP_MS = 300;
const keep = process.argv.includes('--keep') ? resolve(process.argv[process.argv.indexOf('--keep') + 1]) : undefined;
const work = mkdtempSync(join(tmpdir(), 'mlops-lsp-memory-'));
const mib = (bytes) => (bytes / 1048576).toFixed(1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM of a process, in MiB (threads share the process: this is all of them). */
function memory(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** Self sizes in a heap snapshot, summed by the kind of object, largest first. */
function snapshotSummary(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const {
    node_fields: fields,
    node_types: [types],
  } = snap.snapshot.meta;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const groups = new Map();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]];
    const name = snap.strings[snap.nodes[i + iName]];
    // Strings and compiled code by kind; objects and arrays by constructor.
    const key = /string/.test(type) ? 'strings' : type === 'code' ? 'compiled code' : type === 'object' || type === 'closure' ? `${type} ${name}` : type === 'array' ? 'arrays (elements, properties)' : type;
    const size = snap.nodes[i + iSize];
    groups.set(key, (groups.get(key) ?? 0) + size);
    total += size;
  }
  return { total, top: [...groups].sort((a, b) => b[1] - a[1]).slice(0, 5) };
}

async function measureSize(n) {
  const folder = join(work, `ws-${n}`);
  mkdirSync(folder);
  const file = join(folder, `layered-${n}.pipeline.yaml`);
  writeWorkload(n, 'layered', file, { pipelineOnly: true });
  const text = readFileSync(file, 'utf8');
  const uri = pathToFileURL(file).href;
  const snapDir = join(keep ?? work, `snapshots-${n}`);
  mkdirSync(snapDir, { recursive: true });

  const child = spawn(process.execPath, [join(root, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, MLOPS_LSP_MEMORY_REPORT: '1' } });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onRequest('client/registerCapability', () => null);
  conn.onNotification('window/logMessage', () => {});
  let waiting;
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    if (p.uri === uri && waiting) waiting();
  });
  conn.listen();
  const published = (send) =>
    new Promise((done) => {
      waiting = () => {
        waiting = undefined;
        done();
      };
      send();
    });
  const stages = [];
  const stage = (name) => stages.push({ name, ...memory(child.pid) });
  try {
    const folderUri = pathToFileURL(folder).href;
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: folderUri, workspaceFolders: [{ uri: folderUri, name: 'w' }], capabilities: { workspace: { configuration: true } } });
    await conn.sendNotification('initialized', {});
    await sleep(1500);
    stage('after initialize (the workspace scan saw the pipeline)');
    await published(() => conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } }));
    stage('didOpen answered');
    const lines = text.split('\n');
    const tasks = lines.map((l, i) => (/^ {2}t\d+: \{/.test(l) ? i : -1)).filter((i) => i >= 0);
    for (let e = 0; e < EDITS; e++) {
      const copy = [...lines];
      const at = tasks[Math.floor(((e + 0.5) * tasks.length) / EDITS)];
      copy[at] = copy[at].replace('needs: [', 'needs: [nope, ').replace(', ]', ']');
      await published(() => conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: e + 2 }, contentChanges: [{ text: copy.join('\n') }] }));
      await sleep(GAP_MS);
    }
    stage(`after ${EDITS} edits`);
    const heaps = await conn.sendRequest('mlops/heapReport', { dir: snapDir });
    await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await sleep(2000);
    stage('2 s after didClose');
    const closed = await conn.sendRequest('mlops/heapReport', {});
    await conn.sendRequest('shutdown').catch(() => undefined);
    await conn.sendNotification('exit').catch(() => undefined);
    return { n, bytes: text.length, stages, heaps: heaps.map((h) => ({ ...h, live: snapshotSummary(h.snapshot) })), closed };
  } finally {
    conn.dispose();
    child.kill();
  }
}

/** RSS of this process with `count` idle worker threads running `script` (or an empty loop), after they started. */
async function workerCost(count, script) {
  const workers = [];
  for (let i = 0; i < count; i++) {
    const w = script ? new Worker(script, { workerData: { lane: `probe-${i}` } }) : new Worker('setInterval(() => {}, 1000)', { eval: true });
    workers.push(w);
    await new Promise((r) => (script ? w.on('message', (m) => m.type === 'ready' && r()) : w.once('online', r)));
  }
  await sleep(500);
  const rss = process.memoryUsage().rss;
  await Promise.all(workers.map((w) => w.terminate()));
  return rss;
}

try {
  const out = [];
  const base = await workerCost(0);
  const empty = (await workerCost(3)) - base;
  const lane = (await workerCost(1, join(root, 'dist', 'lane.js'))) - base;
  out.push(`Node ${process.version}: an idle worker thread costs ${mib(empty / 3)} MiB of resident memory; a lane worker (dist/lane.js loaded and warmed up, no document) ${mib(lane)} MiB.`, '');
  for (const n of NS) {
    const r = await measureSize(n);
    out.push(`### ${n.toLocaleString('en-US')} tasks (${Math.round(r.bytes / 1024)} KB)`, '', '| stage | RSS MiB | peak RSS so far MiB |', '|---|---:|---:|');
    for (const s of r.stages) out.push(`| ${s.name} | ${s.rss.toFixed(0)} | ${s.peak.toFixed(0)} |`);
    out.push('', '| thread | heap used MiB | heap total MiB | live (snapshot) MiB | largest kinds in the snapshot (MiB) | heap used after didClose MiB |', '|---|---:|---:|---:|---|---:|');
    for (const h of r.heaps) {
      const after = r.closed.find((c) => c.thread === h.thread);
      out.push(`| ${h.thread} | ${mib(h.used)} | ${mib(h.total)} | ${mib(h.live.total)} | ${h.live.top.map(([k, v]) => `${k} ${mib(v)}`).join(', ')} | ${after ? mib(after.used) : '–'} |`);
    }
    out.push('');
    console.error(`lsp-memory: ${n} tasks done`);
  }
  console.log(out.join('\n'));
  if (keep) console.log(`Heap snapshots: ${keep}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
