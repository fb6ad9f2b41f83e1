import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The bash program that forks local tasks. Forking from the agent's Node process costs
 * about a millisecond of its main thread per task (the kernel copies the page tables of a
 * ~50 MB process) — more than make needs to run a no-op task. Forking from a small bash is
 * a fraction of that and runs beside the agent instead of blocking it.
 *
 * Requests on stdin, one per task: an 8-digit byte length, then that many bytes of fields,
 * each ended by U+001F: key, workdir, log file, argc, argv…, NAME=value…. A length prefix
 * lets bash read a request in two read() calls instead of one per byte. Fields may hold any
 * byte but NUL (no process can receive NUL in an argument, path or environment value, and a
 * bash variable cannot hold one; `launch` refuses it): U+001E and U+001F inside a field are
 * sent as U+001E '0' and U+001E '1', and decoded only in requests that contain U+001E.
 * Replies on stdout, one line each: `P key pgid` once the task has started, `X key status`
 * when it has ended (status as bash reports it: 128+n after signal n).
 */
const SCRIPT = `
set -m  # job control: each task runs in a process group of its own, led by its wrapper
set -f  # no globbing when requests are split into fields

# The launcher reads and splits requests byte by byte, in the C locale: in a UTF-8 locale
# bash spent about a tenth of the launcher's time on setlocale() around every read and on
# multibyte-aware splitting. LC_ALL as the agent got it goes back to each task (if it was not
# set, this one is not exported and no task sees it).
[[ -v LC_ALL ]] && lc_all=$LC_ALL
LC_ALL=C

# The wrapper: survives SIGTERM/SIGINT/SIGHUP sent to its group, so that it can report how
# the task ended; the task itself gets them with their default action.
wrapper() {
  trap : TERM INT HUP
  set +f
  [[ -v lc_all ]] && LC_ALL=$lc_all
  if cd -- "$dir"; then  # its complaint goes where the launcher's stderr goes: nowhere
    ((\${#envs[@]})) && export "\${envs[@]}"
    "\${argv[@]}" </dev/null >>"$log" 2>&1
    printf 'X %s %d\\n' "$key" "$?"
  else
    printf 'mlops: cannot enter the working directory %s\\n' "$dir" >>"$log"
    printf 'X %s 127\\n' "$key"
  fi
}

while IFS= read -r -N 8 len && IFS= read -r -N "$((10#$len))" req; do
  IFS=$'\\x1f' f=($req)
  if [[ $req == *$'\\x1e'* ]]; then  # escaped separators: 1e 31 is 1f, then 1e 30 is 1e
    f=("\${f[@]//$'\\x1e'1/$'\\x1f'}")
    f=("\${f[@]//$'\\x1e'0/$'\\x1e'}")
  fi
  key=\${f[0]} dir=\${f[1]} log=\${f[2]} argc=\${f[3]}
  argv=("\${f[@]:4:argc}")
  envs=("\${f[@]:4+argc}")
  wrapper &
  printf 'P %s %d\\n' "$key" "$!"
  disown  # out of the job table: no bookkeeping or notices for jobs we never wait for here
done 2>/dev/null
`;

const SEP = '\x1f';
const ESC = '\x1e';
// eslint-disable-next-line no-control-regex -- it looks for control characters on purpose
const ESCAPES = /[\x1e\x1f]/g;

/** A request field as the launcher reads it: separators escaped, then the terminator. */
function field(f: string): string {
  return (f.includes(SEP) || f.includes(ESC) ? f.replace(ESCAPES, (c) => (c === ESC ? `${ESC}0` : `${ESC}1`)) : f) + SEP;
}

/** What one launched process reports. */
export interface LaunchListener {
  started(pgid: number): void;
  ended(status: number): void;
  /** The launcher went away before the task reported its end (it may never have started). */
  lost(reason: string): void;
}

export interface LaunchRequest {
  workdir: string;
  log: string;
  argv: string[];
  env: Record<string, string>;
}

/** The reason a request cannot be passed to a process, or null. */
export function unlaunchable(req: LaunchRequest): string | null {
  const nul = (s: string) => s.includes('\0');
  if (req.argv.some(nul)) return 'its command contains a NUL character, which no process can receive; remove it';
  for (const [k, v] of Object.entries(req.env)) {
    if (nul(k) || nul(v) || k.includes('=') || k === '') return `its environment variable ${JSON.stringify(k)} holds a NUL character or has an invalid name; remove it`;
  }
  if (nul(req.workdir) || nul(req.log)) return 'its working directory or log path contains a NUL character; remove it';
  return null;
}

