import { diffVersions, parseModelRef, parseTag, renderDiff, type CheckEntry, type CheckReport, type ModelRef, type ModelVersion, type StaleReason } from '../../../core/src/catalog/index';
import { ConsistencyChecker } from '../registry/consistency';
import { readMlflowStore } from '../registry/mlflow-store';
import { mlrunsDir, modelsReport, type ModelSources } from '../registry/models-report';
import type { RegistrySnapshot } from '../registry/registry';
import { formatCheck, formatList, formatVersion } from '../registry/text';
import { STORE_OPTIONS, storeConfig, type StoreConfig } from '../state/config';
import { openRegistry } from '../state/open';
import { flag, format, option, parseSubcommand, UsageError, type ParsedArgs } from '../util/args';
import { palette } from '../util/colors';
import { workspaceRoot } from '../util/files';
import type { Command } from './command';

const USAGE = [
  'mlops models list [--format text|json]',
  '       mlops models show NAME[:VERSION|@ALIAS] [--format text|json]',
  '       mlops models alias NAME VERSION ALIAS',
  '       mlops models tag NAME:VERSION KEY=VALUE…',
  '       mlops models diff NAME:A NAME:B [--format text|json]',
  '       mlops models check [NAME[:VERSION|@ALIAS]…] [--all] [--format text|json]',
  '  (every sub-command takes --store URL, --artifacts DIR and --state-dir DIR; list, show, diff and check take --mlruns DIR)',
].join('\n');

const READ = { values: ['format', 'mlruns', ...STORE_OPTIONS] };
const SPECS = { list: READ, show: READ, alias: { values: STORE_OPTIONS }, tag: { values: STORE_OPTIONS }, diff: READ, check: { flags: ['all'], values: READ.values } };

