import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlopsSettings, needAgentRestart, SETTINGS, type SettingKey } from '../../core/src/protocol/settings';

// Compiled to out/test/client/, so the repository root is three levels up.
const REPO = path.resolve(__dirname, '../../..');

/** The `run` section as VS Code or the language client hands it over. */
const runSettings = (run: Record<string, unknown>) => MlopsSettings.fromSection({ run }).runOptions;

describe('client: settings', () => {
  describe('run settings as request fields', () => {
    it('leaves every field out at the defaults, so the agent decides', () => {
      assert.deepEqual(runSettings({ parallel: 0, executor: 'pipeline', keepGoing: false, pullImages: false }), {});
      assert.deepEqual(runSettings({}), {});
    });

    it('passes what the user set', () => {
      assert.deepEqual(runSettings({ parallel: 3, executor: 'docker', keepGoing: true, pullImages: true }), { parallel: 3, executor: 'docker', keepGoing: true, pull: true });
      assert.deepEqual(runSettings({ parallel: 1, executor: 'local', keepGoing: false, pullImages: false }), { parallel: 1, executor: 'local' });
      assert.deepEqual(runSettings({ parallel: 0, executor: 'slurm', keepGoing: false, pullImages: false }), { executor: 'slurm' });
    });

    it('ignores hand-edited values the settings schema would refuse', () => {
      assert.deepEqual(runSettings({ parallel: -2, executor: 'kubernetes', keepGoing: 'yes', pullImages: 1 }), {});
      assert.deepEqual(runSettings({ parallel: 2.5, executor: undefined, keepGoing: null, pullImages: 'true' }), {});
      assert.deepEqual(runSettings({ parallel: '4', executor: 'Docker', keepGoing: true, pullImages: false }), { keepGoing: true });
      assert.deepEqual(runSettings({ parallel: 257 }), {});
    });
  });

  it('reads the other settings with their defaults and ranges, as the language server does', () => {
    const s = MlopsSettings.fromSection({ validation: { debounceMs: 250 }, export: { target: 'argo' }, trace: { agent: 'verbose' }, store: { url: ' postgresql://u@h/db ', artifacts: '' } });
    assert.equal(s.debounceMs, 250);
    assert.equal(s.exportTarget, 'argo');
    assert.equal(s.traceAgent, 'verbose');
    assert.deepEqual(s.store, { url: 'postgresql://u@h/db', artifacts: '' });
    const bad = MlopsSettings.fromSection({ validation: { debounceMs: 5000 }, export: { target: 'airflow' }, trace: { agent: 'loud' }, store: { url: 'mysql://x' } });
    assert.deepEqual([bad.debounceMs, bad.exportTarget, bad.traceAgent, bad.store.url], [0, 'none', 'off', '']);
    assert.equal(MlopsSettings.fromSection(undefined).debounceMs, 0);
  });

  it('says which changed settings apply only when the agent restarts', () => {
    assert.deepEqual(
      needAgentRestart((k) => k === 'trace.agent' || k === 'run.parallel'),
      ['trace.agent'],
    );
    assert.deepEqual(
      needAgentRestart(() => false),
      [],
    );
  });

  it('declares in package.json exactly the settings core declares, with the same defaults, ranges and choices', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const props: Record<string, { default: unknown; minimum?: number; maximum?: number; enum?: string[]; markdownDescription?: string; description?: string }> = manifest.contributes.configuration.properties;
    assert.deepEqual(
      Object.keys(props).sort(),
      Object.keys(SETTINGS)
        .map((k) => `mlops.${k}`)
        .sort(),
    );
    for (const [key, p] of Object.entries(props)) {
      const k = key.slice('mlops.'.length) as SettingKey;
      const s = SETTINGS[k] as { default: unknown; valid(v: unknown): boolean; appliesOn?: string };
      assert.deepEqual(p.default, s.default, `${key}: default`);
      for (const v of p.enum ?? []) assert.ok(s.valid(v), `${key}: ${v} is in the manifest's enum but not valid in core`);
      if (p.minimum !== undefined) assert.ok(s.valid(p.minimum) && !s.valid(p.minimum - 1), `${key}: minimum ${p.minimum}`);
      if (p.maximum !== undefined) assert.ok(s.valid(p.maximum) && !s.valid(p.maximum + 1), `${key}: maximum ${p.maximum}`);
      if (s.appliesOn === 'agent-start') assert.match(p.markdownDescription ?? p.description ?? '', /Restart Local Agent/, `${key} must say that it applies when the agent restarts`);
    }
  });
});