/** A launched task the launcher has not yet reported the end of, and which launcher process has it. */
interface Waiting {
  listener: LaunchListener;
  child: ChildProcess | null;
}

/** One bash launcher process, started on first use and restarted if it dies. */
export class Launcher {
  private child: ChildProcess | null = null;
  private readonly waiting = new Map<string, Waiting>();
  private nextKey = 0;
  private pending = '';
  /** The requests in `pending`: they go to whichever process `flush` writes to. */
  private queued: Waiting[] = [];
  private partial = '';

  /** `onSpawn` runs with the launcher's pid right after it starts, before it is sent anything (so before it forks). */
  constructor(
    private readonly bash: string,
    private readonly onSpawn?: (pid: number) => void,
  ) {}

  /**
   * Queues a task; `flush` sends what is queued. Returns null when queued, else why the
   * request cannot be passed to a process (a NUL character), and nothing is queued.
   */
  launch(req: LaunchRequest, listener: LaunchListener): string | null {
    const refused = unlaunchable(req);
    if (refused) return refused;
    const key = String(this.nextKey++);
    let body = field(key) + field(req.workdir) + field(req.log) + field(String(req.argv.length));
    for (const a of req.argv) body += field(a);
    for (const k in req.env) body += field(`${k}=${req.env[k]}`);
    const w: Waiting = { listener, child: null };
    this.waiting.set(key, w);
    this.queued.push(w);
    this.pending += String(Buffer.byteLength(body)).padStart(8, '0') + body;
    return null;
  }

  /** Ends the launcher once idle; tasks already started keep reporting through their wrappers. */
  close(): void {
    this.child?.stdin?.end();
    this.child = null;
  }

  /** Sends the queued requests in one write. */
  flush(): void {
    if (this.pending === '') return;
    const data = this.pending;
    const child = this.process();
    for (const w of this.queued) w.child = child;
    this.pending = '';
    this.queued = [];
    child.stdin!.write(data);
  }

  private process(): ChildProcess {
    if (this.child) return this.child;
    // Detached: a session of its own, so a Ctrl-C in the terminal reaches the agent (which
    // decides what to stop), not the launcher or the tasks.
    const child = spawn(this.bash, ['-c', SCRIPT, 'mlops-launcher'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.read(chunk));
    // Every writer of the pipe — the launcher and each wrapper it forked — is gone: a task
    // sent to this process that has not reported its end never will.
    child.stdout!.once('close', () => this.orphaned(child));
    child.stdin!.on('error', () => undefined);
    child.once('error', () => undefined);
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    this.child = child;
    if (child.pid !== undefined) this.onSpawn?.(child.pid);
    return child;
  }

  private orphaned(child: ChildProcess): void {
    for (const [key, w] of this.waiting) {
      if (w.child !== child) continue;
      this.waiting.delete(key);
      w.listener.lost('the launcher process ended before the task reported how it ended');
    }
  }

  private read(chunk: string): void {
    const text = this.partial + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
  }

  private line(line: string): void {
    const [kind, key, value] = line.split(' ');
    const w = this.waiting.get(key!);
    if (!w) return;
    if (kind === 'P') w.listener.started(Number(value));
    else if (kind === 'X') {
      this.waiting.delete(key!);
      w.listener.ended(Number(value));
    }
  }
}

const BASH_WORDS = new Set(
  `. : [ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo enable eval
   exec exit export fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read readarray
   readonly return set shift shopt source suspend test times trap type typeset ulimit umask unalias unset wait
   if then else elif fi case esac for select while until do done in function time coproc`.split(/\s+/),
);

/** Words made only of characters that mean nothing to bash. */
const PLAIN = /^[A-Za-z0-9_./,:@%+=-]+(?: +[A-Za-z0-9_./,:@%+=-]+)*$/;

/**
 * The argv `bash -c COMMAND` would run, when COMMAND is a plain list of words: no quotes,
 * expansions, globs, redirections or operators, not an assignment, and not a shell builtin
 * or keyword (`true` and `false` behave the same either way). Running those words directly
 * is what bash does after parsing them, minus the cost of starting bash — the shortcut GNU
 * make takes for simple recipe lines. Undefined when bash is needed.
 */
export function plainCommand(command: string, env: Record<string, string>): string[] | undefined {
  const trimmed = command.trim();
  // bash -c would first source $BASH_ENV.
  if (!PLAIN.test(trimmed) || (env.BASH_ENV ?? process.env.BASH_ENV)) return undefined;
  const argv = trimmed.split(/ +/);
  const first = argv[0]!;
  if (first.includes('=') || BASH_WORDS.has(first)) return undefined;
  return argv;
}
