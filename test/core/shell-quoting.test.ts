import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { interpolateCommand, referenceContexts, type ShellDialect } from '../../core/src/index';
import { mulberry32 } from './helpers';

const SHELLS: Record<ShellDialect, string | undefined> = {
  bash: ['/bin/bash', '/usr/bin/bash'].find((b) => fs.existsSync(b)),
  sh: ['/bin/sh'].find((b) => fs.existsSync(b)),
};

/** Values an attacker or an unlucky user would pass as a string param. */
const HOSTILE = [
  '"; touch pwned; "',
  "'; touch pwned; '",
  '$(touch pwned)',
  '`touch pwned`',
  '\\',
  '\\"',
  "'",
  "it's",
  'a\nb',
  '\n',
  '$HOME',
  '${HOME}',
  '*',
  '~',
  '!x',
  '{a,b}',
  '',
  ' ',
  'a  b',
  '-n',
  'EOF',
  '#',
  ')',
  'é ✓ 日本',
];

/** Random text over every character from U+0001 to U+00FF plus a few multibyte ones. */
function randomValue(rnd: () => number): string {
  const pool = [...Array.from({ length: 255 }, (_, i) => String.fromCharCode(i + 1)), 'é', '✓', '日', "'", '"', '\\', '$', '`', '\n'];
  const n = Math.floor(rnd() * 24);
  let s = '';
  for (let i = 0; i < n; i++) s += pool[Math.floor(rnd() * pool.length)];
  return s;
}

/** A command with one reference, and what the shell must print for value `v`. */
interface Template {
  name: string;
  command: string;
  expect: (v: string) => string;
  /** Only values without a line break (here-documents refuse those). */
  oneLine?: boolean;
  dialects: ShellDialect[];
}

const TEMPLATES: Template[] = [
  { name: 'unquoted word', command: "printf '%s|' ${{ params.m }} end", expect: (v) => `${v}|end|`, dialects: ['bash', 'sh'] },
  { name: 'double quotes', command: `printf '%s' "<\${{ params.m }}>"`, expect: (v) => `<${v}>`, dialects: ['bash', 'sh'] },
  { name: 'single quotes', command: "printf '%s' '<${{ params.m }}>'", expect: (v) => `<${v}>`, dialects: ['bash', 'sh'] },
  { name: "$'…' quotes", command: "printf '%s' $'<${{ params.m }}>'", expect: (v) => `<${v}>`, dialects: ['bash'] },
  {
    name: '$( ) inside double quotes',
    command: `printf '%s' "$(printf '%s.' "\${{ params.m }}" \${{ params.m }})"`,
    expect: (v) => `${v}.${v}.`,
    dialects: ['bash', 'sh'],
  },
  // `read` rather than cat: a builtin, so that hundreds of cases need no fork each.
  { name: 'here-document', command: 'IFS= read -r x <<EOF\n<${{ params.m }}>\nEOF\nprintf \'%s\' "$x"', expect: (v) => `<${v}>`, oneLine: true, dialects: ['bash', 'sh'] },
  {
    name: 'quoted here-document',
    command: "IFS= read -r x <<'EOF'\n<${{ params.m }}>\nEOF\nprintf '%s' \"$x\"",
    expect: (v) => `<${v}>`,
    oneLine: true,
    dialects: ['bash', 'sh'],
  },
  { name: 'comment', command: 'printf ok # ${{ params.m }}\nprintf "|%s" after', expect: () => 'ok|after', dialects: ['bash', 'sh'] },
];

