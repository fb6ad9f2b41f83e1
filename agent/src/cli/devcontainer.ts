import * as path from 'node:path';
import * as fs from 'node:fs';
import { GPU_MODES, isPythonVersion, type DetectedFacts, type GenerateOptions, type GpuMode, type Plan } from '../../../core/src/devcontainer/index';
import { parseImage } from '../../../core/src/index';
import { buildImage, readBuildConfig, runPostCreate, type BuildEvent } from '../devcontainer/build';
import { connectDocker, engineReachable } from '../devcontainer/engine';
import { detectProject, propose, writeProposal } from '../devcontainer/project';
import { flag, format, option, parseSubcommand, UsageError, type ParsedArgs } from '../util/args';
import { palette } from '../util/colors';
import type { Command } from './command';

const GENERATE_USAGE =
  'mlops devcontainer generate [--dir D] [--gpu project|auto|on|off] [--python X.Y] [--base-image IMG] [--extra GROUP]… [--jupyter|--no-jupyter] [--mlflow|--no-mlflow] [--explain] [--dry-run] [--force] [--format text|json]';
const BUILD_USAGE = 'mlops devcontainer build [--dir D] [--tag T] [--base-image IMG] [--network MODE] [--verify] [--format text|json]';

export const devcontainerCommand: Command = {
  name: 'devcontainer',
  summary: 'Generate a dev container for an ML project from what it uses, and build its image',
  usage: `${GENERATE_USAGE}\n       ${BUILD_USAGE}`,
  run(argv) {
    const { sub, args } = parseSubcommand(argv, {
      generate: { flags: ['dry-run', 'force', 'jupyter', 'no-jupyter', 'mlflow', 'no-mlflow', 'explain'], values: ['dir', 'gpu', 'python', 'base-image', 'extra', 'format'] },
      build: { flags: ['verify'], values: ['dir', 'tag', 'base-image', 'network', 'format'] },
    });
    return sub === 'generate' ? generateCmd(args) : buildCmd(args);
  },
};

