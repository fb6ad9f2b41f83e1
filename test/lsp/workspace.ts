import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, makeWorkspace } from './client';
import { PROJECT } from './fixtures';

/** A workspace folder with the server started on it; the hooks of `useLspWorkspace` fill it in. */
export interface LspWorkspace {
  root: string;
  client: LspClient;
  /** The project's pipeline and feature catalog (absolute paths). */
  pipeline: string;
  catalog: string;
}

export interface LspWorkspaceOptions {
  /** The workspace's files (relative path → text); the churn project by default. */
  files?: Record<string, string>;
  /** Which of the project's documents to open once the server runs. */
  open?: readonly ('pipeline' | 'catalog')[];
  /** A fresh workspace and server for every test (beforeEach) rather than one for the block. */
  each?: boolean;
}

/**
 * Registers the setup and teardown hooks of a describe block that talks to the language
 * server: make the workspace, start the server on it, open the documents; then stop the
 * server and remove the folder. Returns the object the hooks fill in.
 */
export function useLspWorkspace(opts: LspWorkspaceOptions = {}): LspWorkspace {
  const ws = {} as LspWorkspace;
  const setUp = opts.each ? beforeEach : before;
  const tearDown = opts.each ? afterEach : after;
  setUp(async () => {
    ws.root = makeWorkspace(opts.files ?? PROJECT);
    ws.pipeline = path.join(ws.root, 'churn.pipeline.yaml');
    ws.catalog = path.join(ws.root, 'churn.features.yaml');
    ws.client = await LspClient.start({ root: ws.root });
    for (const doc of opts.open ?? []) await ws.client.open(ws[doc]);
  });
  tearDown(async () => {
    await ws.client?.stop();
    if (ws.root) fs.rmSync(ws.root, { recursive: true, force: true });
  });
  return ws;
}
