/**
 * Messages between the extension host and the dev container wizard webview, declared once:
 * both directions are tagged unions on `type`. The host checks every message from the
 * webview with `parseDevcontainerMessage` before using it (a webview is untrusted input).
 */
import type { DetectedFacts } from '../devcontainer/detect';
import { GPU_MODES, type GpuMode } from '../devcontainer/plan';
import { isPythonVersion, PYTHON_VERSIONS } from '../devcontainer/python';
import { parseImage } from '../util/values';
import { err, ok, type Result } from '../result';

/** The wizard's editable fields. An empty `baseImage` means "the generator's choice". */
export interface WizardOptions {
  python: string;
  gpu: GpuMode;
  baseImage: string;
  /** Optional dependency groups (extras) to install. */
  groups: string[];
  jupyter: boolean;
  mlflow: boolean;
}

/** One file the wizard would write, compared with the disk. */
export interface PreviewFile {
  path: string;
  status: 'new' | 'unchanged' | 'changed';
  text: string;
  /** Unified diff from the file on disk (changed files only). */
  diff?: string;
}

/** The resolved choices, for the summary line above the preview. */
export interface PreviewSummary {
  baseImage: string;
  python: string;
  gpu: 'required' | 'optional' | 'none';
  cuda?: string;
  /** Warnings about the choices themselves (two alternative builds chosen together, an old host driver). */
  warnings?: string[];
}

/** Host → wizard. */
export type DevcontainerHostMessage =
  /** What detection found and the options it suggests; sent once after `ready`. */
  | {
      type: 'init';
      /** The project folder's name (not its path). */
      project: string;
      facts: DetectedFacts;
      options: WizardOptions;
      pythonVersions: string[];
    }
  /** The files for the current options; answers every `change` (and follows `init`). */
  | { type: 'preview'; seq: number; files: PreviewFile[]; summary: PreviewSummary }
  /** The files were written (after any confirmation). */
  | { type: 'written'; paths: string[] }
  /** The user declined to overwrite; nothing was written. */
  | { type: 'declined' }
  | { type: 'error'; message: string };

/** Wizard → host. */
export type DevcontainerWebviewMessage =
  /** Loaded; wants `init`. */
  | { type: 'ready' }
  /** The options changed; wants a `preview` with the same `seq`. */
  | { type: 'change'; seq: number; options: WizardOptions }
  /** Write the files for these options; the host asks before overwriting changed ones. */
  | { type: 'write'; options: WizardOptions }
  /** Close the wizard without writing. */
  | { type: 'cancel' };

const MAX_GROUPS = 64;
const MAX_NAME = 128;

const fail = (error: string): Result<never> => err(error);

/** Checks wizard options from the webview; returns a fresh object with only the known fields. */
export function parseWizardOptions(x: unknown): Result<WizardOptions> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return fail('options must be an object');
  const o = x as Record<string, unknown>;
  if (typeof o['python'] !== 'string' || !isPythonVersion(o['python'])) return fail('python must be a version like 3.11');
  if (typeof o['gpu'] !== 'string' || !(GPU_MODES as readonly string[]).includes(o['gpu'])) return fail('gpu must be project, auto, on or off');
  if (typeof o['baseImage'] !== 'string') return fail('baseImage must be a string');
  const baseImage = o['baseImage'].trim();
  if (baseImage !== '' && !parseImage(baseImage)) return fail(`'${baseImage.slice(0, MAX_NAME)}' is not a valid image reference`);
  const groups = o['groups'];
  if (!Array.isArray(groups) || groups.length > MAX_GROUPS || !groups.every((g) => typeof g === 'string' && g.length > 0 && g.length <= MAX_NAME)) {
    return fail('groups must be a list of names');
  }
  if (typeof o['jupyter'] !== 'boolean' || typeof o['mlflow'] !== 'boolean') return fail('jupyter and mlflow must be true or false');
  return {
    ok: true,
    value: { python: o['python'], gpu: o['gpu'] as GpuMode, baseImage, groups: [...new Set(groups as string[])], jupyter: o['jupyter'], mlflow: o['mlflow'] },
  };
}

/** Checks an untrusted message from the wizard. */
export function parseDevcontainerMessage(x: unknown): Result<DevcontainerWebviewMessage> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return fail('the message is not an object');
  const m = x as Record<string, unknown>;
  const type = m['type'];
  switch (type) {
    case 'ready':
    case 'cancel':
      return ok({ type });
    case 'change': {
      const seq = m['seq'];
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return fail('change needs a non-negative integer seq');
      const options = parseWizardOptions(m['options']);
      return options.ok ? ok({ type, seq, options: options.value }) : options;
    }
    case 'write': {
      const options = parseWizardOptions(m['options']);
      return options.ok ? ok({ type, options: options.value }) : options;
    }
    default:
      return fail(`unknown message type ${JSON.stringify(type)?.slice(0, MAX_NAME) ?? String(type)}`);
  }
}

/** The Python versions the wizard offers: the known ones plus the detected one if it is not among them. */
export function offeredPythonVersions(detected: string): string[] {
  const all: string[] = [...PYTHON_VERSIONS];
  if (!all.includes(detected)) all.push(detected);
  return all.sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}
