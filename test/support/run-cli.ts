import { runCli } from '../../src/cli/cli.js';

/** Runs the purview CLI in this process with captured streams: its exit code, stdout and stderr. */
export function cli(argv: readonly string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli([...argv], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}
