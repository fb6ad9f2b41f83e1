import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import Ajv2019 from 'ajv/dist/2019';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import draft7 from 'ajv/dist/refs/json-schema-draft-07.json';
import Docker from 'dockerode';
import { parseJsonc } from '../../core/src/devcontainer/index';

// Compiled to out/test/devcontainer/, so the repository root is three levels up.
export const REPO = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'devcontainer');
export const MLOPS = path.join(REPO, 'bin', 'mlops.js');

const SCHEMAS = path.join(FIXTURES, 'schemas');
const RAW = 'https://raw.githubusercontent.com/microsoft/vscode/main/extensions/configuration-editing/schemas/';
// The root schema refers to the base one relatively; giving it an id makes that reference resolvable offline.
const ROOT_ID = 'https://containers.dev/schemas/devContainer.schema.json';

function schema(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8')) as Record<string, unknown>;
}

let compiled: ValidateFunction | undefined;

/** The official devcontainer.json schema (draft 2019-09 base plus the draft-07 VS Code parts), compiled once. */
export function devcontainerValidator(): ValidateFunction {
  if (compiled) return compiled;
  // Not strict: the official files use editor keywords (allowComments, errorMessage, deprecationMessage…).
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addMetaSchema(draft7);
  ajv.addSchema(schema('devContainer.base.schema.json'), 'https://containers.dev/schemas/devContainer.base.schema.json');
  ajv.addSchema(schema('devContainer.codespaces.schema.json'), `${RAW}devContainer.codespaces.schema.json`);
  ajv.addSchema(schema('devContainer.vscode.schema.json'), `${RAW}devContainer.vscode.schema.json`);
  ajv.addSchema({ type: 'object' }, 'vscode://schemas/settings/machine');
  compiled = ajv.compile({ ...schema('devContainer.schema.json'), $id: ROOT_ID });
  return compiled;
}

/** Schema errors of a devcontainer.json text (JSONC); empty when valid. */
export function devcontainerErrors(text: string): ErrorObject[] {
  const validate = devcontainerValidator();
  return validate(parseJsonc(text)) ? [] : [...(validate.errors ?? [])];
}

/** Copies a folder into a fresh temporary one named `name` (so tests may write into it); without `from`, an empty one. */
export function tempProject(name: string, from?: string): string {
  const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `mlops-dc-${name}-`)), name);
  if (from) fs.cpSync(from, target, { recursive: true });
  else fs.mkdirSync(target);
  return target;
}

/** A writable copy of a fixture project. */
export function copyFixture(name: string): string {
  return tempProject(name, path.join(FIXTURES, name));
}

/** A fresh empty project folder. */
export function emptyProject(): string {
  return tempProject('empty');
}

/** Runs the real `mlops` binary. */
export function mlops(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [MLOPS, ...args], {
    cwd: options.cwd ?? REPO,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
  });
}

/** Every file below a folder, relative POSIX paths, sorted. */
export function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** A folder holding a fake `nvidia-smi` that answers like a one-GPU machine. */
export function fakeNvidiaSmi(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-fake-smi-'));
  const script = [
    '#!/bin/sh',
    'if [ "$1" = "-L" ]; then',
    '  echo "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-5c3f2a1e-0000-4000-8000-000000000000)"',
    '  exit 0',
    'fi',
    'echo "+-----------------------------------------------------------------------------------------+"',
    'echo "| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |"',
    'echo "|   0  NVIDIA A100-SXM4-40GB          On  |   00000000:00:04.0 Off |                    0 |"',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'nvidia-smi'), script, { mode: 0o755 });
  return dir;
}

/** The engine the test set-up (scripts/docker-up.sh) starts when DOCKER_HOST is not set. */
const SETUP_SOCKET = '/tmp/mlops-docker/docker.sock';

/** Where the Docker tests find an engine: DOCKER_HOST, else the set-up's socket when it exists. */
export function dockerHost(): string | undefined {
  if (process.env['DOCKER_HOST']) return process.env['DOCKER_HOST'];
  return fs.existsSync(SETUP_SOCKET) ? `unix://${SETUP_SOCKET}` : undefined;
}

/** One line of `mlops devcontainer build --format json`. */
export interface BuildJsonEvent {
  type: string;
  text?: string;
  image?: string;
  exitCode?: number;
  output?: string;
}

/** The JSON lines of a build's stdout. */
export function buildEvents(stdout: string): BuildJsonEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as BuildJsonEvent);
}

/** Connects to the engine or skips the suite with a message (a failure under MLOPS_REQUIRE_DOCKER=1). */
export async function engineOrSkip(ctx: Mocha.Context, host: string | undefined, what: string): Promise<Docker> {
  if (host) process.env['DOCKER_HOST'] = host;
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (e) {
    const why = `no Docker engine answers at ${host ?? 'the default socket'} (${(e as Error).message})`;
    if (process.env['MLOPS_REQUIRE_DOCKER'] === '1') throw new Error(`MLOPS_REQUIRE_DOCKER=1 but ${why}; start one with scripts/docker-up.sh.`, { cause: e });
    console.log(`      skipping ${what}: ${why}; set MLOPS_REQUIRE_DOCKER=1 to make this a failure.`);
    ctx.skip();
  }
  return docker;
}