function projectDir(args: ParsedArgs): string {
  const dir = path.resolve(option(args, 'dir') ?? process.cwd());
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--dir ${dir} is not a folder.`);
  return dir;
}

/** The options generate accepts, checked; shared with the extension's wizard through the same type. */
function generateOptions(args: ParsedArgs): GenerateOptions {
  const gpu = option(args, 'gpu') ?? 'project';
  if (!(GPU_MODES as readonly string[]).includes(gpu)) throw new UsageError('--gpu must be project, auto, on or off.');
  const python = option(args, 'python');
  if (python !== undefined && !isPythonVersion(python)) throw new UsageError(`--python takes a version like 3.11, not '${python}'.`);
  const base = option(args, 'base-image');
  if (base !== undefined && !parseImage(base)) throw new UsageError(`--base-image '${base}' is not a valid image reference.`);
  const both = (on: string, off: string) => {
    if (flag(args, on) && flag(args, off)) throw new UsageError(`--${on} and --${off} contradict each other.`);
    return flag(args, on) ? true : flag(args, off) ? false : undefined;
  };
  const jupyter = both('jupyter', 'no-jupyter');
  const mlflow = both('mlflow', 'no-mlflow');
  return {
    gpu: gpu as GpuMode,
    ...(python ? { python } : {}),
    ...(base ? { baseImage: base } : {}),
    ...(args.options.has('extra') ? { groups: args.options.get('extra')! } : {}),
    ...(jupyter !== undefined ? { jupyter } : {}),
    ...(mlflow !== undefined ? { mlflow } : {}),
  };
}

async function generateCmd(args: ParsedArgs): Promise<number> {
  const fmt = format(args, ['text', 'json'] as const, 'text');
  if (args.positionals.length > 0) throw new UsageError(`Unexpected argument '${args.positionals[0]}'; name the project with --dir.`);
  const dir = projectDir(args);
  const options = generateOptions(args);
  const facts = await detectProject(dir, { gpu: options.gpu ?? 'project' });
  const unknown = (options.groups ?? []).filter((g) => !facts.groups.includes(g));
  if (unknown.length > 0) {
    throw new UsageError(`--extra ${unknown.join(', ')}: not an optional group of this project${facts.groups.length ? ` (it has ${facts.groups.join(', ')})` : ' (it has none)'}.`);
  }
  const variants = facts.choices.filter((c) => c.kind === 'variant' && (options.groups ?? []).includes(c.name));
  if (variants.length > 1 && facts.installer === 'requirements') {
    throw new UsageError(`--extra ${variants.map((v) => v.name).join(' and ')}: these are alternative builds of the same dependencies; choose one.`);
  }
  // --extra adds to what the project's tool installs by default (uv's dev group).
  if (facts.defaultGroups.length > 0) options.groups = [...new Set([...facts.defaultGroups, ...(options.groups ?? [])])];
  const proposal = propose(dir, facts, options);
  const dryRun = flag(args, 'dry-run');
  const blocked = proposal.changes.filter((c) => c.status === 'changed');
  const refuse = !dryRun && blocked.length > 0 && !flag(args, 'force');
  const written = dryRun || refuse ? [] : writeProposal(proposal);

  const explain = flag(args, 'explain');
  if (fmt === 'json') {
    const out: Record<string, unknown> = { detected: facts, files: proposal.files };
    if (explain) out['decisions'] = proposal.plan.decisions;
    if (proposal.plan.warnings.length) out['warnings'] = proposal.plan.warnings;
    if (!dryRun) Object.assign(out, { changes: proposal.changes, written });
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    printFacts(dir, facts);
    if (explain) printDecisions(proposal.plan);
    for (const w of proposal.plan.warnings) process.stdout.write(`  ${palette(process.stdout).yellow('!')} ${w}\n`);
    const c = palette(process.stdout);
    if (dryRun) {
      for (const [p, text] of Object.entries(proposal.files)) process.stdout.write(`\n${c.bold(`── ${p}`)}\n${text}`);
    } else if (refuse) {
      for (const b of blocked) process.stdout.write(`\n${b.diff}`);
    } else {
      const same = proposal.changes.filter((x) => x.status === 'unchanged').map((x) => x.path);
      if (written.length) process.stdout.write(`\n${c.green('✓')} wrote ${written.join(', ')}\n`);
      if (same.length) process.stdout.write(`${c.dim(`unchanged: ${same.join(', ')}`)}\n`);
      process.stdout.write(`Build the image with 'mlops devcontainer build${dir === process.cwd() ? '' : ` --dir ${path.relative(process.cwd(), dir) || '.'}`}', or reopen the folder in the container from VS Code.\n`);
    }
  }
  if (refuse) {
    process.stderr.write(`mlops devcontainer: ${blocked.map((b) => b.path).join(' and ')} already exist${blocked.length === 1 ? 's' : ''} with other content (diff on stdout); rerun with --force to overwrite.\n`);
    return 1;
  }
  return 0;
}

function printFacts(dir: string, f: DetectedFacts): void {
  const c = palette(process.stdout);
  const row = (k: string, v: string) => process.stdout.write(`  ${c.dim(k.padEnd(11))} ${v}\n`);
  const bytes = (n: number) => (n >= 2 ** 30 ? `${+(n / 2 ** 30).toFixed(2)}Gi` : `${Math.ceil(n / 2 ** 20)}Mi`);
  process.stdout.write(`${c.bold(`Detected in ${dir}`)}\n`);
  row('manifests', f.manifests.length ? f.manifests.map((m) => `${m.path} (${m.kind})`).join(', ') : 'none');
  row('python', `${f.python.version} (${f.python.source}${f.python.constraint ? ` ${f.python.constraint}` : ''})`);
  row('frameworks', f.frameworks.length ? f.frameworks.map((x) => `${x.id}${x.version ? ` ${x.version}` : x.spec ? ` ${x.spec}` : ''}${x.cuda ? ` (CUDA ${x.cuda})` : ''}`).join(', ') : 'none');
  row('notebooks', f.notebooks.length ? `${f.notebooks.length} (${f.notebooks.slice(0, 3).join(', ')}${f.notebooks.length > 3 ? ', …' : ''})` : 'none');
  const r = f.resources;
  const res = [r.cpu !== undefined ? `cpu ${r.cpu}` : '', r.memory !== undefined ? `memory ${bytes(r.memory)}` : '', r.gpu !== undefined ? `gpu ${r.gpu}` : ''].filter((s) => s);
  row('resources', res.length ? res.join(', ') : 'no pipeline states any');
  row('gpu', `${f.gpu.need}${f.gpu.reasons.length ? ` — ${f.gpu.reasons.join('; ')}` : ''}`);
  if (f.choices.length) row('choices', f.choices.map((x) => `${x.name} (${x.kind})`).join(', ') + ' — not installed unless --extra NAME');
  for (const w of [...f.notFound, ...f.warnings]) process.stdout.write(`  ${c.yellow('!')} ${w}\n`);
}

/** `--explain`: every choice, its value and reason, and under it each project line that decided it (`file:line  text`). */
function printDecisions(plan: Plan): void {
  const c = palette(process.stdout);
  process.stdout.write(`\n${c.bold('Choices, and the lines that decided them')}\n`);
  for (const d of plan.decisions) {
    process.stdout.write(`  ${d.choice}: ${c.bold(d.value)} — ${d.because}\n`);
    for (const e of d.at) process.stdout.write(`      ${c.dim(e.line > 0 ? `${e.file}:${e.line}` : e.file)}${e.text ? `  ${e.text}` : ''}\n`);
  }
}

async function buildCmd(args: ParsedArgs): Promise<number> {
  const fmt = format(args, ['text', 'json'] as const, 'text');
  if (args.positionals.length > 0) throw new UsageError(`Unexpected argument '${args.positionals[0]}'; name the project with --dir.`);
  const dir = projectDir(args);
  const base = option(args, 'base-image');
  if (base !== undefined && !parseImage(base)) throw new UsageError(`--base-image '${base}' is not a valid image reference.`);
  const tag = option(args, 'tag') ?? defaultTag(dir);
  if (!parseImage(tag)) throw new UsageError(`--tag '${tag}' is not a valid image reference.`);
  const emit = (e: BuildEvent | { type: 'verify'; exitCode: number; output: string }) => {
    if (fmt === 'json') process.stdout.write(`${JSON.stringify(e)}\n`);
    else if (e.type === 'step') process.stdout.write(`${palette(process.stdout).bold(e.text)}\n`);
    else if (e.type === 'log') process.stdout.write(`${e.text}\n`);
    else if (e.type === 'done') process.stdout.write(`${palette(process.stdout).green('✓')} built ${e.image}${e.id ? ` (${e.id.slice(0, 19)})` : ''}\n`);
    else if (e.type === 'verify') process.stdout.write(e.output);
  };
  const cfg = readBuildConfig(dir);
  if (!cfg.ok) {
    process.stderr.write(`mlops devcontainer build: ${cfg.error}\n`);
    return 2;
  }
  const docker = connectDocker();
  const up = await engineReachable(docker);
  if (!up.ok) {
    process.stderr.write(`mlops devcontainer build: ${up.error}\n`);
    return 2;
  }
  // Ctrl-C (or the extension's cancel) aborts the build request; the engine stops the build.
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const built = await buildImage(docker, {
      dir,
      tag,
      ...(base ? { baseImage: base } : {}),
      ...(option(args, 'network') ? { network: option(args, 'network')! } : {}),
      signal: abort.signal,
      onEvent: emit,
    });
    if (!built.ok) {
      process.stderr.write(`mlops devcontainer build: ${built.error}\n`);
      return abort.signal.aborted ? 130 : 1;
    }
    if (!flag(args, 'verify')) return 0;
    let output = '';
    const check = await runPostCreate(docker, built.value.image, cfg.value, dir, (text) => (output += text), option(args, 'network')).catch((e: Error) => ({
      ok: false as const,
      error: e.message,
    }));
    if (!check.ok) {
      process.stderr.write(`mlops devcontainer build: could not run the postCreate check: ${check.error}\n`);
      return 1;
    }
    emit({ type: 'verify', exitCode: check.value.exitCode, output });
    if (check.value.exitCode !== 0) {
      process.stderr.write(`mlops devcontainer build: the postCreate check failed in ${built.value.image} (exit ${check.value.exitCode}); its output is above.\n`);
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `mlops-dev/<folder>:latest`, with the folder name made a valid repository component. */
export function defaultTag(dir: string): string {
  const name =
    path
      .basename(path.resolve(dir))
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'project';
  return `mlops-dev/${name}:latest`;
}
