import assert from 'node:assert/strict';
import { ARGO_DEFAULTS, EXPORT_CODES, type Diagnostic } from '../../core/src/index';
import { documentedCodes, rangeOf, within, yaml } from '../core/helpers';
import { assertRule } from '../core/rules';
import { exportProblems, GIT_OPTIONS, pipelines } from './helpers';

/** A pipeline named p whose tasks (the lines given) have busybox as their default image. */
function withImage(...taskLines: string[]): string {
  return yaml('version: 1', 'name: p', 'defaults:', '  image: busybox:1.36', 'tasks:', ...taskLines);
}

/** Export checks as the editor runs them (no command-line options), recording the codes seen. */
const covered = new Set<string>();
const documented = documentedCodes('argo.md');
function check(text: string, options = ARGO_DEFAULTS): Diagnostic[] {
  const diags = exportProblems(text, options);
  for (const d of diags) {
    covered.add(d.code);
    // Each code comes out with the severity docs/argo.md gives it.
    assert.equal(d.severity, documented.get(d.code), d.code);
  }
  return diags;
}

describe('export argo: what cannot make the trip', () => {
  describe('export-no-image', () => {
    it('is an error on the id of each task with no image and no default', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: "true"', '  b:', '    run: "true"', '    image: busybox:1.36');
      assertRule(check(text), 'export-no-image', 'error', [[within(text, '  a:', 'a'), "Task 'a' has no image", 'Set image: on the task or under defaults:, or export with --image']]);
    });

    it('is satisfied by defaults.image or by --image', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: "true"');
      assert.deepEqual(check(text, { ...ARGO_DEFAULTS, image: 'busybox:1.36' }), []);
      assert.deepEqual(check(text.replace('tasks:', 'defaults:\n  image: busybox:1.36\ntasks:')), []);
    });
  });

  describe('export-local-path', () => {
    it('flags an absolute workdir (once, on defaults) and an absolute input', () => {
      const text = yaml('version: 1', 'name: p', 'defaults:', '  image: busybox:1.36', '  workdir: /home/ana/proj', 'tasks:', '  a:', '    run: "true"', '    inputs: [/data/raw.csv]', '  b:', '    run: "true"');
      assertRule(check(text), 'export-local-path', 'error', [
        [rangeOf(text, '/home/ana/proj'), "workdir '/home/ana/proj' is a path on this machine", 'relative to the pipeline'],
        [rangeOf(text, '/data/raw.csv'), "Input '/data/raw.csv' is a path on this machine"],
      ]);
    });

    it('flags the workspace root and home folders in commands and env values, on the path itself', () => {
      const text = withImage('  a:', '    run: python /repo/src/train.py --out /home/ana/models/m.pt --log /var/log/x --tmp /tmp/y', '    env:', '      DATA: "/Users/ana/data"', '      OK: "/repository-other/x"');
      assertRule(check(text), 'export-local-path', 'error', [
        [rangeOf(text, '/repo/src/train.py'), "'/repo/src/train.py' is a path on this machine"],
        [rangeOf(text, '/home/ana/models/m.pt'), "'/home/ana/models/m.pt'"],
        [rangeOf(text, '/Users/ana/data'), "'/Users/ana/data'"],
      ]);
    });
  });

  describe('export-host-env', () => {
    it('flags ${{ env.X }} that the task does not declare, in the command and in env values', () => {
      const text = withImage('  a:', '    run: echo ${{ env.HOME }} ${{ env.LEVEL }}', '    env:', '      LEVEL: debug', '      TOKEN_FILE: "${{ env.LEVEL }}.txt"');
      assertRule(check(text), 'export-host-env', 'error', [
        [rangeOf(text, '${{ env.HOME }}'), '${{ env.HOME }} is read from the environment of the machine', 'Declare HOME under env:'],
        // Env values cannot read each other: locally this one reads the agent's LEVEL too.
        [rangeOf(text, '${{ env.LEVEL }}', 1), '${{ env.LEVEL }} is read from the environment'],
      ]);
    });
  });

  describe('export-unset-env', () => {
    it('warns on $MLOPS_* variables the export does not set, on the variable name', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'params:',
        '  lr: 0.1',
        'defaults:',
        '  image: busybox:1.36',
        'tasks:',
        '  a:',
        '    run: echo $MLOPS_PARAM_LR $MLOPS_RUN_ID ${MLOPS_TASK} $MLOPS_PARAM_EPOCHS ${MLOPS_STATE_DIR} ${{ params.lr }}',
      );
      assertRule(check(text), 'export-unset-env', 'warning', [
        [rangeOf(text, 'MLOPS_PARAM_EPOCHS'), 'Argo Workflows will not set MLOPS_PARAM_EPOCHS', 'MLOPS_PARAM_<NAME> for each declared param'],
        [rangeOf(text, 'MLOPS_STATE_DIR'), 'will not set MLOPS_STATE_DIR'],
      ]);
    });
  });

  describe('export-id-clash', () => {
    it('is an error on every id of a clash, naming the others', () => {
      const text = withImage('  prep_data:', '    run: "true"', '  prep-data:', '    run: "true"', '  ok_one:', '    run: "true"');
      assertRule(check(text), 'export-id-clash', 'error', [
        [within(text, '  prep_data:', 'prep_data'), "Task 'prep_data' becomes 'prep-data' in Argo Workflows, as 'prep-data' does"],
        [within(text, '  prep-data:', 'prep-data'), "Task 'prep-data' becomes 'prep-data' in Argo Workflows, as 'prep_data' does"],
      ]);
    });
  });

  describe('export-unsupported', () => {
    it('flags a fractional backoff factor, once, on the factor', () => {
      const text = yaml('version: 1', 'name: p', 'defaults:', '  image: busybox:1.36', '  retries: {limit: 2, backoff: 10s, factor: 1.5}', 'tasks:', '  a:', '    run: "true"', '  b:', '    run: "true"');
      assertRule(check(text), 'export-unsupported', 'error', [[rangeOf(text, '1.5'), 'takes a whole backoff factor; 1.5 would be refused', 'Use 1 or 2']]);
    });

    it('flags schedules in different time zones (or with and without one), on the odd one', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'schedule:',
        '  - {cron: "0 3 * * *", timezone: Europe/Berlin}',
        '  - {cron: "0 4 * * *", timezone: Asia/Tokyo}',
        '  - "0 5 * * *"',
        'defaults:',
        '  image: busybox:1.36',
        'tasks:',
        '  a:',
        '    run: "true"',
      );
      assertRule(check(text), 'export-unsupported', 'error', [
        [rangeOf(text, 'Asia/Tokyo'), "one time zone for all its schedules: Europe/Berlin, and this one's (Asia/Tokyo)"],
        [rangeOf(text, '"0 5 * * *"'), 'this one, which has none,'],
      ]);
      // A Workflow (--once) has no schedule to disagree about.
      assert.deepEqual(check(text, { ...ARGO_DEFAULTS, once: true }), []);
    });

    it('flags a text param where the shell scanner loses track (after case inside $( )), on the reference', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'params:',
        '  s: {type: string, default: x}',
        '  n: 1',
        'defaults:',
        '  image: busybox:1.36',
        'tasks:',
        '  a:',
        '    run: echo $(case v in v) echo ${{ params.n }};; esac) ${{ params.s }}',
      );
      assertRule(check(text), 'export-unsupported', 'error', [
        [rangeOf(text, '${{ params.s }}'), '${{ params.s }} stands after a case statement inside $( ), where the export cannot tell', 'Use "$MLOPS_PARAM_S" there instead'],
      ]);
    });

    it('flags an id longer than Argo takes once prefixed', () => {
      const id = `1${'a'.repeat(127)}`;
      const text = withImage(`  ${id}:`, '    run: "true"');
      assertRule(check(text), 'export-unsupported', 'error', [[rangeOf(text, id), '130 characters; Argo Workflows allows 128']]);
    });
  });

  describe('export-lossy', () => {
    it('warns that a model is not registered, on the model key', () => {
      const text = withImage('  train:', '    run: "true"', '    outputs: [m.json]', '    model: {name: churn, path: m.json, framework: custom}');
      assertRule(check(text), 'export-lossy', 'warning', [[within(text, '    model:', 'model'), "does not register model 'churn' in this workspace's model store"]]);
    });

    it('warns, once on the value, that tasks run on Slurm here become pods', () => {
      const text = withImage('  a:', '    run: "true"', '    executor: slurm', '    slurm: {partition: gpu}', '  b:', '    run: "true"');
      const inherited = text.replace('  image: busybox:1.36', '  image: busybox:1.36\n  executor: slurm').replace('    executor: slurm\n', '');
      assertRule(check(text), 'export-lossy', 'warning', [[within(text, 'executor: slurm', 'slurm'), 'runs as a Slurm batch job', 'the slurm settings (partition, account, qos…) do not apply']]);
      assertRule(check(inherited), 'export-lossy', 'warning', [[within(inherited, 'executor: slurm', 'slurm'), 'runs as a Slurm batch job']]);
    });

    it('warns that a schedule without a time zone fires in the controller zone, on the cron', () => {
      const text = yaml('version: 1', 'name: p', 'schedule: "0 3 * * *"', 'defaults:', '  image: busybox:1.36', 'tasks:', '  a:', '    run: "true"');
      assertRule(check(text), 'export-lossy', 'warning', [[rangeOf(text, '"0 3 * * *"'), 'no time zone', "in its controller's (often UTC)"]]);
      assert.deepEqual(check(text, { ...ARGO_DEFAULTS, once: true }), []);
    });
  });

  it('nothing in the examples and fixtures is refused (their manifests are checked in argo-manifest.test.ts)', () => {
    for (const [name, text] of pipelines()) {
      const errors = exportProblems(text, GIT_OPTIONS, name).filter((d) => d.severity === 'error');
      assert.deepEqual(errors, [], name);
    }
  });

  describe('coverage', () => {
    it('every export code came out of a test above', () => {
      assert.deepEqual(
        EXPORT_CODES.filter((c) => !covered.has(c)),
        [],
      );
    });
  });
});
