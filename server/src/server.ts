/**
 * The MLOps language server. The main thread speaks LSP and keeps the documents; the
 * analysis runs in worker threads ("lanes") started from this same file, so no document,
 * however large or hostile, can stop the server from answering.
 */
import { isMainThread } from 'node:worker_threads';
import { runLane } from './engine/lane-worker';
import { startServer } from './main/session';

if (isMainThread) startServer(__filename);
else runLane();
