import { guardOutput } from './util/output';
import { tierForCommand } from './util/tiering';

const argv = process.argv.slice(2);
guardOutput();
// Before any command's code runs hot (see tiering.ts).
tierForCommand(argv[0]);

// `mlops run` — what CI, scripts and the benchmarks call over and over — loads only its own
// code; every other command goes through the full command table.
const start: Promise<number> =
  argv[0] === 'run' ? Promise.all([import('./cli/run.js'), import('./cli/dispatch.js')]).then(([r, d]) => d.dispatch(r.runCommand, argv.slice(1))) : import('./cli/main.js').then((m) => m.main(argv));

start.then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mlops: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
