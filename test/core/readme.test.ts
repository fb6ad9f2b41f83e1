import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from './helpers';

// README.md is the Marketplace page: short, for users, with a row for every command and
// every setting the extension contributes (CONTRIBUTING.md, "Documentation").

const README_LIMIT = 12 * 1024;

const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  contributes: { commands: { title: string }[]; configuration: { properties: Record<string, unknown> } | { properties: Record<string, unknown> }[] };
};

/** The rows of the table under a `## heading`, as their first cells. */
function firstCells(heading: string): string[] {
  const start = readme.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `README.md has no "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !/^\|\s*-/.test(l))
    .slice(1)
    .map((l) => l.split('|')[1]!.trim());
}

describe('docs: README.md, the user page', () => {
  it(`is at most ${README_LIMIT} bytes (12 KiB)`, () => {
    const size = Buffer.byteLength(readme);
    assert.ok(size <= README_LIMIT, `README.md is ${size} bytes; move detail to docs/ (CONTRIBUTING.md, "Documentation")`);
  });

  it('has a row in the commands table for every command in package.json', () => {
    const rows = firstCells('Commands').join(' / ');
    const missing = manifest.contributes.commands.map((c) => c.title).filter((t) => !rows.includes(t));
    assert.deepEqual(missing, []);
  });

  it('has a row in the settings table for every setting in package.json, and none for a setting that does not exist', () => {
    const config = manifest.contributes.configuration;
    const keys = (Array.isArray(config) ? config : [config]).flatMap((c) => Object.keys(c.properties)).sort();
    const rows = firstCells('Settings')
      .map((cell) => cell.replace(/`/g, ''))
      .sort();
    assert.deepEqual(rows, keys);
  });
});
