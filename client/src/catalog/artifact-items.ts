/**
 * The leaves under each of a version's eight artifact groups: what to show and what opens
 * when one is selected. Plain data, so the tree provider stays a thin layer over it.
 */
import * as path from 'node:path';
import { formatBytes as bytes, headlineMetric, shortDigest as short, type ArtifactKind, type ModelVersion } from '../../../core/src/index';

/** What selecting a leaf opens. */
export type OpenTarget =
  | { type: 'file'; path: string; find?: string }
  | { type: 'diff'; name: string; version: number }
  | { type: 'log'; path: string; runId: string | null }
  | { type: 'feature-view'; view: string; catalog: string | null }
  | { type: 'run'; runId: string; log: string | null };

export interface ItemSpec {
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id. */
  icon: string;
  open?: OpenTarget;
  children?: ItemSpec[];
}

/** Codicon and one-line summary of each artifact kind. */
export const GROUP_ICONS: Record<ArtifactKind, string> = {
  definition: 'symbol-interface',
  parameters: 'file-binary',
  functions: 'symbol-method',
  dependencies: 'package',
  data: 'database',
  code: 'git-commit',
  experiment: 'beaker',
  tags: 'tag',
};

/** Where recorded paths start: the workspace root and the agent's state folder (absolute). */
export interface PathContext {
  root: string;
  stateDir: string;
}

const abs = (ctx: PathContext, p: string) => (path.isAbsolute(p) ? p : path.join(ctx.root, ...p.split('/')));

/** The text shown beside a group's name. */
export function groupSummary(v: ModelVersion, kind: ArtifactKind): string {
  switch (kind) {
    case 'definition':
      return [v.definition.framework, v.definition.format].filter(Boolean).join(' · ');
    case 'parameters':
      return v.parameters.kind === 'missing' ? 'missing' : `${bytes(v.parameters.size)} · ${short(v.parameters.sha256)}`;
    case 'functions':
      return [v.functions.featurize && 'featurize', v.functions.predict && 'predict'].filter(Boolean).join(', ');
    case 'dependencies':
      return [`${v.dependencies.manifests.length} manifest${v.dependencies.manifests.length === 1 ? '' : 's'}`, v.dependencies.interpreter.version && `python ${v.dependencies.interpreter.version}`]
        .filter(Boolean)
        .join(' · ');
    case 'data':
      return `${v.data.inputs.length} input${v.data.inputs.length === 1 ? '' : 's'} · ${v.data.features.length} feature view${v.data.features.length === 1 ? '' : 's'}`;
    case 'code':
      return v.code.repository ? `${v.code.commit ? v.code.commit.slice(0, 7) : 'no commit'}${v.code.dirty ? ' · dirty' : ''}` : 'not a git repository';
    case 'experiment': {
      const h = headlineMetric(v.experiment.metrics);
      return [v.experiment.runId && `run ${v.experiment.runId}`, h && `${h.name} ${h.value}`].filter(Boolean).join(' · ');
    }
    case 'tags':
      return `${Object.keys(v.tags).length + v.aliases.length}`;
  }
}

