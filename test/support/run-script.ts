import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, where scripts are run from. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a script printed, how it ended, and how long it took. */
export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs a TypeScript script of the repository (`examples/x/main.ts`) with tsx in a child process from
 * the root, as its header says to run it, killing it after `timeoutMs`.
 */
export function runScript(script: string, args: readonly string[] = [], timeoutMs = 90_000): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}
