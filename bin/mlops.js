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
    process.stderr.write(`mlops needs Node.js 22.13 or newer (this is ${process.version}); install it or run 'npm install' in the project.\n`);
    process.exit(2);
  }
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(node, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status === null ? 1 : r.status);
}
require(path.join(__dirname, '..', 'dist', 'agent.js'));
