/**
 * Every `mlops.*` setting, declared once: its default, what a value must be, and whether it
 * needs the agent restarted. The extension (client/src/config.ts) and the language server
 * read settings through `MlopsSettings`; package.json's `contributes.configuration`
 * declares the same keys, defaults and ranges for the Settings editor, and
 * test/client/settings.test.ts fails when the two disagree.
 */
import { EXECUTORS, type RunRequest } from './agent';

type Trace = 'off' | 'messages' | 'verbose';

/** One setting: its default, a check that keeps a valid value (undefined otherwise), and what applying it needs. */
interface Setting<T> {
  default: T;
  valid(raw: unknown): raw is T;
  /** `agent`: read when a folder's agent starts; a change applies after MLOps: Restart Local Agent. */
  appliesOn?: 'agent-start';
}

const oneOf = <const V extends readonly string[]>(values: V, fallback: V[number], appliesOn?: 'agent-start'): Setting<V[number]> => ({
  default: fallback,
  valid: (raw): raw is V[number] => typeof raw === 'string' && values.includes(raw),
  ...(appliesOn ? { appliesOn } : {}),
});
const integer = (fallback: number, min: number, max: number): Setting<number> => ({
  default: fallback,
  valid: (raw): raw is number => typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw <= max,
});
const number = (fallback: number, min: number, max: number): Setting<number> => ({
  default: fallback,
  valid: (raw): raw is number => typeof raw === 'number' && Number.isFinite(raw) && raw >= min && raw <= max,
});
const flag = (fallback: boolean): Setting<boolean> => ({ default: fallback, valid: (raw): raw is boolean => typeof raw === 'boolean' });
const text = (fallback: string, pattern?: RegExp): Setting<string> => ({
  default: fallback,
  valid: (raw): raw is string => typeof raw === 'string' && (!pattern || pattern.test(raw.trim())),
});

export const TRACE_LEVELS = ['off', 'messages', 'verbose'] as const;

/** The settings, by key below `mlops.`. */
export const SETTINGS = {
  'validation.debounceMs': number(0, 0, 2000),
  'trace.server': oneOf(TRACE_LEVELS, 'off'),
  'trace.agent': oneOf(TRACE_LEVELS, 'off', 'agent-start'),
  'export.target': oneOf(['none', 'argo'], 'none'),
  'run.parallel': integer(0, 0, 256),
  'run.executor': oneOf(['pipeline', ...EXECUTORS], 'pipeline'),
  'run.keepGoing': flag(false),
  'run.pullImages': flag(false),
  // A changed store restarts every agent by itself (client/src/extension.ts).
  'store.url': text('', /^$|^postgres(ql)?:\/\//),
  'store.artifacts': text(''),
} as const satisfies Record<string, Setting<unknown>>;

export type SettingKey = keyof typeof SETTINGS;

/** The run settings as request fields; a default leaves its field out, so the agent decides. */
export type RunSettings = Pick<RunRequest, 'parallel' | 'executor' | 'keepGoing' | 'pull'>;

/** The `mlops.store.*` settings: empty strings for the folder's own `.mlops/`. */
export interface StoreSettings {
  /** postgresql://USER@HOST:PORT/DATABASE, or '' for the folder's own `.mlops/`. */
  url: string;
  /** The shared artifact folder, or '' for the state folder. */
  artifacts: string;
}

/**
 * The settings, typed, over any source of raw values: VS Code's configuration in the
 * extension, the `mlops` section the client sends in the language server. A missing value,
 * or one outside the declaration (a hand-edited settings.json), reads as the default.
 */
export class MlopsSettings {
  constructor(private readonly raw: (key: SettingKey) => unknown) {}

  /** Over a nested section object, as `workspace/configuration` answers for `mlops`. */
  static fromSection(section: unknown): MlopsSettings {
    return new MlopsSettings((key) => key.split('.').reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined), section));
  }

  get<K extends SettingKey>(key: K): (typeof SETTINGS)[K]['default'] {
    const v = this.raw(key);
    const s = SETTINGS[key] as Setting<unknown>;
    return (s.valid(v) ? v : s.default) as (typeof SETTINGS)[K]['default'];
  }

  /** Quiet time after a keystroke before a file is checked again. */
  get debounceMs(): number {
    return this.get('validation.debounceMs');
  }

  get exportTarget(): 'none' | 'argo' {
    return this.get('export.target');
  }

  /** Log the JSON-RPC messages between the extension and the local agent. */
  get traceAgent(): Trace {
    return this.get('trace.agent');
  }

  /** What every run started from the editor asks of the agent (`mlops.run.*`). */
  get runOptions(): RunSettings {
    const o: RunSettings = {};
    const parallel = this.get('run.parallel');
    const executor = this.get('run.executor');
    if (parallel > 0) o.parallel = parallel;
    if (executor !== 'pipeline') o.executor = executor;
    if (this.get('run.keepGoing')) o.keepGoing = true;
    if (this.get('run.pullImages')) o.pull = true;
    return o;
  }

  get store(): StoreSettings {
    return { url: this.get('store.url').trim(), artifacts: this.get('store.artifacts').trim() };
  }
}

/** The settings whose change needs the agent restarted to apply, of those a change touched. */
export function needAgentRestart(changed: (key: SettingKey) => boolean): SettingKey[] {
  return (Object.keys(SETTINGS) as SettingKey[]).filter((k) => (SETTINGS[k] as Setting<unknown>).appliesOn === 'agent-start' && changed(k));
}
