import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ARGO_DEFAULTS,
  argoTarget,
  DEFAULT_GIT_IMAGE,
  documentKind,
  EXPORT_TARGET_IDS,
  exportDiagnostics,
  exportSource,
  parseQuantity,
  serializeManifest,
  type ArgoOptions,
  type ManifestFormat,
  type PipelineProblem,
} from '../../../core/src/index';
import { describeUnread } from '../../../core/src/node/read';
import { gitFacts } from '../export/git';
import { jsonDiagnostic, projectWorkspace } from '../load';
import { typedParam, unknownParam } from '../plan';
import { flag, format, InputError, keyValues, option, parseArgs, UsageError, type ParsedArgs } from '../util/args';
import { palette } from '../util/colors';
import { readDocument, toPosix, workspaceRoot } from '../util/files';
import type { Command } from './command';
import { formatDiagnostics } from './validate';

const USAGE = [
  'mlops export argo FILE [--out PATH|-] [--format yaml|json] [--name N] [--namespace NS] [--image IMG]',
  '         [--volume-claim PVC | --volume-size SIZE [--storage-class CLASS] [--access-mode rwo|rwx]]',
  '         [--code git|volume] [--git-url URL] [--git-image IMG] [--git-secret SECRET] [--allow-dirty]',
  '         [--service-account SA] [--run-as UID] [--param k=v]… [--once]',
].join('\n');

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write a pipeline as an Argo Workflow, or a CronWorkflow when it has a schedule (exit 1 if it cannot be exported)',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, {
      flags: ['once', 'allow-dirty'],
      values: ['out', 'format', 'name', 'namespace', 'image', 'volume-claim', 'volume-size', 'storage-class', 'access-mode', 'code', 'git-url', 'git-image', 'git-secret', 'service-account', 'run-as', 'param'],
    });
    const req = exportRequest(args);
    const cwd = process.cwd();
    const err = (line: string) => process.stderr.write(`${line}\n`);
    const file = path.resolve(cwd, req.file);
    if (!fs.existsSync(file)) throw new UsageError(`${req.file}: no such file.`);
    const read = readDocument(file);
    if (!read.ok) throw new InputError(`${req.file} ${describeUnread(read.error)}; name a regular *.pipeline.yaml file.`);
    const root = workspaceRoot(path.dirname(file));
    const ws = projectWorkspace(root);
    ws.set(toPosix(file), read.value);
    const a = ws.analyze(toPosix(file))!;
    const shown = path.relative(cwd, file) || file;
    const printed = (problems: PipelineProblem[]) => process.stderr.write(formatDiagnostics(problems, 1, palette(process.stderr)));
    const errors = a.errors;
    const src = exportSource(a, toPosix(path.relative(root, file)), toPosix(root));
    if (errors > 0 || !src) {
      printed(a.diagnostics.map((d) => jsonDiagnostic(shown, d)));
      err(`mlops export: ${shown} has ${errors} error${errors === 1 ? '' : 's'}; fix ${errors === 1 ? 'it' : 'them'} before exporting (see mlops validate).`);
      return 1;
    }
    const pipeline = src.pipeline;
    const unknown = unknownParam(pipeline, req.params);
    if (unknown) throw new UsageError(unknown);
    const params: Record<string, string> = {};
    for (const [name, raw] of Object.entries(req.params)) {
      const v = typedParam(pipeline.params.get(name)!, raw);
      if (!v.ok) throw new UsageError(v.error);
      params[name] = String(v.value);
    }

    const outFile = req.out === '-' ? undefined : path.resolve(cwd, req.out ?? defaultOut(file, req.format));
    // What this command writes (or wrote before, beside the pipeline) is not a change to the code.
    const generated = [outFile, defaultOut(file, 'yaml'), defaultOut(file, 'json')].filter((f) => f !== undefined).map((f) => toPosix(path.relative(root, f)));
    const git = await gitFacts(root, generated);
    const refusals: string[] = [];
    const options: ArgoOptions = { ...ARGO_DEFAULTS, ...req.options, params };
    if (git.commit) options.commit = git.commit;
    if (git.dirty) options.dirty = true;
    if (options.code === 'git') {
      const url = req.gitUrl ?? git.remote;
      if (!git.repository || !git.commit) refusals.push(`${shown} is not in a git repository with a commit, so no pod can check it out. Commit it, or export with --code volume and put the code on the volume.`);
      else if (!url) refusals.push(`The repository has no remote for pods to clone from. Add one (git remote add origin URL) or pass --git-url URL.`);
      else {
        if (git.dirty && !req.allowDirty) {
          const files = git.changed.length > 0 ? ` (${git.changed.join(', ')}${git.changed.length === 5 ? ', …' : ''})` : '';
          refusals.push(`The working tree has uncommitted changes${files}; pods would run commit ${git.commit.slice(0, 12)} without them. Commit (and push) first, or pass --allow-dirty.`);
        }
        if (git.pushed === false) err(`mlops export: warning: commit ${git.commit.slice(0, 12)} is on no remote branch; push it before submitting, or the checkout step cannot fetch it.`);
        options.git = { url, commit: git.commit, image: req.gitImage ?? DEFAULT_GIT_IMAGE, ...(req.gitSecret ? { secret: req.gitSecret } : {}) };
      }
    }
    const diagnostics = exportDiagnostics(a, argoTarget, options, src);
    if (diagnostics.length > 0) printed(diagnostics.map((d) => jsonDiagnostic(shown, d)));
    const exportErrors = diagnostics.filter((d) => d.severity === 'error').length;
    if (exportErrors > 0) refusals.push(`${shown} has ${exportErrors} problem${exportErrors === 1 ? '' : 's'} that Argo Workflows cannot take (above); fix ${exportErrors === 1 ? 'it' : 'them'} and export again.`);
    if (refusals.length > 0) {
      for (const r of refusals) err(`mlops export: ${r}`);
      return 1;
    }

    const manifest = argoTarget.render(src, options);
    const text = serializeManifest(manifest, req.format);
    if (!outFile) {
      process.stdout.write(text);
    } else {
      const out = outFile;
      writeAtomically(out, text);
      err(`Wrote ${path.relative(cwd, out) || out}: ${summary(manifest.kind, pipeline.tasks.size, options)}`);
      err(`Apply it with: ${manifest.kind === 'Workflow' && !options.name ? 'argo submit' : 'kubectl apply -f'} ${path.relative(cwd, out) || out}`);
    }
    if (!options.volumeClaim) err("Note: the run's volume (and every output on it) is deleted when the workflow succeeds; pass --volume-claim to keep outputs on a claim of yours.");
    return 0;
  },
};

