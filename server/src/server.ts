/**
 * The MLOps language server. The main thread speaks LSP and keeps the documents; the
 * analysis runs in worker threads ("lanes", dist/lane.js), so no document, however large
 * or hostile, can stop the server from answering. The two are separate bundles so that
 * neither thread loads the other's code.
 */
import * as path from 'node:path';
import { startServer } from './main/session';

startServer(path.join(__dirname, 'lane.js'));
