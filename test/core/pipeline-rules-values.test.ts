import assert from 'node:assert/strict';
import { Workspace } from '../../core/src/index';
import { rangeOf, within, yaml } from './helpers';
import { assertRule, PIPELINE_RULE_FAMILIES, ruleSuite } from './rules';

const { run, describeCoverage } = ruleSuite('pipeline', PIPELINE_RULE_FAMILIES.values);

describe('core: pipeline rules: values: schedules, quantities, durations, images, param defaults and paths', () => {
  describe('invalid-cron', () => {
    it('names the wrong field, and counts the fields', () => {
      const text = yaml('version: 1', 'name: p', 'schedule: [{cron: "0 25 * * *"}, "* * *", "@nightly"]', 'tasks:', '  a:', '    run: echo');
      assertRule(run(text), 'invalid-cron', 'error', [
        [rangeOf(text, '"0 25 * * *"'), "'25' is not a valid hour (allowed 0-23)."],
        [rangeOf(text, '"* * *"'), 'A cron expression has 5 fields', "'* * *' has 3."],
        [rangeOf(text, '"@nightly"'), "'@nightly' is not a known macro", '@daily'],
      ]);
    });
  });

  describe('invalid-timezone', () => {
    it('reports a non-IANA zone and suggests the closest', () => {
      const text = yaml('version: 1', 'name: p', 'schedule: {cron: "0 3 * * *", timezone: Europe/Berln}', 'tasks:', '  a:', '    run: echo');
      assertRule(run(text), 'invalid-timezone', 'error', [[rangeOf(text, 'Europe/Berln'), "'Europe/Berln' is not an IANA time zone", "Did you mean 'Europe/Berlin'?"]]);
    });

    it('rejects offsets and accepts UTC', () => {
      const text = yaml('version: 1', 'name: p', 'schedule: [{cron: "@daily", timezone: "+02:00"}, {cron: "@daily", timezone: UTC}]', 'tasks:', '  a:', '    run: echo');
      assertRule(run(text), 'invalid-timezone', 'error', [[rangeOf(text, '"+02:00"'), "'+02:00' is not an IANA time zone"]]);
    });
  });

  describe('invalid-quantity', () => {
    it('reports cpu, memory and gpu values that are not quantities, once each', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'defaults:',
        '  resources: {cpu: lots}',
        'tasks:',
        '  a:',
        '    run: echo',
        '    resources: {cpu: 0, memory: 4GB, gpu: 1.5}',
        '  b:',
        '    run: echo',
        '    resources: {cpu: 2Gi, gpu: -1}',
      );
      assertRule(run(text), 'invalid-quantity', 'error', [
        [rangeOf(text, 'lots'), "cpu 'lots' is not a CPU quantity", "'500m'"],
        [within(text, 'cpu: 0', '0'), "cpu '0' is not a CPU quantity"],
        [rangeOf(text, '4GB'), "memory '4GB' is not a memory quantity", "'4Gi'"],
        [rangeOf(text, '1.5'), "gpu '1.5' must be a whole number of GPUs"],
        [rangeOf(text, '2Gi'), "cpu '2Gi' is not a CPU quantity"],
        [rangeOf(text, '-1'), "gpu '-1' must be a whole number of GPUs"],
      ]);
    });
  });

  describe('invalid-duration', () => {
    it('reports timeouts and backoffs that are not durations, once each', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'defaults:',
        '  timeout: forever',
        'tasks:',
        '  a:',
        '    run: echo',
        '    timeout: 90',
        '    retries: {limit: 1, backoff: soon}',
        '  b:',
        '    run: echo',
        '    timeout: 1h 30m',
      );
      assertRule(run(text), 'invalid-duration', 'error', [
        [rangeOf(text, 'forever'), "timeout 'forever' is not a duration", "'90s', '15m', '2h' or '1h30m'"],
        [rangeOf(text, '90'), "timeout 90 has no unit; write '90s' or '90m'."],
        [rangeOf(text, 'soon'), "backoff 'soon' is not a duration"],
        [rangeOf(text, '1h 30m'), "timeout '1h 30m' is not a duration"],
      ]);
    });

    it('offers a unit as a quick fix for a bare number', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    timeout: 90');
      const d = run(text).find((x) => x.code === 'invalid-duration');
      assert.deepEqual(d?.fixes, [{ kind: 'replace', title: "Change to '90s'", newText: '90s' }]);
    });
  });

  describe('invalid-image', () => {
    it('reports image references that do not parse', () => {
      const text = yaml('version: 1', 'name: p', 'defaults:', '  image: "Not An Image!"', 'tasks:', '  a:', '    run: echo', '    image: Python:3.12', '  b:', '    run: echo', '    image: "python:"');
      assertRule(run(text), 'invalid-image', 'error', [
        [rangeOf(text, '"Not An Image!"'), "'Not An Image!' is not a valid image reference", "'python:3.12-slim'"],
        [rangeOf(text, 'Python:3.12'), "'Python:3.12' is not a valid image reference", 'lower-case'],
        [rangeOf(text, '"python:"'), "'python:' is not a valid image reference"],
      ]);
    });
  });

  describe('param-type', () => {
    it('reports defaults that do not match the declared type or enum, and enum values of the wrong type', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'params:',
        '  n: {type: integer, default: 1.5}',
        '  mode: {type: string, default: fast, enum: [full, quick]}',
        '  dry: {type: boolean, default: yes}',
        '  size: {type: number, enum: [1, two]}',
        'tasks:',
        '  a:',
        '    run: echo ${{ params.n }} ${{ params.mode }} ${{ params.dry }} ${{ params.size }}',
      );
      assertRule(run(text), 'param-type', 'error', [
        [rangeOf(text, '1.5'), "Default 1.5 of param 'n' is not of type integer.", 'whole number'],
        [rangeOf(text, 'fast'), "Default 'fast' of param 'mode' is not one of its allowed values: 'full', 'quick'."],
        [rangeOf(text, 'yes'), "Default 'yes' of param 'dry' is not of type boolean.", 'true or false'],
        [rangeOf(text, 'two'), "Allowed value 'two' of param 'size' is not of type number."],
      ]);
    });
  });

  describe('unsafe-path', () => {
    it('reports absolute outputs, outputs that leave the workspace and the whole folder', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    outputs: [/tmp/model.bin, ../../elsewhere/x, ., data/ok.csv]');
      assertRule(run(text), 'unsafe-path', 'error', [
        [rangeOf(text, '/tmp/model.bin'), "Output '/tmp/model.bin' is an absolute path", "'data/model.bin'"],
        [rangeOf(text, '../../elsewhere/x'), "Output '../../elsewhere/x' points outside the workspace"],
        [within(text, ', ., ', '.'), "Output '.' is the pipeline's whole folder"],
      ]);
    });

    it('allows ".." that stays inside the workspace root', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    outputs: [../common/x.csv]');
      const ws = new Workspace({ root: '/ws' });
      ws.set('/ws/sub/p.pipeline.yaml', text);
      assert.deepEqual(ws.analyze('/ws/sub/p.pipeline.yaml')!.diagnostics, []);
      ws.set('/ws/p.pipeline.yaml', text);
      assert.deepEqual(
        ws.analyze('/ws/p.pipeline.yaml')!.diagnostics.map((d) => d.code),
        ['unsafe-path'],
      );
    });
  });

  describe('suspicious-quantity', () => {
    it('warns about milli-bytes, byte-sized memory and hundreds of cores', () => {
      const text = yaml('version: 1', 'name: p', 'tasks:', '  a:', '    run: echo', '    resources: {cpu: 500, memory: 512m}', '  b:', '    run: echo', '    resources: {memory: 512}');
      assertRule(run(text), 'suspicious-quantity', 'warning', [
        [rangeOf(text, '500'), 'cpu 500 asks for 500 cores', 'did you mean 500m (millicores)?'],
        [rangeOf(text, '512m'), "memory '512m' means 0.512 bytes", "did you mean '512Mi'?"],
        [within(text, 'memory: 512}', '512'), "memory '512' is only 512 bytes", "did you mean '512Mi'?"],
      ]);
    });
  });

  describe('unpinned-image', () => {
    it('warns about an image without a tag or with :latest while cache is on', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'tasks:',
        '  a:',
        '    run: echo',
        '    image: python',
        '  b:',
        '    run: echo',
        '    image: ghcr.io/acme/trainer:latest',
        '  c:',
        '    run: echo',
        '    image: python:latest',
        '    cache: false',
        '  d:',
        '    run: echo',
        '    image: python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        '  e:',
        '    run: echo',
        '    image: localhost:5000/trainer:3.1',
      );
      assertRule(run(text), 'unpinned-image', 'warning', [
        [rangeOf(text, 'python'), "Image 'python' is not pinned to a tag", 'Pin a version tag or digest, or set cache: false.'],
        [rangeOf(text, 'ghcr.io/acme/trainer:latest'), "Image 'ghcr.io/acme/trainer:latest' is pinned to :latest"],
      ]);
    });
  });

  describe('workdir-outside', () => {
    it('warns about a workdir that is the file system root or leaves the workspace, on tasks and defaults', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'defaults:',
        '  workdir: ../elsewhere',
        'tasks:',
        '  a:',
        '    run: echo',
        '    workdir: /',
        '  b:',
        '    run: echo',
        '    workdir: sub/../../..',
        '  c:',
        '    run: echo',
        '    workdir: sub/dir',
        '  d:',
        '    run: echo',
        '    workdir: /ws/inside',
        '  e:',
        '    run: echo',
        '    workdir: .',
      );
      const tail = 'is outside the workspace, where a task would run and write; runs refuse it.';
      assertRule(run(text), 'workdir-outside', 'warning', [
        [rangeOf(text, '../elsewhere'), `workdir '../elsewhere' ${tail}`, "Use a folder inside the workspace, e.g. '.'."],
        [within(text, 'workdir: /\n', '/'), `workdir '/' ${tail}`],
        [rangeOf(text, 'sub/../../..'), `workdir 'sub/../../..' ${tail}`],
      ]);
    });
  });

  describe('nul-character', () => {
    it('reports every value or key that holds a NUL, however YAML spells it', () => {
      const text = yaml(
        'version: 1',
        'name: p',
        'params:',
        '  x: {type: string, default: "a\\0b"}',
        'tasks:',
        '  a:',
        '    run: "echo \\x00 $MLOPS_PARAM_X"',
        '    env: {V: "x\\u0000y", "K\\0": v, OK: "\\\\0 is fine"}',
        '    workdir: "sub\\U00000000"',
      );
      const message = 'contains a NUL character (\\0), which no process can receive in a command, path or environment variable; remove it.';
      assertRule(run(text), 'nul-character', 'error', [
        [rangeOf(text, '"a\\0b"'), `This value ${message}`],
        [rangeOf(text, '"echo \\x00 $MLOPS_PARAM_X"'), `This value ${message}`],
        [rangeOf(text, '"x\\u0000y"'), `This value ${message}`],
        [rangeOf(text, '"K\\0"'), `This key ${message}`],
        [rangeOf(text, '"sub\\U00000000"'), `This value ${message}`],
      ]);
    });
  });

  describeCoverage('covers the values codes of docs/pipeline-format.md');
});