interface ExportRequest {
  file: string;
  out?: string;
  format: ManifestFormat;
  options: Partial<ArgoOptions>;
  params: Record<string, string>;
  gitUrl?: string;
  gitImage?: string;
  gitSecret?: string;
  allowDirty: boolean;
}

/** A DNS-1123 label: what Kubernetes takes as a namespace, and (up to 52 characters) as a CronWorkflow's name. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function exportRequest(args: ParsedArgs): ExportRequest {
  const [target, file, ...extra] = args.positionals;
  if (!target) throw new UsageError(`Name the target and the pipeline, e.g. mlops export argo train.pipeline.yaml.`);
  if (!(EXPORT_TARGET_IDS as readonly string[]).includes(target)) throw new UsageError(`Unknown target '${target}'; mlops exports to ${EXPORT_TARGET_IDS.join(', ')}.`);
  if (!file) throw new UsageError(`Name the pipeline to export, e.g. mlops export ${target} train.pipeline.yaml.`);
  if (extra.length > 0) throw new UsageError(`Export one pipeline at a time; unexpected ${extra.join(' ')}.`);
  if (documentKind(file) !== 'pipeline') throw new UsageError(`${file}: not a *.pipeline.yaml file.`);
  const options: Partial<ArgoOptions> = { once: flag(args, 'once') };
  const name = option(args, 'name');
  if (name !== undefined) {
    if (!DNS_LABEL.test(name) || name.length > 52) throw new UsageError(`--name '${name}' must be lower-case letters, digits and '-', at most 52 characters (a CronWorkflow's limit).`);
    options.name = name;
  }
  const namespace = option(args, 'namespace');
  if (namespace !== undefined) {
    if (!DNS_LABEL.test(namespace) || namespace.length > 63) throw new UsageError(`--namespace '${namespace}' is not a Kubernetes namespace name (lower-case letters, digits and '-').`);
    options.namespace = namespace;
  }
  const image = option(args, 'image');
  if (image !== undefined) options.image = image;
  const claim = option(args, 'volume-claim');
  const size = option(args, 'volume-size');
  const storageClass = option(args, 'storage-class');
  const access = option(args, 'access-mode');
  if (claim !== undefined) {
    if (size !== undefined || storageClass !== undefined || access !== undefined)
      throw new UsageError('--volume-claim uses an existing claim; --volume-size, --storage-class and --access-mode describe a new one. Pass one or the other.');
    options.volumeClaim = claim;
  }
  if (size !== undefined) {
    if (!/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.test(size) || !parseQuantity(size)?.value) throw new UsageError(`--volume-size '${size}' is not a size such as 10Gi or 500Mi.`);
    options.volumeSize = size;
  }
  if (storageClass !== undefined) options.storageClass = storageClass;
  if (access !== undefined) {
    if (access !== 'rwo' && access !== 'rwx') throw new UsageError('--access-mode is rwo (ReadWriteOnce, the default) or rwx (ReadWriteMany, to share the volume between nodes).');
    options.accessMode = access === 'rwx' ? 'ReadWriteMany' : 'ReadWriteOnce';
  }
  const code = option(args, 'code');
  if (code !== undefined) {
    if (code !== 'git' && code !== 'volume') throw new UsageError('--code is git (a first step checks the commit out) or volume (the code is on the volume already).');
    options.code = code;
  }
  const sa = option(args, 'service-account');
  if (sa !== undefined) options.serviceAccount = sa;
  const runAs = option(args, 'run-as');
  if (runAs !== undefined) {
    if (!/^\d+$/.test(runAs)) throw new UsageError(`--run-as takes a numeric user id, e.g. 1000.`);
    options.runAs = Number(runAs);
  }
  const req: ExportRequest = { file, format: format(args, ['yaml', 'json'] as const, 'yaml'), options, params: keyValues(args, 'param'), allowDirty: flag(args, 'allow-dirty') };
  const out = option(args, 'out');
  if (out !== undefined) req.out = out;
  const gitUrl = option(args, 'git-url');
  const gitImage = option(args, 'git-image');
  const gitSecret = option(args, 'git-secret');
  if ((gitUrl ?? gitImage ?? gitSecret) !== undefined && options.code === 'volume') throw new UsageError('--git-url, --git-image and --git-secret set up the checkout step, which --code volume leaves out.');
  if (gitUrl !== undefined) req.gitUrl = gitUrl;
  if (gitImage !== undefined) req.gitImage = gitImage;
  if (gitSecret !== undefined) req.gitSecret = gitSecret;
  return req;
}

/** `churn.pipeline.yaml` → `churn.argo.yaml`, beside it. */
export function defaultOut(file: string, fmt: ManifestFormat): string {
  return path.join(path.dirname(file), `${path.basename(file).replace(/\.pipeline\.ya?ml$/i, '')}.argo.${fmt}`);
}

/** Writes a file whole or not at all: a reader never sees half a manifest. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function summary(kind: string, tasks: number, o: ArgoOptions): string {
  const parts = [`a ${kind} of ${tasks} task${tasks === 1 ? '' : 's'}`];
  if (o.git) parts.push(`after a checkout of ${o.git.commit.slice(0, 12)}${o.dirty ? ' (the working tree had uncommitted changes)' : ''}`);
  parts.push(o.volumeClaim ? `sharing claim ${o.volumeClaim}` : `sharing a new ${o.volumeSize} volume`);
  return `${parts.join(', ')}.`;
}
