import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEVCONTAINER_JSON, DOCKERFILE, detect, WizardSession, type WizardHost } from '../../core/src/devcontainer/index';
import type { DevcontainerHostMessage, WizardOptions } from '../../core/src/protocol/devcontainer';
import { parseDevcontainerMessage } from '../../core/src/protocol/devcontainer';
import { scanProject } from '../../agent/src/devcontainer/scan';
import { copyFixture, devcontainerErrors } from './helpers';
import { fileText, READ_LIMITS } from '../../core/src/node/read';

class FakeHost implements WizardHost {
  posted: DevcontainerHostMessage[] = [];
  asked: string[][] = [];
  writtenPaths: string[][] = [];
  refusals: string[] = [];
  closed = false;
  constructor(
    private readonly answer: boolean,
    private readonly dir: string,
  ) {}
  files = {
    read: (p: string) => fileText(path.join(this.dir, p), { limit: READ_LIMITS.manifest }),
    write: (p: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(this.dir, p)), { recursive: true });
      fs.writeFileSync(path.join(this.dir, p), text);
    },
  };
  post(m: DevcontainerHostMessage): void {
    this.posted.push(m);
  }
  async confirmOverwrite(paths: string[]): Promise<boolean> {
    this.asked.push(paths);
    return this.answer;
  }
  written(paths: string[]): void {
    this.writtenPaths.push(paths);
  }
  close(): void {
    this.closed = true;
  }
  refused(reason: string): void {
    this.refusals.push(reason);
  }
  last<T extends DevcontainerHostMessage['type']>(type: T): Extract<DevcontainerHostMessage, { type: T }> {
    const m = [...this.posted].reverse().find((x) => x.type === type);
    assert.ok(m, `no ${type} message was posted`);
    return m as Extract<DevcontainerHostMessage, { type: T }>;
  }
}

function session(name: string, answer = true) {
  const dir = copyFixture(name);
  const host = new FakeHost(answer, dir);
  const s = new WizardSession(path.basename(dir), detect(scanProject(dir)), host, 'mlops-workbench.mlops-workbench');
  return { dir, host, s };
}

describe('devcontainer wizard (host side)', () => {
  it('answers ready with the facts and suggested options, and change with a preview', async () => {
    const { host, s } = session('conda');
    await s.handle({ type: 'ready' });
    const init = host.last('init');
    assert.equal(init.project, 'conda');
    assert.deepEqual(init.options, { python: '3.10', gpu: 'project', baseImage: '', groups: [], jupyter: true, mlflow: true });
    assert.deepEqual(init.pythonVersions, ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13']);
    await s.handle({ type: 'change', seq: 7, options: { ...init.options, gpu: 'off' } });
    const preview = host.last('preview');
    assert.equal(preview.seq, 7);
    assert.deepEqual(preview.summary, { baseImage: 'condaforge/miniforge3:latest', python: '3.10', gpu: 'none' });
    assert.deepEqual(
      preview.files.map((f) => [f.path, f.status]),
      [
        [DEVCONTAINER_JSON, 'new'],
        [DOCKERFILE, 'new'],
      ],
    );
    assert.deepEqual(devcontainerErrors(preview.files[0]!.text), []);
  });

  it('writes new files without asking', async () => {
    const { dir, host, s } = session('notebooks-only');
    await s.handle({ type: 'ready' });
    await s.handle({ type: 'write', options: host.last('init').options });
    assert.deepEqual(host.asked, []);
    assert.deepEqual(host.last('written').paths, [DEVCONTAINER_JSON, DOCKERFILE]);
    assert.deepEqual(host.writtenPaths, [[DEVCONTAINER_JSON, DOCKERFILE]]);
    assert.match(fs.readFileSync(path.join(dir, DOCKERFILE), 'utf8'), /jupyterlab ipykernel/);
  });

  it('shows the diff of an edited file and never overwrites it when the user declines', async () => {
    const { dir, host, s } = session('sklearn-cpu', false);
    await s.handle({ type: 'ready' });
    const options: WizardOptions = host.last('init').options;
    await s.handle({ type: 'write', options });
    const file = path.join(dir, DEVCONTAINER_JSON);
    const mine = fs.readFileSync(file, 'utf8').replace('"remoteUser": "vscode"', '"remoteUser": "me"');
    fs.writeFileSync(file, mine);

    await s.handle({ type: 'change', seq: 1, options });
    const changed = host.last('preview').files.find((f) => f.path === DEVCONTAINER_JSON)!;
    assert.equal(changed.status, 'changed');
    assert.match(changed.diff!, /^-  "remoteUser": "me",$/m);
    assert.match(changed.diff!, /^\+  "remoteUser": "vscode",$/m);

    await s.handle({ type: 'write', options });
    assert.deepEqual(host.asked, [[DEVCONTAINER_JSON]]);
    assert.equal(host.last('declined').type, 'declined');
    assert.equal(fs.readFileSync(file, 'utf8'), mine);
  });

  it('overwrites after the user agrees', async () => {
    const { dir, host, s } = session('sklearn-cpu', true);
    await s.handle({ type: 'ready' });
    const options = host.last('init').options;
    await s.handle({ type: 'write', options });
    fs.writeFileSync(path.join(dir, DOCKERFILE), '# mine\n');
    // A different Python changes devcontainer.json too: both differ from the disk, so both are asked about.
    await s.handle({ type: 'write', options: { ...options, python: '3.12' } });
    assert.deepEqual(host.asked, [[DEVCONTAINER_JSON, DOCKERFILE]]);
    assert.deepEqual(host.last('written').paths, [DEVCONTAINER_JSON, DOCKERFILE]);
    assert.match(fs.readFileSync(path.join(dir, DOCKERFILE), 'utf8'), /^ARG BASE_IMAGE=python:3\.12-slim-bookworm$/m);
  });

  it('refuses malformed messages and closes on cancel', async () => {
    const { host, s } = session('notebooks-only');
    await s.handle({ type: 'write', options: { python: '3.x', gpu: 'auto', baseImage: '', groups: [], jupyter: true, mlflow: false } });
    await s.handle({ type: 'change', seq: -1, options: {} });
    await s.handle({ type: 'write', options: { python: '3.11', gpu: 'auto', baseImage: 'Bad Image!', groups: [], jupyter: true, mlflow: false } });
    await s.handle('ready');
    assert.deepEqual(host.refusals, ['python must be a version like 3.11', 'change needs a non-negative integer seq', "'Bad Image!' is not a valid image reference", 'the message is not an object']);
    assert.deepEqual(host.posted, []);
    await s.handle({ type: 'cancel' });
    assert.equal(host.closed, true);
  });

  it('keeps only the known fields of a valid message', () => {
    const parsed = parseDevcontainerMessage({
      type: 'write',
      extra: 1,
      options: { python: '3.11', gpu: 'on', baseImage: ' img:1 ', groups: ['dev', 'dev'], jupyter: false, mlflow: true, sneaky: true },
    });
    assert.deepEqual(parsed, { ok: true, value: { type: 'write', options: { python: '3.11', gpu: 'on', baseImage: 'img:1', groups: ['dev'], jupyter: false, mlflow: true } } });
  });
});
