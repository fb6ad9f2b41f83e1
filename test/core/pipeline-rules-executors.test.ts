import assert from 'node:assert/strict';
import { effectiveSlurm, loadPipeline, parseYaml } from '../../core/src/index';
import { rangeOf, within, yaml } from './helpers';
import { assertRule, PIPELINE_RULE_FAMILIES, ruleSuite } from './rules';

const { run, describeCoverage } = ruleSuite('pipeline', PIPELINE_RULE_FAMILIES.executors);

describe('core: pipeline rules: executors: the slurm block and settings an executor ignores', () => {
  describe('clean', () => {
    it('a slurm block with every field, under defaults and a task, gives no diagnostics', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'defaults:',
        '  executor: slurm',
        '  slurm: {partition: gpu, account: ml-team, qos: normal, constraint: "a100|h100", nodes: 1, args: [--mail-type=FAIL, --exclusive]}',
        '  resources: {cpu: "2", memory: 4Gi}',
        'tasks:',
        '  train:',
        '    run: python train.py',
        '    timeout: 2h',
        '    slurm: {partition: long, nodes: 2, args: [--gres=gpu:a100:2, -x, --signal=B:USR1@60]}',
      );
      assert.deepEqual(run(text), []);
    });
  });

  describe('slurm-arg', () => {
    it('refuses options the agent sets, by long name, abbreviation or letter, on the item', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    slurm:', '      args: [--output=x.log, "-J name", --comm=hi, -d afterok:1, --wrap=true, --chdir=/tmp, --array=1-3, --hold]');
      assertRule(run(text), 'slurm-arg', 'error', [
        [rangeOf(text, '--output=x.log'), "--output is set by mlops (the job's output goes to the task's log under .mlops/runs/); remove it."],
        [rangeOf(text, '"-J name"'), '-J is set by mlops (jobs are named mlops:PIPELINE:TASK); remove it.'],
        [rangeOf(text, '--comm=hi'), '--comm is set by mlops (the comment carries the run id'],
        [rangeOf(text, '-d afterok:1'), '-d is set by mlops (the agent submits a task only once its upstream tasks have succeeded)'],
        [rangeOf(text, '--wrap=true'), "--wrap is set by mlops (the task's run: command is the job's script)"],
        [rangeOf(text, '--chdir=/tmp'), "--chdir is set by mlops (the job runs in the task's workdir: (set that instead))"],
        [rangeOf(text, '--array=1-3'), '--array is set by mlops (every attempt of a task is one job)'],
        [rangeOf(text, '--hold'), '--hold is set by mlops (the agent submits a task when it is ready to start'],
      ]);
    });

    it('sends options of the slurm block to its fields, and refuses what is not one option', () => {
      const text = yaml('version: 1', 'name: p', 'defaults:', '  slurm:', '    args: [--partition=gpu, -A ml, "--mail-type FAIL", exclusive]', 'tasks:', '  a:', '    run: echo');
      assertRule(run(text), 'slurm-arg', 'error', [
        [rangeOf(text, '--partition=gpu'), '--partition is what slurm.partition sets; write partition: in the slurm block instead.'],
        [rangeOf(text, '-A ml'), '-A is what slurm.account sets; write account: in the slurm block instead.'],
        [rangeOf(text, '"--mail-type FAIL"'), "'--mail-type FAIL' is not one sbatch option; write one option per item, with its value after '=', e.g. --mail-type=FAIL."],
        [within(text, ' exclusive]', 'exclusive'), "'exclusive' is not an sbatch option"],
      ]);
    });

    it('refuses resource options only where the task already sets that resource or timeout', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'defaults:',
        '  slurm: {args: [--time=10]}',
        'tasks:',
        '  a:',
        '    run: echo',
        '    resources: {memory: 1Gi}',
        '    slurm: {args: [--mem=2G, --cpus-per-task=4, --gres=gpu:1]}',
        '  b:',
        '    run: echo',
        '    timeout: 5m',
        '    resources: {cpu: "2", gpu: 1}',
        '    slurm: {args: [--mem-per-cpu=1G, -c2, --gpus=2, -t 5]}',
        '  c:',
        '    run: echo',
        '    timeout: 1m',
      );
      assertRule(run(text), 'slurm-arg', 'error', [
        [rangeOf(text, '--mem=2G'), "--mem contradicts the task's resources.memory, which mlops passes to sbatch; remove one of them."],
        [rangeOf(text, '-c2'), "-c contradicts the task's resources.cpu"],
        [rangeOf(text, '--gpus=2'), "--gpus contradicts the task's resources.gpu"],
        [rangeOf(text, '-t 5'), "-t contradicts the task's timeout"],
        // c inherits the defaults' args and sets a timeout.
        [rangeOf(text, '--time=10'), "--time contradicts the task's timeout"],
      ]);
    });
  });

  describe('unused-setting', () => {
    it("warns on a task's image when the task runs on Slurm, on the image's value", () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'defaults:',
        '  image: python:3.12-slim',
        'tasks:',
        '  a:',
        '    run: echo',
        '    executor: slurm',
        '    image: python:3.11-slim',
        '  b:',
        '    run: echo',
        '    executor: docker',
        '    image: python:3.11-slim',
      );
      assertRule(run(text), 'unused-setting', 'warning', [
        [rangeOf(text, 'python:3.11-slim', 0), "Task 'a' runs on Slurm, which does not use image: the job runs on the cluster's nodes as they are. Remove it, or run the task with executor: docker."],
      ]);
    });

    it('warns on the default image when every task runs on Slurm, and not when a docker task inherits it', () => {
      const unused = yaml('version: 1', 'name: p', 'defaults:', '  executor: slurm', '  image: python:3.12-slim', 'tasks:', '  a:', '    run: echo');
      assertRule(run(unused), 'unused-setting', 'warning', [[rangeOf(unused, 'python:3.12-slim'), 'Every task runs on Slurm or has its own image, so this image is not used']]);
      const used = yaml('version: 1', 'name: p', 'defaults:', '  executor: slurm', '  image: python:3.12-slim', 'tasks:', '  a:', '    run: echo', '  b:', '    run: echo', '    executor: docker');
      assert.deepEqual(run(used), []);
    });
  });

  describe('effectiveSlurm', () => {
    it("merges the default and the task's block field by field, the task's own value winning", () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'defaults:',
        '  slurm: {partition: cpu, account: ml, args: [--exclusive]}',
        'tasks:',
        '  a:',
        '    run: echo',
        '    slurm: {partition: gpu, nodes: 2}',
        '  b:',
        '    run: echo',
      );
      const p = loadPipeline(parseYaml(text).root);
      const a = effectiveSlurm(p, p.tasks.get('a')!)!;
      assert.deepEqual([a.partition?.value, a.account?.value, a.nodes?.value, a.args?.map((x) => x.value)], ['gpu', 'ml', 2, ['--exclusive']]);
      const b = effectiveSlurm(p, p.tasks.get('b')!)!;
      assert.deepEqual([b.partition?.value, b.nodes], ['cpu', undefined]);
    });
  });

  describeCoverage('covers the executor codes');
});