describe('core: string params are quoted for the shell', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-quote-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds the context of each reference: words, quotes, $( ), backquotes, comments, here-documents', () => {
    const m = '${{ params.m }}';
    assert.deepEqual(referenceContexts(`echo ${m} "${m}" '${m}' $'${m}'`), ['plain', 'double', 'single', 'ansi']);
    // dash and busybox ash read $'…' differently: for sh, what follows it is uncertain.
    assert.deepEqual(referenceContexts(`echo ${m} "${m}" '${m}' $'${m}' ${m}`, 'sh'), ['plain', 'double', 'single', 'sh-ansi', 'sh-ansi']);
    assert.deepEqual(referenceContexts(`echo "$(echo "${m}" ${m} \\"${m})" ${m}`), ['double', 'plain', 'plain', 'plain']);
    assert.deepEqual(referenceContexts(`echo \`${m}\` "a \\" ${m}" \\' ${m}`), ['backtick', 'double', 'plain']);
    assert.deepEqual(referenceContexts(`echo a#${m} # ${m}\necho ${m}`), ['plain', 'comment', 'plain']);
    assert.deepEqual(referenceContexts(`cat <<-"E" <<F\n\t${m}\n\tE\n${m}\nF\necho ${m}`), ['literal-heredoc', 'heredoc', 'plain']);
    assert.deepEqual(referenceContexts(`x=$(case a in a) echo ${m};; esac); ${m}`), ['unknown', 'unknown']);
    assert.deepEqual(referenceContexts(`cat <<$END\n${m}\n$END\necho ${m}`), ['heredoc-unknown', 'heredoc-unknown']);
    assert.deepEqual(referenceContexts(`echo $((1 + 2)) ${m} $( (echo) ) ${m}`), ['plain', 'plain']);
  });

  it('remembers contexts per dialect: the same command asked for under bash and sh gets each its own', () => {
    const command = "echo ${{ params.m }} $'${{ params.m }}' ${{ params.m }}";
    assert.deepEqual(referenceContexts(command, 'bash'), ['plain', 'ansi', 'plain']);
    assert.deepEqual(referenceContexts(command, 'sh'), ['plain', 'sh-ansi', 'sh-ansi']);
    assert.deepEqual(referenceContexts(command, 'bash'), ['plain', 'ansi', 'plain']);
    assert.deepEqual(referenceContexts(command), ['plain', 'ansi', 'plain']);
  });

  for (const dialect of ['bash', 'sh'] as const) {
    it(`${dialect}: every template prints the value exactly, for hostile and 300 random values, and nothing else runs`, function () {
      const shell = SHELLS[dialect];
      if (!shell) this.skip();
      const rnd = mulberry32(0x5eed12b);
      const values = [...HOSTILE, ...Array.from({ length: 300 }, () => randomValue(rnd))];
      const marker = `--${rnd().toString(36).slice(2)}--`;
      let checked = 0;
      for (const t of TEMPLATES.filter((x) => x.dialects.includes(dialect))) {
        // One shell per template: each value's command in a group, the outputs split by a marker.
        const cases: { value: string; command: string }[] = [];
        for (const v of values) {
          const r = interpolateCommand(t.command, (parts) => (parts[1] === 'm' ? { text: v, quote: true } : undefined), dialect);
          if (t.oneLine && v.includes('\n')) {
            assert.equal(r.ok, false, `${t.name}: ${JSON.stringify(v)} must be refused`);
            continue;
          }
          assert.ok(r.ok, `${t.name}: ${JSON.stringify(v)} was refused`);
          cases.push({ value: v, command: r.command });
        }
        const script = cases.map((c) => `{\n${c.command}\n}\nprintf '%s' '${marker}'\n`).join('');
        const out = spawnSync(shell!, ['-c', script], { cwd: dir, encoding: 'utf8' });
        const got = out.stdout.split(marker);
        cases.forEach((c, i) => {
          assert.equal(got[i], t.expect(c.value), `${dialect} ${t.name} with ${JSON.stringify(c.value)}: ran ${JSON.stringify(c.command)} (stderr ${out.stderr.slice(0, 500)})`);
          checked++;
        });
      }
      assert.equal(fs.existsSync(path.join(dir, 'pwned')), false, 'an injected command ran');
      assert.ok(checked > 2000, `only ${checked} cases ran`);
    });
  }

  it('pastes inert values as they are, and leaves unquoted values (numbers, paths) alone', () => {
    const r = interpolateCommand('run ${{ params.a }} "${{ params.b }}" ${{ tasks.x.outputs.y }}', (parts) =>
      parts[0] === 'params' ? { text: parts[1] === 'a' ? 'data/x-1.csv' : 'a b', quote: true } : { text: 'out dir/$x', quote: false },
    );
    assert.deepEqual(r, { ok: true, command: 'run data/x-1.csv "a b" out dir/$x' });
  });

  it('refuses a value with shell characters inside backquotes or after a case statement in $( ), naming the reference', () => {
    const resolve = () => ({ text: 'a;b', quote: true });
    assert.deepEqual(interpolateCommand('echo `${{ params.m }}`', resolve), { ok: false, error: { expr: 'params.m', context: 'backtick' } });
    assert.deepEqual(interpolateCommand('$(case x in x) ${{params.m}};; esac)', resolve), { ok: false, error: { expr: 'params.m', context: 'unknown' } });
    // An inert value is fine anywhere.
    assert.deepEqual(
      interpolateCommand('echo `${{ params.m }}`', () => ({ text: 'ab', quote: true })),
      { ok: true, command: 'echo `ab`' },
    );
  });
});
