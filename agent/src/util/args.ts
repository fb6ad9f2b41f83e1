/** A small argv parser: `--flag`, `--key value`, `--key=value`, repeated keys, and positionals. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string[]>;
}

export class UsageError extends Error {}

/** A file or folder the command was given cannot be used: exit 2 with the message, no usage text. */
export class InputError extends Error {}

/** The options one command or sub-command accepts: `flags` take no value, `values` one. */
export interface ArgSpec {
  flags?: readonly string[];
  values?: readonly string[];
}

/** `a`, `a or b`, `a, b or c`: how a usage message lists choices. */
function choices(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * Picks the sub-command (argv's first word) and parses the rest against its own options, so
 * an option that sub-command does not take is refused. Every command words a missing or
 * unknown sub-command the same way.
 */
export function parseSubcommand<S extends string>(argv: readonly string[], specs: Record<S, ArgSpec>): { sub: S; args: ParsedArgs } {
  const [sub, ...rest] = argv;
  const names = Object.keys(specs) as S[];
  if (sub === undefined || sub.startsWith('-')) throw new UsageError(`Name a sub-command: ${choices(names)}.`);
  if (!names.includes(sub as S)) throw new UsageError(`Unknown sub-command '${sub}'; use ${choices(names)}.`);
  return { sub: sub as S, args: parseArgs(rest, specs[sub as S]) };
}

/**
 * Parses argv against the options a command accepts. `flags` take no value; `values` take
 * one (repeatable). Unknown options are a UsageError that names them.
 */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const flags = new Set(spec.flags ?? []);
  const values = new Set(spec.values ?? []);
  const out: ParsedArgs = { positionals: [], options: new Map() };
  const push = (k: string, v: string) => out.options.set(k, [...(out.options.get(k) ?? []), v]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq === -1 ? undefined : eq);
    if (flags.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value.`);
      push(name, 'true');
    } else if (values.has(name)) {
      const v = eq !== -1 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value.`);
      push(name, v);
    } else {
      const known = [...flags, ...values].map((k) => `--${k}`).join(', ');
      throw new UsageError(`Unknown option --${name}.${known ? ` Options: ${known}.` : ''}`);
    }
  }
  return out;
}

/** Refuses arguments a command does not take, which would otherwise be silently ignored. */
export function noExtra(extra: readonly string[], what: string): void {
  if (extra.length > 0) throw new UsageError(`Unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => `'${a}'`).join(' ')}: ${what}.`);
}

export function option(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return v?.[v.length - 1];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.has(name);
}

/** Reads `--format` and checks it against the allowed values. */
export function format<T extends string>(args: ParsedArgs, allowed: readonly T[], fallback: T): T {
  const f = option(args, 'format') ?? fallback;
  if (!(allowed as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${allowed.join(', ')}.`);
  return f as T;
}

/** Repeated `--NAME key=value` options as a record (the last value of a key wins). */
export function keyValues(args: ParsedArgs, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of args.options.get(name) ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${name} takes NAME=VALUE, not '${kv}'.`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}
