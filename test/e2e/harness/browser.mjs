// Debian's Chromium driven by playwright-core, with a fresh profile per run and the flags
// that keep it off the network (this machine has none beyond the loopback).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { chromiumPath } from './config.mjs';
import { onCleanup } from './processes.mjs';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Opens a browser window of `width`×`height`; closed again at clean-up. */
export async function launchBrowser(profileDir, { width = 1440, height = 900 } = {}) {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} does not exist; run scripts/e2e-setup.sh (installs Debian's chromium) or set MLOPS_E2E_CHROMIUM.`);
  }
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ARGS,
    viewport: { width, height },
    // Rendering in headless Chromium needs no real display; a 1x scale keeps shots small.
    deviceScaleFactor: 1,
    // The driver's own handlers stop code-server too; Playwright's would exit first.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => {});
  };
  onCleanup(close);
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, close };
}
