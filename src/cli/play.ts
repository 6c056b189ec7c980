import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { displayText, quoteText } from '../render/escape.js';
import type { CliIO } from './io.js';
import { bundlePlayground } from './play-bundle.js';
import type { PlayPayload } from './play-payload.js';
import { isBarePolicy, MAX_JSON_FILE_BYTES, readTestDocument, validateTestFile } from './test-file.js';

/*
 * `purview play FILE`: a local page over a policy or test file (src/play runs the library in the
 * browser), served on a loopback address only; `--build DIR` writes the same page as static files.
 */

export const PLAY_USAGE = `Usage: purview play FILE [--port N] [--host 127.0.0.1]
       purview play --build DIR FILE

Serves a page over a policy file or a test file (YAML or JSON): the graph of tenants, roles and
groups, a check form with the decision and its paths, whoCan and groupsOf, a user's filter as SQL,
the file's assertions with pass/fail, and an editor whose changes update all of it. The page runs
purview itself; edits stay in the page (the file is never written). Reload to read the file again.

Options:
  -p, --port N      the port (default 4747; 0 picks a free one)
      --host HOST   a loopback address: 127.0.0.1 (the default), localhost or ::1
      --build DIR   write the page (index.html, app.js, policy.json) to DIR instead of serving it
  -h, --help        show this help

Exit status: 0 served (until stopped) or built, 1 the server could not start, 2 a usage error.
`;

/** The default port of `purview play`. */
export const DEFAULT_PLAY_PORT = 4747;

const LOOPBACK_NAMES = new Set(['localhost', '::1', '[::1]']);

/** Whether `host` is a loopback address (127.0.0.0/8, ::1 or localhost). */
export function isLoopback(host: string): boolean {
  if (LOOPBACK_NAMES.has(host.toLowerCase())) return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

/**
 * The page's view of `path`, read now: a bare policy (the file's text in the editor), a test file
 * (its policy as YAML in the editor, the whole document for resources and assertions), or a file
 * that did not load, with the loader's message.
 */
export function playPayload(path: string, label = path): PlayPayload {
  const format = /\.json$/i.test(path) ? 'json' : 'yaml';
  let raw = '';
  try {
    if (statSync(path).size <= MAX_JSON_FILE_BYTES) {
      raw = readFileSync(path, 'utf8');
      if (raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
    }
  } catch {
    // the loader below says why
  }
  try {
    const doc = readTestDocument(path);
    if (isBarePolicy(doc)) return { file: label, kind: 'policy', text: raw, format };
    const test = validateTestFile(doc, label);
    return { file: label, kind: 'test', text: stringify(test.policy, { lineWidth: 0 }), format: 'yaml', document: doc };
  } catch (e) {
    return { file: label, kind: 'broken', text: raw, format, error: displayText(e instanceof Error ? e.message : String(e)) };
  }
}

/** The page's HTML: relative URLs, so that a static build works from any folder. */
export const PLAY_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>purview play</title>
<link rel="icon" href="data:,">
</head>
<body>
<div id="app">Loading the playground…</div>
<script type="module" src="app.js"></script>
</body>
</html>
`;

/** The page script: prebuilt next to the CLI in the package (dist/play/app.js), else bundled from src/play. */
export function playScript(): string {
  const prebuilt = new URL('../play/app.js', import.meta.url);
  if (existsSync(prebuilt)) return readFileSync(prebuilt, 'utf8');
  const entry = fileURLToPath(new URL('../play/main.ts', import.meta.url));
  if (!existsSync(entry)) throw new Error(`the playground's script is missing (${fileURLToPath(prebuilt)}); rebuild the package`);
  return bundlePlayground(entry);
}

/** Writes the static page over `file` to `dir`: index.html, app.js and policy.json. */
export function buildPlayground(file: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), PLAY_HTML);
  writeFileSync(join(dir, 'app.js'), playScript());
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(playPayload(file, basename(file))));
}

/** A running playground server. */
export interface Playground {
  /** The page's address, e.g. `http://127.0.0.1:4747/`. */
  readonly url: string;
  /** Stops the server. */
  close(): Promise<void>;
}

const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // the page and its script from this server only; the page sets style attributes and one <style>
  'content-security-policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
} as const;

/**
 * Serves the playground over `file` on a loopback `host` (default 127.0.0.1) and `port` (default
 * 4747; 0 for a free one). `/policy.json` reads the file anew on each request. Requests whose
 * `Host` header is not a loopback name are refused (no DNS rebinding).
 */
export function startPlayground(options: { readonly file: string; readonly host?: string; readonly port?: number }): Promise<Playground> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) return Promise.reject(new Error(`host ${quoteText(host)} is not a loopback address`));
  let script: string;
  try {
    script = playScript();
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
  const send = (res: ServerResponse, status: number, type: string, body: string): void => {
    res.writeHead(status, { ...HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!isLoopback(hostHeader)) return send(res, 403, 'text/plain; charset=utf-8', 'purview play answers on loopback names only\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'GET only\n');
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') return send(res, 200, 'text/html; charset=utf-8', PLAY_HTML);
    if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', script);
    if (path === '/policy.json') return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(playPayload(options.file)));
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PLAY_PORT, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port ?? DEFAULT_PLAY_PORT;
      const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
      resolvePromise({
        url: `http://${shown}:${port}/`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** `purview play ...`: parses `argv` (the arguments after `play`); serves (returning at once) or builds. */
export function runPlay(argv: readonly string[], io: CliIO): number {
  const usage = (message: string): number => {
    io.stderr(`purview play: ${displayText(message)}\n\n${PLAY_USAGE}`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { port: { type: 'string', short: 'p' }, host: { type: 'string' }, build: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  if (parsed.values.help === true) {
    io.stdout(PLAY_USAGE);
    return 0;
  }
  const files = parsed.positionals;
  if (files.length !== 1) return usage(files.length === 0 ? 'play needs a FILE' : 'play takes one FILE');
  const file = files[0] as string;
  const host = parsed.values.host ?? '127.0.0.1';
  if (!isLoopback(host)) return usage(`--host ${quoteText(host)} is not a loopback address; the playground is served to this machine only (127.0.0.1, localhost or ::1)`);
  let port = DEFAULT_PLAY_PORT;
  if (parsed.values.port !== undefined) {
    const p = parsed.values.port;
    if (!/^\d{1,5}$/.test(p) || Number(p) > 65535) return usage(`--port ${quoteText(p)}: expected a port number from 0 to 65535`);
    port = Number(p);
  }
  if (parsed.values.build !== undefined) {
    if (parsed.values.port !== undefined || parsed.values.host !== undefined) return usage('--build writes files; it takes no --port or --host');
    try {
      buildPlayground(file, parsed.values.build);
    } catch (e) {
      io.stderr(`purview play: ${displayText((e as Error).message)}\n`);
      return 1;
    }
    io.stdout(`purview play: wrote the page over ${displayText(file)} to ${displayText(parsed.values.build)}\n`);
    return 0;
  }
  startPlayground({ file, host, port }).then(
    (p) => io.stdout(`purview play: serving ${displayText(file)} at ${p.url} (Ctrl-C stops)\n`),
    (e: unknown) => {
      io.stderr(`purview play: cannot serve: ${displayText(e instanceof Error ? e.message : String(e))}\n`);
      process.exitCode = 1;
    },
  );
  return 0;
}
