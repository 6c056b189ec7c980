#!/usr/bin/env node
/**
 * The `purview` command (the package's `bin`): `purview test FILE...` runs policy test files.
 * See `cli.ts` for the commands and exit codes.
 */
import { writeSync } from 'node:fs';
import { runCli } from './cli.js';

/** The exit status of a command whose reader went away (as a shell reports a writer killed by SIGPIPE). */
const EXIT_BROKEN_PIPE = 141;

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to `fd` before returning: output is never queued in memory, so a slow
 * reader (a pager, a CI step) slows the command instead of growing it, and a long report streams.
 * A reader that went away (`purview diff | head`) ends the command quietly.
 */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 2); // a non-blocking pipe that is full: wait for the reader
        continue;
      }
      if (code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
      throw e;
    }
  }
}

process.exitCode = runCli(process.argv.slice(2), {
  stdout: (text) => writeAll(1, text),
  stderr: (text) => writeAll(2, text),
});
