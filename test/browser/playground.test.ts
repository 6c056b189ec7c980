/*
 * `purview play` in a real browser. The server is the CLI itself (node_modules/.bin/tsx
 * src/cli/main.ts play FILE --port 0, listening on 127.0.0.1 on a free port, the page script
 * bundled from src/play by esbuild at start); the browser is the machine's headless Chromium
 * (/usr/bin/chromium, Debian's package; scripts/ensure-chromium.sh installs it) driven by
 * playwright-core, with a fresh profile. Skipped only when /usr/bin/chromium is absent.
 * Screenshots of the main views go to docs/images/playground-*.png (docs/playground.md shows them)
 * when PURVIEW_SCREENSHOTS=1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generateWorkload } from '../../bench/workload.js';
import { runCli } from '../../src/cli/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '..', '..');
const IMAGES = join(ROOT, 'docs', 'images');
const CRM = join(ROOT, 'test', 'scenarios', '003-crm-groups.yaml');

interface Served {
  readonly url: string;
  stop(): void;
}

const children: ChildProcess[] = [];

/** Starts `purview play FILE --port 0` and waits for the address it prints. */
function play(file: string): Promise<Served> {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src', 'cli', 'main.ts'), 'play', file, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m?.[1] !== undefined) resolve({ url: m[1], stop: () => child.kill() });
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`purview play exited (${String(code)}): ${err}`)));
  });
}

