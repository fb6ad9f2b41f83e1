/**
 * What happens to a container template between the manifest and the shell in the pod,
 * for tests: no cluster exists here, so the two substitutions are re-enacted from their
 * documented behaviour. Argo replaces each `{{tag}}` (up to the first `}}`) by a
 * parameter's value or an expression's result; then the kubelet expands `$(VAR)` from the
 * container's variables and reduces `$$` to `$` in args and env values.
 */
import { spawnSync } from 'node:child_process';
import type { TemplateDoc } from './helpers';

/** Argo's substitution; a tag it cannot resolve is an error, as for a submitted workflow. */
export function argoSubstitute(s: string, vars: Record<string, string>): string {
  let out = '';
  let i = 0;
  for (;;) {
    const open = s.indexOf('{{', i);
    if (open === -1) return out + s.slice(i);
    const close = s.indexOf('}}', open + 2);
    if (close === -1) throw new Error(`cannot find end tag "}}" in ${JSON.stringify(s)}`);
    out += s.slice(i, open);
    const tag = s.slice(open + 2, close);
    if (tag.startsWith('=')) {
      out += expression(tag.slice(1), vars);
    } else {
      const v = vars[tag.trim()];
      if (v === undefined) throw new Error(`failed to resolve {{${tag}}}`);
      out += v;
    }
    i = close + 2;
  }
}

/** The two kinds of expression the exporter writes: a string literal, and expr's replace(variable, 'old', 'new'). */
function expression(e: string, vars: Record<string, string>): string {
  const literal = /^'([^'\\]*)'$/.exec(e);
  if (literal) return literal[1]!;
  const replace = /^replace\(([\w.]+), '([^'\\]*)', '([^'\\]*)'\)$/.exec(e);
  if (replace) {
    const v = vars[replace[1]!];
    if (v === undefined) throw new Error(`failed to resolve ${replace[1]} in {{=${e}}}`);
    return v.split(replace[2]!).join(replace[3]!);
  }
  throw new Error(`unexpected expression {{=${e}}}`);
}

/** The kubelet's expansion of `$(NAME)` and `$$` (k8s.io/kubernetes third_party/forked/golang/expansion). */
export function kubeExpand(s: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '$' || i + 1 === s.length) {
      out += c;
      continue;
    }
    const next = s[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = s.indexOf(')', i + 2);
      if (close === -1) {
        out += '$(';
        i++;
        continue;
      }
      const name = s.slice(i + 2, close);
      out += vars.get(name) ?? `$(${name})`;
      i = close;
    } else {
      out += c + next;
      i++;
    }
  }
  return out;
}

/** The command and environment the pod's main container starts with. */
export function podProcess(t: TemplateDoc, vars: Record<string, string>): { argv: string[]; env: Map<string, string> } {
  const c = t.container!;
  const env = new Map<string, string>();
  // Each value may refer to the variables defined before it.
  for (const e of c.env) env.set(e.name, kubeExpand(argoSubstitute(e.value, vars), env));
  const argv = [...c.command, ...c.args].map((a) => kubeExpand(argoSubstitute(a, vars), env));
  return { argv, env };
}

/** Runs a command line in `cwd` with only `env` (plus PATH); returns stdout, failing on a non-zero exit. */
export function run(argv: string[], env: ReadonlyMap<string, string>, cwd: string): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...Object.fromEntries(env) }, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
