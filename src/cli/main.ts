#!/usr/bin/env node
/**
 * The `purview` command (the package's `bin`): `purview test FILE...` runs policy test files.
 * See `cli.ts` for the commands and exit codes.
 */
import { runCli } from './cli.js';

process.exitCode = runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
