import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARGO_DEFAULTS } from '../../core/src/index';
import { argoText, escapeArgoTags, escapeKubeExpansion } from '../../core/src/export/argo/command';
import { CHECKOUT_SCRIPT } from '../../core/src/export/argo/checkout';
import { tempDir } from '../files';
import { argoSubstitute, kubeExpand, podProcess, run } from './emulate';
import { mlops } from '../cli/mlops';
import { exported, FIXTURES, template, workflowSpec } from './helpers';

describe('export argo: commands', () => {
  describe('escapes', () => {
    it('doubles a $ before $ or ( so the kubelet leaves the text as written', () => {
      for (const s of ['$$', '$(date)', 'a$$(x)b', '$HOME ${X}', '$', 'x$', '$$$', '$(', 'cost: 5$ (net)']) {
        assert.equal(
          kubeExpand(
            escapeKubeExpansion(s),
            new Map([
              ['date', 'EXPANDED'],
              ['x', 'EXPANDED'],
            ]),
          ),
          s,
          s,
        );
      }
      assert.equal(escapeKubeExpansion('echo $$ $(date) $HOME'), 'echo $$$ $$(date) $HOME');
    });

    it('writes {{ as an expression Argo evaluates to {{, and a { before an Argo tag likewise', () => {
      for (const s of ['{{x}}', '{{{x}}}', 'a{{', '}} {{ {', '{{=1+1}}']) assert.equal(argoSubstitute(escapeArgoTags(s), {}), s, s);
      const text = argoText('{\u0000p0\u0000}', () => '{{inputs.parameters.lr}}');
      assert.equal(text, "{{='{'}}{{inputs.parameters.lr}}}");
      assert.equal(argoSubstitute(text, { 'inputs.parameters.lr': '0.5' }), '{0.5}');
    });

    it('the checkout script needs no escaping', () => {
      assert.equal(escapeKubeExpansion(escapeArgoTags(CHECKOUT_SCRIPT)), CHECKOUT_SCRIPT);
    });
  });

  describe('the shell in the pod reads what the local shell read', function () {
    this.timeout(120_000);

    it('shell.pipeline.yaml: each task writes the same file locally (mlops run) and in its emulated pod', () => {
      const text = fs.readFileSync(path.join(FIXTURES, 'shell.pipeline.yaml'), 'utf8');
      const local = tempDir('mlops-export-local-');
      const pods = tempDir('mlops-export-pods-');
      try {
        fs.writeFileSync(path.join(local.dir, 'shell.pipeline.yaml'), text);
        const r = mlops(['run', 'shell.pipeline.yaml', '--format', 'json', '--state-dir', path.join(local.dir, '.mlops')], local.dir);
        assert.equal(r.status, 0, r.stderr);
        const runId = (JSON.parse(r.stdout) as { id: string }).id;
        const { doc } = exported(text, { ...ARGO_DEFAULTS, code: 'volume' }, 'shell.pipeline.yaml');
        const spec = workflowSpec(doc);
        const vars: Record<string, string> = { 'workflow.name': runId };
        for (const p of spec.arguments!.parameters) vars[`workflow.parameters.${p.name}`] = vars[`inputs.parameters.${p.name}`] = p.value!;
        for (const t of spec.templates[0]!.dag!.tasks) {
          const tpl = template(doc, t.template);
          const pod = podProcess(tpl, vars);
          run(pod.argv, pod.env, path.join(pods.dir, path.relative('/workspace', tpl.container!.workingDir)));
        }
        const files = fs.readdirSync(path.join(local.dir, 'out')).sort();
        assert.deepEqual(files, ['braces.txt', 'dollars.txt', 'heredoc.txt', 'ids.txt']);
        for (const f of files) assert.equal(fs.readFileSync(path.join(pods.dir, 'out', f), 'utf8'), fs.readFileSync(path.join(local.dir, 'out', f), 'utf8'), f);
        // And what they wrote is what the commands mean, not merely equal.
        assert.equal(fs.readFileSync(path.join(local.dir, 'out', 'braces.txt'), 'utf8'), '{{ not argo }} {{x}} {0.05} {{\n{{\n');
        assert.equal(fs.readFileSync(path.join(pods.dir, 'out', 'dollars.txt'), 'utf8'), 'has-pid\nsub quoted sub $(not run) $$\na$$b$(X)c{{d}}e0.05\n');
      } finally {
        local.cleanup();
        pods.cleanup();
      }
    });

    it('a text param arrives as one word whatever it holds, in every quoting context, as in the local run', () => {
      const value = `it's "q" $HOME \`id\`; echo pwned {{x}} $$ $(date)`;
      const text = [
        'version: 1',
        'name: hostile',
        'params:',
        '  m: {type: string, default: safe}',
        'defaults:',
        '  image: busybox:1.36',
        'tasks:',
        '  show:',
        '    run: |',
        `      printf '[%s]\\n' \${{ params.m }} "in: \${{ params.m }}" 'sq: \${{ params.m }}' $'ansi: \${{ params.m }}' > shown.txt`,
        '      cat >> shown.txt <<EOF',
        '      doc: ${{ params.m }}',
        '      EOF',
        '',
      ].join('\n');
      const expected = `[${value}]\n[in: ${value}]\n[sq: ${value}]\n[ansi: ${value}]\ndoc: ${value}\n`;
      const { doc } = exported(text, { ...ARGO_DEFAULTS, code: 'volume' });
      const pod = podProcess(template(doc, 'show'), { 'inputs.parameters.m': value, 'workflow.parameters.m': value, 'workflow.name': 'wf-1' });
      const pods = tempDir('mlops-export-hostile-');
      const local = tempDir('mlops-export-hostile-local-');
      try {
        run(pod.argv, pod.env, pods.dir);
        assert.equal(fs.readFileSync(path.join(pods.dir, 'shown.txt'), 'utf8'), expected);
        fs.writeFileSync(path.join(local.dir, 'h.pipeline.yaml'), text);
        const r = mlops(['run', 'h.pipeline.yaml', '--param', `m=${value}`, '--state-dir', path.join(local.dir, '.mlops')], local.dir);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(fs.readFileSync(path.join(local.dir, 'shown.txt'), 'utf8'), expected);
      } finally {
        pods.cleanup();
        local.cleanup();
      }
    });
  });
});
