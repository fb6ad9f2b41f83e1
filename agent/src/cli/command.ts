/** One `mlops` sub-command. `run` returns the exit code (or a promise of it). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): number | Promise<number>;
}