/** The leaves of one group. */
export function artifactItems(v: ModelVersion, kind: ArtifactKind, ctx: PathContext): ItemSpec[] {
  switch (kind) {
    case 'definition': {
      const d = v.definition;
      const out: ItemSpec[] = [
        { label: 'framework', description: d.framework ?? '—', icon: 'symbol-class' },
        { label: 'format', description: d.format ?? '—', icon: 'symbol-file' },
      ];
      if (d.path) out.push({ label: d.path, description: 'model path', icon: 'file', open: { type: 'file', path: abs(ctx, d.path) } });
      if (d.description) out.push({ label: 'description', description: d.description, tooltip: d.description, icon: 'note' });
      for (const [flavor, settings] of Object.entries(d.flavors ?? {})) {
        out.push({
          label: `flavor ${flavor}`,
          icon: 'symbol-property',
          children: Object.entries(settings).map(([k, x]) => ({ label: k, description: typeof x === 'object' ? JSON.stringify(x) : String(x), icon: 'symbol-field' })),
        });
      }
      out.push({ label: 'source', description: d.source === 'mlflow' ? 'MLflow file store (read-only)' : 'mlops model store', icon: 'info' });
      return out;
    }
    case 'parameters': {
      const p = v.parameters;
      const out: ItemSpec[] = [];
      if (p.path) out.push({ label: p.path, description: p.kind === 'missing' ? 'missing' : bytes(p.size), icon: 'file-binary', open: { type: 'file', path: abs(ctx, p.path) } });
      if (p.sha256) out.push({ label: 'sha256', description: p.sha256, tooltip: p.sha256, icon: 'key' });
      if (p.stored)
        out.push({
          label: 'stored copy',
          description: p.stored,
          tooltip: `Content-addressed copy in the model store: ${p.stored}`,
          icon: 'archive',
          open: { type: 'file', path: path.join(ctx.stateDir, ...p.stored.split('/')) },
        });
      for (const f of p.files) {
        out.push({ label: f.path, description: `${bytes(f.size)} · ${short(f.sha256)}`, icon: 'file', ...(f.stored ? { open: { type: 'file' as const, path: path.join(ctx.stateDir, ...f.stored.split('/')) } } : {}) });
      }
      if (p.note) out.push({ label: p.note, icon: 'info' });
      return out;
    }
    case 'functions':
      return (['featurize', 'predict'] as const).flatMap((role): ItemSpec[] => {
        const f = v.functions[role];
        if (!f) return [];
        const openable = v.definition.source === 'mlops';
        return [
          {
            label: role,
            description: `${f.ref} · ${short(f.sha256)}`,
            tooltip: `${f.ref}\nsha256 ${f.sha256 ?? 'missing when registered'}`,
            icon: 'symbol-method',
            ...(openable ? { open: { type: 'file' as const, path: abs(ctx, f.file), find: f.function } } : {}),
          },
        ];
      });
    case 'dependencies': {
      const d = v.dependencies;
      return [
        ...d.manifests.map((m): ItemSpec => ({ label: m.path, description: short(m.sha256), tooltip: `sha256 ${m.sha256}`, icon: 'file', open: { type: 'file', path: abs(ctx, m.path) } })),
        { label: d.interpreter.name, description: d.interpreter.version ?? d.interpreter.note ?? 'unknown', icon: 'terminal' },
        ...(d.image ? [{ label: 'image', description: d.image, icon: 'vm' }] : []),
        ...(d.executor ? [{ label: 'executor', description: d.executor, icon: 'server-process' }] : []),
      ];
    }
    case 'data':
      return [
        ...v.data.inputs.map((i): ItemSpec => ({
          label: i.path,
          description: i.kind === 'missing' ? 'missing' : `${bytes(i.size)} · ${short(i.sha256)}`,
          tooltip: i.sha256 ? `sha256 ${i.sha256}` : 'did not exist when the model was registered',
          icon: i.kind === 'directory' ? 'folder' : 'file',
          open: { type: 'file', path: abs(ctx, i.path) },
        })),
        ...v.data.features.map((f): ItemSpec => ({
          label: f.view,
          description: `feature view · ${short(f.fingerprint)}`,
          tooltip: `Feature view ${f.view}${f.catalog ? ` in ${f.catalog}` : ''}\nfingerprint ${f.fingerprint ?? 'unknown'}`,
          icon: 'symbol-structure',
          open: { type: 'feature-view', view: f.view, catalog: f.catalog },
        })),
      ];
    case 'code': {
      const c = v.code;
      if (!c.repository) return [{ label: c.note ?? 'not a git repository', tooltip: c.note ?? undefined, icon: 'info' }];
      const out: ItemSpec[] = [
        { label: 'commit', description: c.commit ?? 'none', tooltip: c.commit ?? undefined, icon: 'git-commit' },
        { label: 'branch', description: c.branch ?? '—', icon: 'git-branch' },
      ];
      if (c.remote) out.push({ label: 'remote', description: c.remote, icon: 'repo' });
      if (c.dirty) {
        out.push({
          label: 'uncommitted changes',
          description: c.diff ? `${c.diff.split('\n').filter((l) => /^[+-](?![+-])/.test(l)).length} changed lines` : 'untracked files only',
          icon: 'diff',
          open: { type: 'diff', name: v.name, version: v.version },
        });
      } else out.push({ label: 'clean', description: 'no uncommitted changes', icon: 'check' });
      for (const u of c.untracked) out.push({ label: u, description: 'untracked', icon: 'question', open: { type: 'file', path: abs(ctx, u) } });
      if (c.note) out.push({ label: c.note, icon: 'info' });
      return out;
    }
    case 'experiment': {
      const e = v.experiment;
      const out: ItemSpec[] = [];
      if (e.runId) out.push({ label: 'run', description: e.runId, icon: 'history', open: { type: 'run', runId: e.runId, log: e.log ? abs(ctx, e.log) : null } });
      if (e.file)
        out.push({
          label: 'pipeline',
          description: `${e.pipeline ?? ''} · ${e.file}`,
          icon: 'file-code',
          ...(v.definition.source === 'mlops' ? { open: { type: 'file' as const, path: abs(ctx, e.file), find: e.task ? `${e.task}:` : undefined } } : {}),
        });
      if (e.task) out.push({ label: 'task', description: e.task, icon: 'symbol-event' });
      const params = Object.entries(e.params);
      if (params.length) out.push({ label: 'params', description: `${params.length}`, icon: 'settings', children: params.map(([k, x]) => ({ label: k, description: String(x), icon: 'symbol-variable' })) });
      const metrics = Object.entries(e.metrics);
      if (metrics.length) out.push({ label: 'metrics', description: `${metrics.length}`, icon: 'graph', children: metrics.map(([k, x]) => ({ label: k, description: String(x), icon: 'symbol-number' })) });
      if (e.log) out.push({ label: 'log', description: e.log, icon: 'output', open: { type: 'log', path: abs(ctx, e.log), runId: e.runId } });
      if (e.durationMs !== null) out.push({ label: 'duration', description: `${(e.durationMs / 1000).toFixed(1)} s`, icon: 'watch' });
      if (e.note) out.push({ label: e.note, icon: 'info' });
      return out;
    }
    case 'tags':
      return [...v.aliases.map((a): ItemSpec => ({ label: `@${a}`, description: 'alias', icon: 'bookmark' })), ...Object.entries(v.tags).map(([k, x]): ItemSpec => ({ label: k, description: x, icon: 'tag' }))];
  }
}
