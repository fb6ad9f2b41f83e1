/**
 * The CLI's output when its reader goes away (`mlops … | head`): the pipe closes, writes fail
 * with EPIPE, and Node would end the process with a stack trace. Instead output is dropped
 * quietly from then on; commands that stream (`runs logs`) stop, and a run carries on to its
 * end with nothing lost but the lines nobody reads.
 */

let closed = false;

/** Whether stdout's reader has gone. */
export function outputClosed(): boolean {
  return closed;
}

/** Installs the handlers once, at start-up. */
export function guardOutput(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') {
      process.stderr.write(`mlops: the output could not be written (${e.code ?? e.message}); nothing more is printed.\n`);
    }
  });
  // Nowhere left to say anything: stay quiet.
  process.stderr.on('error', () => undefined);
}

/**
 * Writes to stdout and resolves once the bytes are handed to the system, so a fast producer
 * never queues more than one chunk for a slow reader; false once the reader has gone.
 */
export function writeOut(data: Uint8Array | string): Promise<boolean> {
  if (closed) return Promise.resolve(false);
  return new Promise((resolve) => {
    process.stdout.write(data, (err) => resolve(!err && !closed));
  });
}
