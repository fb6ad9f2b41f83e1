#!/usr/bin/env node
// The `mlops` command. The agent needs node:sqlite (Node >= 22.13); on an older Node this
// re-runs itself with the Node 24 that the project installs from npm.
'use strict';
const path = require('node:path');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  let node;
  try {
    node = path.join(path.dirname(require.resolve('node/package.json')), 'bin', 'node');
  } catch {
    process.stderr.write(`mlops needs Node.js 22.13 or newer (this is ${process.version}); install a newer Node (in a checkout of the project, 'npm install' provides one).\n`);
    process.exit(2);
  }
  // Asynchronous, so that a SIGINT/SIGTERM sent to this process alone (a cancel from the
  // extension, a CI timeout) reaches the real one instead of orphaning it.
  const { spawn } = require('node:child_process');
  const child = spawn(node, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code === null ? (signal === 'SIGINT' ? 130 : 1) : code));
  return;
}
// V8 keeps the compiled bundle in the OS temp folder: every command after the first starts
// about 30 ms sooner (Node 22.1+; a no-op where unavailable).
require('node:module').enableCompileCache?.();
require(path.join(__dirname, '..', 'dist', 'agent.js'));
