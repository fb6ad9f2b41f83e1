import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The bash program that forks local tasks. Forking from the agent's Node process costs
 * about a millisecond of its main thread per task (the kernel copies the page tables of a
 * ~50 MB process) — more than make needs to run a no-op task. Forking from a small bash is
 * a fraction of that and runs beside the agent instead of blocking it.
 *
 * One such process runs one task at a time, and the agent keeps as many as it has tasks
 * running (see Launcher): each task is forked straight into a process group of its own and
 * becomes its command (exec), and the same bash waits for it and reports its status. A
 * bash that had to go on reading requests while its tasks ran could not wait for them, so
 * each task would need a bash wrapper of its own to wait and report: a second fork per
 * task, which costs about as much as the task's own fork on this kind of machine.
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
set -f  # no globbing when requests are split into fields

# The launcher reads and splits requests byte by byte, in the C locale: in a UTF-8 locale
# bash spent about a tenth of the launcher's time on setlocale() around every read and on
# multibyte-aware splitting. LC_ALL as the agent got it goes back to each task (if it was not
# set, this one is not exported and no task sees it).
[[ -v LC_ALL ]] && lc_all=$LC_ALL
LC_ALL=C

# The task's process: it enters the working directory, takes its environment and becomes
# the command. true and false run as the builtins they also are (what a wrapper bash did
# before): a no-op task needs no program loaded.
task() {
  set +f
  [[ -v lc_all ]] && LC_ALL=$lc_all
  if ! cd -- "$dir" 2>/dev/null; then
    printf 'mlops: cannot enter the working directory %s\n' "$dir"
    exit 127
  fi
  ((\${#envs[@]})) && export "\${envs[@]}"
  case \${argv[0]} in
    true | false) "\${argv[@]}" ;;
    *) exec "\${argv[@]}" ;;
  esac
}

while IFS= read -r -N 8 len && IFS= read -r -N "$((10#$len))" req; do
  IFS=$'\x1f' f=($req)
  if [[ $req == *$'\x1e'* ]]; then  # escaped separators: 1e 31 is 1f, then 1e 30 is 1e
    f=("\${f[@]//$'\x1e'1/$'\x1f'}")
    f=("\${f[@]//$'\x1e'0/$'\x1e'}")
  fi
  key=\${f[0]} dir=\${f[1]} log=\${f[2]} argc=\${f[3]}
  argv=("\${f[@]:4:argc}")
  envs=("\${f[@]:4+argc}")
  # Job control only for the fork, which puts the task in a process group of its own; off
  # while waiting, so a stopped task is waited for until it ends, not reported as ended.
  set -m
  task </dev/null >>"$log" 2>&1 &
  pid=$!
  set +m
  printf 'P %s %d\n' "$key" "$pid"
  wait "$pid"
  printf 'X %s %d\n' "$key" "$?"
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
  runner: Runner | null;
}

/** One bash launcher process; it runs one task at a time. */
interface Runner {
  child: ChildProcess;
  /** The task it runs, until that task's end is reported. */
  busy: Waiting | null;
  partial: string;
}

/**
 * The bash launcher processes of an executor: one per task running at once, each started on
 * first need (so a run of N tasks at a time has N of them) and reused for the next task once
 * its task has ended; one that dies is replaced.
 */
export class Launcher {
  private readonly runners: Runner[] = [];
  private readonly waiting = new Map<string, Waiting>();
  private nextKey = 0;
  /** Requests not yet sent, with their framing. */
  private queued: { w: Waiting; data: string }[] = [];

  /** `onSpawn` runs with each launcher process's pid right after it starts, before it is sent anything (so before it forks). */
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
    const w: Waiting = { listener, runner: null };
    this.waiting.set(key, w);
    this.queued.push({ w, data: String(Buffer.byteLength(body)).padStart(8, '0') + body });
    return null;
  }

  /** The pids of the launcher processes running now. */
  get pids(): number[] {
    return this.runners.flatMap((r) => (r.child.pid === undefined ? [] : [r.child.pid]));
  }

  /** Ends the launcher processes once idle; tasks already started still report their ends. */
  close(): void {
    for (const r of this.runners) r.child.stdin?.end();
    this.runners.length = 0;
  }

  /** Sends each queued request to an idle launcher process (one started if none is). */
  flush(): void {
    for (const q of this.queued.splice(0)) {
      const runner = this.runners.find((r) => r.busy === null) ?? this.spawn();
      runner.busy = q.w;
      q.w.runner = runner;
      runner.child.stdin!.write(q.data);
    }
  }

  private spawn(): Runner {
    // Detached: a session of its own, so a Ctrl-C in the terminal reaches the agent (which
    // decides what to stop), not the launcher or the tasks.
    const child = spawn(this.bash, ['-c', SCRIPT, 'mlops-launcher'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    const runner: Runner = { child, busy: null, partial: '' };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.read(runner, chunk));
    // The launcher process is gone (its task, which writes elsewhere, does not hold the
    // pipe): a task sent to it that has not reported its end never will.
    child.stdout!.once('close', () => this.orphaned(runner));
    child.stdin!.on('error', () => undefined);
    child.once('error', () => undefined);
    this.runners.push(runner);
    if (child.pid !== undefined) this.onSpawn?.(child.pid);
    return runner;
  }

  private orphaned(runner: Runner): void {
    const i = this.runners.indexOf(runner);
    if (i !== -1) this.runners.splice(i, 1);
    for (const [key, w] of this.waiting) {
      if (w.runner !== runner) continue;
      this.waiting.delete(key);
      w.listener.lost('the launcher process ended before the task reported how it ended');
    }
  }

  private read(runner: Runner, chunk: string): void {
    const text = runner.partial + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.line(runner, text.slice(start, nl));
      start = nl + 1;
    }
    runner.partial = text.slice(start);
  }

  private line(runner: Runner, line: string): void {
    const [kind, key, value] = line.split(' ');
    const w = this.waiting.get(key!);
    if (!w) return;
    if (kind === 'P') w.listener.started(Number(value));
    else if (kind === 'X') {
      this.waiting.delete(key!);
      // Free for the next task before anyone hears of this one's end (which may launch it).
      if (runner.busy === w) runner.busy = null;
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