export const modelsCommand: Command = {
  name: 'models',
  summary: 'Model store: list, show, alias, tag, diff and check versions for staleness (check exits 1 when stale)',
  usage: USAGE,
  async run(argv) {
    const { sub, args } = parseSubcommand(argv, SPECS);
    const fmt = format(args, ['text', 'json'] as const, 'text');
    const cwd = process.cwd();
    const config = storeConfig(cwd, args);
    const src: ModelSources = { root: workspaceRoot(cwd), artifacts: config.artifacts };
    const mlruns = option(args, 'mlruns');
    if (mlruns !== undefined) src.mlruns = mlruns;
    const c = palette(process.stdout);
    switch (sub) {
      case 'list': {
        positionals(args, 0, 'list takes no arguments');
        return withModels(config, src, (_models, snapshot) => {
          const report = modelsReport(src, snapshot);
          write(fmt === 'json' ? json(report) : formatList(report, c));
          return 0;
        });
      }
      case 'show': {
        const [text] = positionals(args, 1, 'name one version, e.g. mlops models show churn-classifier:3');
        return withModels(config, src, (models) => {
          const found = models.resolve(ref(text!));
          if (!found.ok) return fail('show', found.error);
          if (fmt === 'json') write(json(found.value.version));
          else write(formatVersion(found.value.version, found.value.stale, c));
          return 0;
        });
      }
      case 'alias': {
        const [name, version, alias] = positionals(args, 3, 'write mlops models alias NAME VERSION ALIAS, e.g. mlops models alias churn-classifier 3 champion');
        if (!/^\d+$/.test(version!)) throw new UsageError(`'${version}' is not a version number.`);
        const registry = (await openRegistry(config, true))!;
        try {
          const snapshot = await registry.snapshot();
          if (!snapshot.get(name!, Number(version))) return fail('alias', readOnlyOrMissing(src, name!, Number(version), snapshot));
          const r = await registry.setAlias(name!, Number(version), alias!);
          if (!r.ok) return fail('alias', r.error);
          const moved = r.value.previous !== null && r.value.previous !== Number(version) ? ` (moved from version ${r.value.previous})` : '';
          write(`${name}@${alias} → version ${version}${moved}\n`);
          return 0;
        } finally {
          await registry.close();
        }
      }
      case 'tag': {
        const [target, ...pairs] = args.positionals;
        if (!target || pairs.length === 0) throw new UsageError('Write mlops models tag NAME:VERSION KEY=VALUE…, e.g. mlops models tag churn-classifier:3 reviewed=yes.');
        const r = ref(target);
        if (r.kind !== 'version') throw new UsageError(`Tag one version: write ${r.name}:VERSION.`);
        const kv = pairs.map((p) => {
          const tag = parseTag(p);
          if (!tag.ok) throw new UsageError(tag.error);
          return [tag.value.key, tag.value.value] as const;
        });
        const registry = (await openRegistry(config, true))!;
        try {
          const snapshot = await registry.snapshot();
          if (!snapshot.get(r.name, r.version)) return fail('tag', readOnlyOrMissing(src, r.name, r.version, snapshot));
          for (const [k, v] of kv) {
            const res = await registry.setTag(r.name, r.version, k, v);
            if (!res.ok) return fail('tag', res.error);
          }
          write(`${r.name}:${r.version} tagged ${kv.map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
          return 0;
        } finally {
          await registry.close();
        }
      }
      case 'diff': {
        const [a, b] = positionals(args, 2, 'name two versions, e.g. mlops models diff churn-classifier:1 churn-classifier:2');
        return withModels(config, src, (models) => {
          const va = models.resolve(ref(a!));
          if (!va.ok) return fail('diff', va.error);
          const vb = models.resolve(ref(b!));
          if (!vb.ok) return fail('diff', vb.error);
          const d = diffVersions(va.value.version, vb.value.version);
          write(fmt === 'json' ? json(d) : renderDiff(d));
          return 0;
        });
      }
      case 'check':
        return withModels(config, src, (models) => {
          const report = models.check(args.positionals.map(ref), flag(args, 'all'));
          if (!report.ok) return fail('check', report.error);
          write(fmt === 'json' ? json(report.value) : formatCheck(report.value, c));
          return report.value.stale ? 1 : 0;
        });
    }
  },
};

function write(s: string): void {
  process.stdout.write(s);
}

function json(v: unknown): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}

function fail(sub: string, message: string): number {
  process.stderr.write(`mlops models ${sub}: ${message}\n`);
  return 1;
}

function positionals(args: ParsedArgs, n: number, hint: string): string[] {
  if (args.positionals.length !== n) throw new UsageError(hint.charAt(0).toUpperCase() + hint.slice(1) + '.');
  return args.positionals;
}

function ref(text: string): ModelRef {
  const r = parseModelRef(text);
  if (!r.ok) throw new UsageError(r.error);
  return r.value;
}

function readOnlyOrMissing(src: ModelSources, name: string, version: number, registry: RegistrySnapshot): string {
  const dir = mlrunsDir(src);
  if (dir && readMlflowStore(dir, src.root).models.some((m) => m.name === name)) {
    return `${name} comes from the MLflow store ${dir}, which is shown read-only; change it with MLflow.`;
  }
  return registry.names().includes(name) ? `${name} has no version ${version}.` : `There is no model '${name}' in the store.`;
}

/** The store and the MLflow store behind one resolver, with staleness. */
class Models {
  private mlflow?: ReturnType<typeof readMlflowStore>;
  private readonly checker: ConsistencyChecker;

  constructor(
    private readonly src: ModelSources,
    private readonly registry: RegistrySnapshot | undefined,
  ) {
    this.checker = new ConsistencyChecker(src.root);
  }

  private mlflowModels() {
    if (!this.mlflow) {
      const dir = mlrunsDir(this.src);
      this.mlflow = dir ? readMlflowStore(dir, this.src.root) : { models: [], problems: [] };
    }
    return this.mlflow.models;
  }

  private stale(v: ModelVersion): StaleReason[] {
    return v.definition.source === 'mlops' && this.registry ? this.checker.check(v, this.registry.rootOf(v.name, v.version)) : [];
  }

  resolve(r: ModelRef): { ok: true; value: { version: ModelVersion; stale: StaleReason[] } } | { ok: false; error: string } {
    if (this.registry?.names().includes(r.name)) {
      const v = this.registry.resolve(r);
      return v.ok ? { ok: true, value: { version: v.value, stale: this.stale(v.value) } } : v;
    }
    const m = this.mlflowModels().find((x) => x.name === r.name);
    if (!m) {
      const names = [...(this.registry?.names() ?? []), ...this.mlflowModels().map((x) => x.name)];
      return { ok: false, error: `There is no model '${r.name}'; ${names.length ? `known models: ${names.join(', ')}` : 'the store is empty: run a pipeline with a model: block first'}.` };
    }
    const v = r.kind === 'latest' ? m.versions[0] : r.kind === 'version' ? m.versions.find((x) => x.version === r.version) : m.versions.find((x) => x.aliases.includes(r.alias));
    if (!v) return { ok: false, error: `${r.name} (MLflow) has no ${r.kind === 'alias' ? `alias '${r.alias}'` : r.kind === 'version' ? `version ${r.version}` : 'versions'}.` };
    return { ok: true, value: { version: v, stale: [] } };
  }

  /**
   * Staleness of the named versions; without names, of each model's newest version and
   * every version that carries an alias (what is deployed), or of every version with `all`.
   */
  check(refs: ModelRef[], all: boolean): { ok: true; value: CheckReport } | { ok: false; error: string } {
    const targets: ModelVersion[] = [];
    if (refs.length > 0) {
      for (const r of refs) {
        const v = this.resolve(r);
        if (!v.ok) return v;
        targets.push(v.value.version);
      }
    } else {
      for (const m of this.registry?.models() ?? []) targets.push(...m.versions.filter((v, i) => all || i === 0 || v.aliases.length > 0));
    }
    const checked: CheckEntry[] = targets.map((v) => ({ name: v.name, version: v.version, aliases: v.aliases, reasons: this.stale(v) }));
    return { ok: true, value: { stale: checked.some((e) => e.reasons.length > 0), checked } };
  }
}

/** Runs `fn` on a snapshot of the store (none when there is no store yet) beside the MLflow store. */
async function withModels(config: StoreConfig, src: ModelSources, fn: (m: Models, snapshot: RegistrySnapshot | undefined) => number): Promise<number> {
  const registry = await openRegistry(config, false);
  try {
    const snapshot = await registry?.snapshot();
    return fn(new Models(src, snapshot), snapshot);
  } finally {
    await registry?.close();
  }
}
