import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mlopsWithin, project, removeProjects } from '../agent/helpers';
import { tempDir } from '../files';

/** A pipeline whose one task makes `models/m` with `make`, and registers it as model m. */
function registering(make: string): string {
  return project({
    'reg.pipeline.yaml': ['version: 1', 'name: reg', 'tasks:', '  train:', `    run: mkdir -p models && ${make}`, '    outputs: [models/m]', '    model: {name: m, path: models/m}', ''].join('\n'),
  });
}

interface ModelsList {
  models: { name: string; versions: unknown[] }[];
}

/** Runs the pipeline (it must end, and succeed), then returns the task's log and the registered models. */
async function runAndRead(dir: string): Promise<{ stderr: string; log: string; models: ModelsList['models'] }> {
  const r = await mlopsWithin(['run', 'reg.pipeline.yaml'], dir);
  assert.equal(r.code, 0, `run: ${r.stderr}`);
  const log = await mlopsWithin(['runs', 'logs', 'last', 'train'], dir);
  const list = await mlopsWithin(['models', 'list', '--format', 'json'], dir);
  assert.equal(list.code, 0, list.stderr);
  return { stderr: r.stderr, log: log.stdout, models: (JSON.parse(list.stdout) as ModelsList).models };
}

/** Every file the artifact store holds (none when nothing was registered). */
function storedFiles(dir: string): string[] {
  const root = path.join(dir, '.mlops', 'artifacts', 'sha256');
  return fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile()) : [];
}

const TAIL = 'registration takes only regular files and folders inside the workspace.';

describe('model registration: paths it refuses', function () {
  this.timeout(60_000);
  let outside: ReturnType<typeof tempDir>;
  before(() => {
    outside = tempDir('mlops-outside-');
    fs.mkdirSync(path.join(outside.dir, 'weights'));
    fs.writeFileSync(path.join(outside.dir, 'weights', 'w.bin'), 'outside weights');
  });
  after(() => {
    removeProjects();
    outside.cleanup();
  });

  /** The run succeeds; the model is not registered; the task's log and stderr say why; nothing was copied. */
  async function assertRefused(dir: string, why: string): Promise<void> {
    const { stderr, log, models } = await runAndRead(dir);
    const line = `mlops: task 'train' succeeded, but model m could not be registered: ${why}; ${TAIL}`;
    assert.ok(log.includes(`--- ${line} ---`), log);
    assert.ok(stderr.includes(line), stderr);
    assert.deepEqual(models, []);
    assert.deepEqual(storedFiles(dir), []);
  }

  it('refuses a model.path that links to /etc/passwd', async () => {
    await assertRefused(registering('ln -s /etc/passwd models/m'), 'model.path models/m resolves to /etc/passwd, outside the workspace, and is not followed');
  });

  it('refuses a model.path that links to a folder outside the workspace', async () => {
    await assertRefused(registering(`ln -s ${outside.dir}/weights models/m`), `model.path models/m resolves to ${outside.dir}/weights, outside the workspace, and is not followed`);
  });

  it('refuses a model.path that links to a device, without filling the disk', async () => {
    await assertRefused(registering('ln -s /dev/zero models/m'), 'model.path models/m resolves to /dev/zero, outside the workspace, and is not followed');
  });

  it('refuses a device node inside the workspace', async function () {
    if (process.getuid?.() !== 0) this.skip(); // mknod needs root; the link to /dev/zero above covers the rest
    await assertRefused(registering('mknod models/m c 1 5'), 'model.path models/m is a character device, not a regular file');
  });

  it('refuses a FIFO, and the run still ends', async () => {
    await assertRefused(registering('mkfifo models/m'), 'model.path models/m is a FIFO, not a regular file');
  });

  it('refuses a model folder holding a FIFO, naming it', async () => {
    await assertRefused(registering('mkdir -p models/m && printf w > models/m/w.bin && mkfifo models/m/pipe'), 'models/m/pipe is a FIFO, not a regular file');
  });

  it('refuses a model folder holding a link out of the workspace, naming it', async () => {
    await assertRefused(registering(`mkdir -p models/m && printf w > models/m/w.bin && ln -s /etc/passwd models/m/passwd`), `models/m/passwd resolves to /etc/passwd, outside the workspace, and is not followed`);
  });

  it('refuses a model folder holding a dangling link or a loop, naming it', async () => {
    await assertRefused(registering('mkdir -p models/m && ln -s nowhere models/m/gone'), 'models/m/gone is a symbolic link to nothing');
    await assertRefused(registering('mkdir -p models/m && ln -s .. models/m/up'), 'models/m/up is a loop of symbolic links');
  });

  it('follows links inside a model folder that stay in the workspace (a snapshot of links to blobs)', async () => {
    const dir = registering('mkdir -p blobs models/m && printf weights > blobs/b1 && ln -s ../../blobs/b1 models/m/w.bin');
    const { models, log } = await runAndRead(dir);
    assert.deepEqual(
      models.map((m) => [m.name, m.versions.length]),
      [['m', 1]],
      log,
    );
    const show = await mlopsWithin(['models', 'show', 'm', '--format', 'json'], dir);
    const p = (JSON.parse(show.stdout) as { parameters: { kind: string; files: { path: string; size: number; stored: string }[] } }).parameters;
    assert.equal(p.kind, 'directory');
    assert.deepEqual(
      p.files.map((f) => [f.path, f.size]),
      [['w.bin', 7]],
    );
    assert.equal(fs.readFileSync(path.join(dir, '.mlops', p.files[0]!.stored), 'utf8'), 'weights');
  });
});
