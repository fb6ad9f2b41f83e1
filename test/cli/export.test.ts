import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CHECKOUT_SCRIPT } from '../../core/src/export/argo/checkout';
import { tempDir, writeTree } from '../files';
import { schemaErrors, template, workflowSpec, type Manifest } from '../export/helpers';

import { CHURN, mlops } from './mlops';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' };

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, env: GIT_ENV, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A repository holding examples/churn, committed and pushed to a bare "remote"; returns its folders and HEAD. */
function churnRepo(): { dir: string; work: string; remote: string; head: string; cleanup: () => void } {
  const t = tempDir('mlops-export-cli-');
  const work = path.join(t.dir, 'work');
  const remote = path.join(t.dir, 'remote.git');
  fs.cpSync(CHURN, path.join(work, 'churn'), { recursive: true, filter: (src) => !/[\\/](\.mlops|data|models|reports)$/.test(src) });
  git(t.dir, 'init', '-q', '--bare', remote);
  git(work, 'init', '-q');
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', 'churn');
  git(work, 'remote', 'add', 'origin', remote);
  git(work, 'push', '-q', '-u', 'origin', 'main');
  return { dir: t.dir, work, remote, head: git(work, 'rev-parse', 'HEAD'), cleanup: t.cleanup };
}

describe('mlops export argo (real processes, real git)', function () {
  this.timeout(120_000);
  let repo: ReturnType<typeof churnRepo>;
  before(() => (repo = churnRepo()));
  after(() => repo.cleanup());

  it('writes a CronWorkflow beside the pipeline that validates, checks out HEAD from the remote, and says how to apply it', () => {
    const r = mlops(['export', 'argo', 'churn/churn.pipeline.yaml'], repo.work);
    assert.equal(r.status, 0, r.stderr);
    const file = path.join(repo.work, 'churn', 'churn.argo.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const doc = parse(text) as Manifest;
    assert.deepEqual(schemaErrors(doc, 'official'), []);
    assert.equal(doc.kind, 'CronWorkflow');
    assert.equal(doc.metadata.annotations['mlops-workbench/commit'], repo.head);
    assert.equal(doc.metadata.annotations['mlops-workbench/file'], 'churn/churn.pipeline.yaml');
    assert.equal(doc.metadata.annotations['mlops-workbench/dirty'], undefined);
    assert.deepEqual(template(doc, 'checkout').container!.env, [
      { name: 'MLOPS_GIT_URL', value: repo.remote },
      { name: 'MLOPS_GIT_COMMIT', value: repo.head },
    ]);
    assert.equal(template(doc, 'train').container!.workingDir, '/workspace/churn');
    assert.match(r.stderr, /churn\.pipeline\.yaml:\d+:5: warning export-lossy: Argo Workflows runs the task but does not register model 'churn-classifier'/);
    assert.match(r.stderr, /Wrote churn\/churn\.argo\.yaml: a CronWorkflow of 5 tasks, after a checkout of [0-9a-f]{12}, sharing a new 10Gi volume\./);
    assert.match(r.stderr, /Apply it with: kubectl apply -f churn\/churn\.argo\.yaml/);
    assert.equal(r.stdout, '');
  });

  it('--once --out - --format json --param: a Workflow on stdout with the override, nothing written', () => {
    const r = mlops(['export', 'argo', 'churn/churn.pipeline.yaml', '--once', '--out', '-', '--format', 'json', '--param', 'lr=0.25', '--namespace', 'ml', '--volume-claim', 'ml-data'], repo.work);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Manifest;
    assert.deepEqual(schemaErrors(doc, 'official'), []);
    assert.deepEqual([doc.kind, doc.metadata.generateName, doc.metadata.namespace], ['Workflow', 'churn-train-', 'ml']);
    assert.deepEqual(
      workflowSpec(doc).arguments!.parameters.find((p) => p.name === 'lr'),
      { name: 'lr', value: '0.25', description: 'Learning rate of batch gradient descent' },
    );
    assert.deepEqual(workflowSpec(doc).volumes, [{ name: 'workspace', persistentVolumeClaim: { claimName: 'ml-data' } }]);
    assert.equal(fs.existsSync(path.join(repo.work, 'churn', 'churn.argo.json')), false);
  });

  it('refuses a dirty tree for --code git (exit 1), unless --allow-dirty, which records it; its own earlier manifest does not count', () => {
    assert.equal(mlops(['export', 'argo', 'churn/churn.pipeline.yaml', '--out', 'churn/churn.argo.yaml'], repo.work).status, 0);
    fs.appendFileSync(path.join(repo.work, 'churn', 'src', 'train.py'), '\n# local change\n');
    try {
      const refused = mlops(['export', 'argo', 'churn/churn.pipeline.yaml'], repo.work);
      assert.equal(refused.status, 1);
      assert.match(
        refused.stderr,
        /mlops export: The working tree has uncommitted changes \(churn\/src\/train\.py\); pods would run commit [0-9a-f]{12} without them\. Commit \(and push\) first, or pass --allow-dirty\./,
      );
      const allowed = mlops(['export', 'argo', 'churn/churn.pipeline.yaml', '--allow-dirty', '--out', 'dirty.yaml'], repo.work);
      assert.equal(allowed.status, 0, allowed.stderr);
      assert.equal((parse(fs.readFileSync(path.join(repo.work, 'dirty.yaml'), 'utf8')) as Manifest).metadata.annotations['mlops-workbench/dirty'], 'true');
      // --code volume needs no checkout, so no clean tree either.
      assert.equal(mlops(['export', 'argo', 'churn/churn.pipeline.yaml', '--code', 'volume', '--out', '-'], repo.work).status, 0);
    } finally {
      git(repo.work, 'checkout', '--', 'churn/src/train.py');
      fs.rmSync(path.join(repo.work, 'dirty.yaml'), { force: true });
    }
  });

  it('warns when the commit is on no remote branch', () => {
    git(repo.work, 'commit', '-q', '--allow-empty', '-m', 'unpushed');
    try {
      const r = mlops(['export', 'argo', 'churn/churn.pipeline.yaml', '--out', '-'], repo.work);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /warning: commit [0-9a-f]{12} is on no remote branch; push it before submitting/);
    } finally {
      git(repo.work, 'reset', '-q', '--hard', repo.head);
    }
  });

  it('exit 1 with each reason printed like mlops validate: pipeline errors, export errors, no repository', () => {
    const t = tempDir('mlops-export-bad-');
    try {
      writeTree(t.dir, {
        'broken.pipeline.yaml': 'version: 1\nname: broken\ntasks:\n  a:\n    run: "true"\n    needs: [zz]\n',
        'noimage.pipeline.yaml': 'version: 1\nname: noimage\ntasks:\n  a_b:\n    run: "true"\n  a-b:\n    run: "true"\n    image: busybox:1.36\n',
      });
      const broken = mlops(['export', 'argo', 'broken.pipeline.yaml'], t.dir);
      assert.equal(broken.status, 1);
      assert.match(broken.stderr, /^broken\.pipeline\.yaml:6:13: error unknown-need: /m);
      assert.match(broken.stderr, /mlops export: broken\.pipeline\.yaml has 1 error; fix it before exporting \(see mlops validate\)\./);
      const noImage = mlops(['export', 'argo', 'noimage.pipeline.yaml', '--code', 'volume'], t.dir);
      assert.equal(noImage.status, 1);
      assert.match(noImage.stderr, /^noimage\.pipeline\.yaml:4:3: error export-id-clash: Task 'a_b' becomes 'a-b'/m);
      assert.match(noImage.stderr, /^noimage\.pipeline\.yaml:4:3: error export-no-image: Task 'a_b' has no image/m);
      assert.match(noImage.stderr, /^noimage\.pipeline\.yaml:6:3: error export-id-clash: Task 'a-b' becomes 'a-b'/m);
      assert.match(noImage.stderr, /mlops export: noimage\.pipeline\.yaml has 3 problems that Argo Workflows cannot take \(above\)/);
      assert.equal(fs.existsSync(path.join(t.dir, 'noimage.argo.yaml')), false);
      assert.equal(mlops(['export', 'argo', 'noimage.pipeline.yaml', '--code', 'volume', '--image', 'busybox:1.36'], t.dir).status, 1);
      const noRepo = mlops(['export', 'argo', 'noimage.pipeline.yaml', '--image', 'busybox:1.36'], t.dir);
      assert.equal(noRepo.status, 1);
      assert.match(noRepo.stderr, /is not in a git repository with a commit, so no pod can check it out\. Commit it, or export with --code volume/);
    } finally {
      t.cleanup();
    }
  });

  it('exit 2 on usage errors, naming what to do', () => {
    const cases: [string[], RegExp][] = [
      [[], /Name the target and the pipeline/],
      [['airflow', 'x.pipeline.yaml'], /Unknown target 'airflow'; mlops exports to argo\./],
      [['argo', 'churn/churn.pipeline.yaml', '--format', 'toml'], /--format must be one of yaml, json\./],
      [['argo', 'churn/churn.pipeline.yaml', '--volume-claim', 'x', '--volume-size', '5Gi'], /--volume-claim uses an existing claim/],
      [['argo', 'churn/churn.pipeline.yaml', '--volume-size', 'lots'], /--volume-size 'lots' is not a size/],
      [['argo', 'churn/churn.pipeline.yaml', '--code', 'zip'], /--code is git/],
      [['argo', 'churn/churn.pipeline.yaml', '--param', 'nope=1'], /Unknown param 'nope'; this pipeline declares lr, epochs, seed, min_auc\./],
      [['argo', 'churn/churn.pipeline.yaml', '--param', 'epochs=many'], /--param epochs=many: 'many' is not a valid integer\./],
      [['argo', 'churn/churn.pipeline.yaml', '--name', 'Bad_Name'], /--name 'Bad_Name' must be lower-case/],
      [['argo', 'churn/churn.pipeline.yaml', '--code', 'volume', '--git-url', 'x'], /--code volume leaves out/],
      [['argo', 'missing.pipeline.yaml'], /missing\.pipeline\.yaml: no such file\./],
      [['argo', 'churn/README.md'], /not a \*\.pipeline\.yaml file/],
    ];
    for (const [args, message] of cases) {
      const r = mlops(['export', ...args], repo.work);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it("the checkout step's script checks the commit out into a volume that holds lost+found, and updates a used one", () => {
    const t = tempDir('mlops-export-checkout-');
    try {
      const volume = path.join(t.dir, 'volume');
      fs.mkdirSync(path.join(volume, 'lost+found'), { recursive: true });
      const step = (commit: string) => {
        const r = spawnSync('sh', ['-c', CHECKOUT_SCRIPT], { cwd: volume, env: { ...GIT_ENV, MLOPS_GIT_URL: `file://${repo.remote}`, MLOPS_GIT_COMMIT: commit }, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
      };
      assert.equal(step(repo.head), `checked out ${repo.head}\n`);
      assert.equal(git(volume, '-c', 'safe.directory=*', 'rev-parse', 'HEAD'), repo.head);
      assert.equal(fs.readFileSync(path.join(volume, 'churn', 'churn.pipeline.yaml'), 'utf8'), fs.readFileSync(path.join(repo.work, 'churn', 'churn.pipeline.yaml'), 'utf8'));
      // A run's outputs (untracked) stay when the next run checks a newer commit out.
      fs.writeFileSync(path.join(volume, 'churn', 'output.csv'), 'kept');
      fs.writeFileSync(path.join(repo.work, 'churn', 'NEW.md'), 'new');
      git(repo.work, 'add', '-A');
      git(repo.work, 'commit', '-qm', 'second');
      git(repo.work, 'push', '-q');
      const second = git(repo.work, 'rev-parse', 'HEAD');
      try {
        assert.equal(step(second), `checked out ${second}\n`);
        assert.equal(fs.readFileSync(path.join(volume, 'churn', 'NEW.md'), 'utf8'), 'new');
        assert.equal(fs.readFileSync(path.join(volume, 'churn', 'output.csv'), 'utf8'), 'kept');
      } finally {
        git(repo.work, 'reset', '-q', '--hard', repo.head);
        git(repo.work, 'push', '-q', '--force');
      }
    } finally {
      t.cleanup();
    }
  });
});