async function open(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  // nothing but the local server
  page.on('request', (r) => {
    if (!r.url().startsWith(url) && !r.url().startsWith('data:')) errors.push(`outside request: ${r.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-first-paint]', { timeout: 60_000 });
  expect(errors).toEqual([]);
  return page;
}

/**
 * A screenshot of a main view: always taken (so that the view renders), written to docs/images
 * only with PURVIEW_SCREENSHOTS=1 (`PURVIEW_SCREENSHOTS=1 npx vitest run test/browser/playground.test.ts`),
 * so that a test run leaves the working tree as it found it.
 */
async function shot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot();
  expect(png.length).toBeGreaterThan(1000);
  if (process.env.PURVIEW_SCREENSHOTS !== '1') return;
  mkdirSync(IMAGES, { recursive: true });
  writeFileSync(join(IMAGES, `playground-${name}.png`), png);
}

/** Replaces the editor's text (as typing would: one input event), then waits for the page to recompute. */
async function setPolicy(page: Page, text: string): Promise<void> {
  await page.fill('#editor', text);
  expect(await page.inputValue('#editor')).toBe(text);
  await page.waitForTimeout(600); // the editor's debounce (250 ms) and the recompute
}

describe.runIf(existsSync(CHROMIUM))('purview play in Chromium', () => {
  let browser: Browser;
  const tmp = mkdtempSync(join(tmpdir(), 'purview-play-'));

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    for (const c of children) c.kill();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('draws the CRM policy, checks with paths on the graph, runs the assertions, and follows an edited membership', async () => {
    const served = await play(CRM);
    try {
      const page = await open(browser, served.url);
      expect(await page.getAttribute('body', 'data-state')).toBe('ready');
      // 1 tenant, 6 roles, 5 groups, 8 users
      expect(await page.locator('svg.graph .node').count()).toBe(20);
      expect(await page.getAttribute('#tests', 'data-passed')).toBe('25');
      expect(await page.getAttribute('#tests', 'data-failed')).toBe('0');
      await shot(page, 'overview');

      // person-1 edits the activity Team A owns: allowed, through team-a
      await page.fill('#check-user', 'person-1');
      await page.selectOption('#check-record', 'activity-team-a');
      await page.selectOption('#check-action', 'edit');
      await page.click('#check-run');
      await expect.poll(() => page.getAttribute('#check-result', 'data-allowed')).toBe('true');
      expect(await page.textContent('#check-result')).toContain('is a member of the group that owns the record');
      expect(await page.locator('.node.hl[data-key="group:team-a"]').count()).toBe(1);
      expect(await page.locator('.node.hl[data-key="user:person-1"]').count()).toBe(1);
      expect(await page.locator('.node.hl[data-key="user:person-3"]').count()).toBe(0);
      expect(await page.locator('.edge.hl').count()).toBeGreaterThan(0);
      expect(await page.textContent('#sql-out')).toContain('"owner_group_id" = ANY(');
      await shot(page, 'check');
      await page.click('#whocan-run');
      expect(await page.textContent('#whocan-result')).toContain('person-1, person-2');

      // person-3 may not: not in team-a
      await page.fill('#check-user', 'person-3');
      await page.click('#check-run');
      await expect.poll(() => page.getAttribute('#check-result', 'data-allowed')).toBe('false');

      // groupsOf a selected user, highlighted
      await page.click('.node[data-key="user:person-4"]');
      const groups = await page.textContent('#groups-of');
      expect(groups).toContain('team-b');
      expect(groups).toContain('sales-and-marketing-all');
      expect(await page.locator('.node.hl[data-key="group:team-b"]').count()).toBe(1);
      await shot(page, 'selection');

      // edit a membership: person-3 joins team-a; the answer and the assertions follow
      const policy = parse(await page.inputValue('#editor')) as { groups: { id: string; members: { users?: string[] } }[] };
      const teamA = policy.groups.find((g) => g.id === 'team-a');
      teamA?.members.users?.push('person-3');
      await setPolicy(page, stringify(policy));
      await expect.poll(() => page.getAttribute('#check-result', 'data-allowed')).toBe('true');
      expect(await page.textContent('#check-result')).toContain('user "person-3" → member of group "team-a"');
      await page.click('#check-run'); // the decision's paths, rather than the selection's, on the graph
      expect(await page.locator('.node.hl[data-key="group:team-a"]').count()).toBe(1);
      expect(await page.locator('.node.hl[data-key="group:team-b"]').count()).toBe(0);
      expect(Number(await page.getAttribute('#tests', 'data-failed'))).toBe(2);
      expect(await page.textContent('#tests li.fail')).toContain('person-3');

      // a problem in the edit: shown with its line, nothing computed
      const bad = stringify(policy).replace('- person-3', '- nobody-at-all');
      await setPolicy(page, bad);
      expect(await page.getAttribute('body', 'data-state')).toBe('problems');
      const problems = await page.textContent('#problems');
      expect(problems).toContain('nobody-at-all');
      expect(problems).toMatch(/line \d+/);
      expect(await page.locator('svg.graph .node').count()).toBe(0);
      expect(await page.isDisabled('#check-run')).toBe(true);
      expect(await page.textContent('#graph-note')).toContain('Fix the problems');
      expect(await page.textContent('#selection')).toContain('Click a node');
      await shot(page, 'problems');
      await page.close();
    } finally {
      served.stop();
    }
  });

  it('opens a file that does not parse, with the error shown, and draws it once fixed in the page', async () => {
    const file = join(tmp, 'broken.yaml');
    writeFileSync(file, 'roles:\n  - { id: ceo\nusers: [\n');
    const served = await play(file);
    try {
      const page = await open(browser, served.url);
      expect(await page.textContent('#load-error')).toContain('broken.yaml did not load');
      expect(await page.getAttribute('body', 'data-state')).toBe('problems');
      expect(await page.textContent('#problems')).toMatch(/line \d+/);
      expect(await page.locator('svg.graph .node').count()).toBe(0);
      await setPolicy(page, 'roles:\n  - { id: ceo }\nusers:\n  - { id: ana, role: ceo }\n');
      expect(await page.getAttribute('body', 'data-state')).toBe('ready');
      expect(await page.locator('svg.graph .node').count()).toBe(3);
      expect(readFileSync(file, 'utf8')).toBe('roles:\n  - { id: ceo\nusers: [\n'); // the file is never written
      await page.close();
    } finally {
      served.stop();
    }
  });

  it('summarizes the large benchmark policy instead of drawing 120,000 nodes, within a few seconds', async () => {
    const file = join(tmp, 'large.json');
    writeFileSync(file, JSON.stringify(generateWorkload('large').policy));
    const served = await play(file);
    try {
      const page = await open(browser, served.url);
      const firstPaint = Number(await page.getAttribute('body', 'data-first-paint'));
      console.log(`purview play: first paint of the large workload's policy (100,000 users, 20,000 groups, 2,000 roles): ${firstPaint} ms`);
      expect(firstPaint).toBeLessThan(8000);
      expect(await page.textContent('#summary')).toContain('20,000 groups');
      expect(await page.locator('svg.graph .node').count()).toBe(0);
      await page.fill('#search', 'u7');
      await page.press('#search', 'Enter');
      await expect.poll(() => page.locator('.node.selected[data-key="user:u7"]').count()).toBe(1);
      const drawn = await page.locator('svg.graph .node').count();
      expect(drawn).toBeGreaterThan(1);
      expect(drawn).toBeLessThanOrEqual(300);
      await shot(page, 'summary');
      // who can view a record owned by a group of thousands of members: the drawing stays bounded
      await page.click('.node[data-key="user:u7"]'); // keep the selection; then ask about a big group's record
      await page.fill('#check-json', JSON.stringify({ type: 'account', id: 'big', owner: { group: 'g0' } }));
      await page.click('#whocan-run');
      await expect.poll(async () => (await page.textContent('#whocan-result')) ?? '').toContain('Who can view account big');
      expect(await page.locator('svg.graph .node').count()).toBeLessThanOrEqual(300);
      await page.close();
    } finally {
      served.stop();
    }
  });

  it('writes a static build (--build DIR) that works from any static server', async () => {
    const dir = join(tmp, 'site');
    const out: string[] = [];
    expect(runCli(['play', '--build', dir, CRM], { stdout: (t) => out.push(t), stderr: (t) => out.push(t) })).toBe(0);
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' };
    const server: Server = createServer((req, res) => {
      const name = req.url === '/' ? 'index.html' : (req.url ?? '').slice(1);
      const path = join(dir, name);
      if (!/^[a-z]+\.(html|js|json)$/.test(name) || !existsSync(path)) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[extname(name)] ?? 'text/plain' }).end(readFileSync(path));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const page = await open(browser, `http://127.0.0.1:${port}/`);
      expect(await page.textContent('header .file')).toBe('003-crm-groups.yaml');
      expect(await page.getAttribute('#tests', 'data-passed')).toBe('25');
      await page.close();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('purview play on the command line', () => {
  const cli = (args: string[]): { code: number; out: string; err: string } => {
    let out = '';
    let err = '';
    const code = runCli(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
    return { code, out, err };
  };

  it('refuses a host that is not a loopback address, a bad port and a missing file argument', () => {
    for (const host of ['0.0.0.0', '192.168.1.5', 'example.com', '::']) {
      const r = cli(['play', CRM, '--host', host]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('is not a loopback address');
    }
    expect(cli(['play', CRM, '--port', '70000']).code).toBe(2);
    expect(cli(['play']).err).toContain('play needs a FILE');
    expect(cli(['play', '--build', 'x', CRM, '--port', '1']).code).toBe(2);
    expect(cli(['play', '--help']).out).toContain('Usage: purview play FILE');
    expect(cli(['--help']).out).toContain('play FILE');
  });

  it('answers only requests whose Host is a loopback name (no DNS rebinding)', async () => {
    const served = await play(CRM);
    try {
      const { port } = new URL(served.url);
      const status = (host: string): Promise<number> =>
        new Promise((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/policy.json', headers: { host } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
      expect(await status(`127.0.0.1:${port}`)).toBe(200);
      expect(await status(`localhost:${port}`)).toBe(200);
      expect(await status(`evil.example:${port}`)).toBe(403);
    } finally {
      served.stop();
    }
  });
});
