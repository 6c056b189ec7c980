/*
 * The built docs site in a real browser: headless Chromium from the machine's packages
 * (/usr/bin/chromium, installed by scripts/ensure-chromium.sh; the test is skipped only when it is
 * absent), driven by playwright-core. The site is built into a temporary directory
 * (test/support/docs-site.ts) and served by a static HTTP server in this process on 127.0.0.1,
 * port 0. Opens the landing page, follows the navigation to a guide and to an API page, and from
 * there to a function's page; every page must render its content with no failed request and no
 * script error.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, type BuiltSite } from '../support/docs-site.js';

const CHROMIUM = '/usr/bin/chromium';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

function serve(dir: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    if (path === '/favicon.ico') {
      res.writeHead(204).end(); // asked by the browser itself; the site has none
      return;
    }
    let file = join(dir, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
    });
  });
}

/** The link of the site's navigation tree (built by the site's script) whose label is `text`. */
const navLink = (page: Page, text: string) =>
  page.locator('#tsd-nav-container a', { has: page.locator('span', { hasText: new RegExp(`^${text.replace(/[/]/g, '\\/')}$`) }) });

describe.runIf(existsSync(CHROMIUM))('the docs site in Chromium', () => {
  let site: BuiltSite;
  let server: Server;
  let base: string;
  let browser: BrowserContext;
  let profile: string;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    site = await buildSite();
    ({ server, base } = await serve(site.dir));
    profile = mkdtempSync(join(tmpdir(), 'purview-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) => {
      // A navigation the browser itself supersedes (a click while the previous page still loads)
      // is aborted; each test checks where it lands. Every other failed request is a problem.
      const error = request.failure()?.errorText ?? '';
      if (!(request.isNavigationRequest() && error === 'net::ERR_ABORTED')) problems.push(`failed: ${request.url()} ${error}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (site) rmSync(site.dir, { recursive: true, force: true });
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('renders the landing page with the guides and the modules in its navigation', async () => {
    await page.goto(base);
    await expect.poll(() => page.locator('h1').first().textContent()).toContain('purview');
    await expect.poll(() => page.locator('.tsd-page-navigation, .site-menu').count()).toBeGreaterThan(0);
    // The navigation tree is built by the site's script: it holds the guides and the modules.
    await expect.poll(() => navLink(page, 'Concepts').count()).toBe(1);
    await expect.poll(() => navLink(page, 'purview/postgres').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('goes from the landing page to a guide, which renders its headings and code', async () => {
    await page.goto(base);
    await page.locator('.tsd-panel a[href$="Concepts.html"]').first().click();
    await page.waitForURL(/documents\/Concepts\.html$/);
    expect(await page.locator('h1').first().textContent()).toBe('Concepts');
    expect(await page.locator('.tsd-typography h2, .tsd-typography h3').count()).toBeGreaterThan(3);
    expect(await page.locator('.tsd-typography pre code').count()).toBeGreaterThan(0);
    // The guide's own outline links land on its headings.
    const outline = page.locator('.tsd-page-navigation a[href^="#"]').nth(1);
    const anchor = await outline.getAttribute('href');
    await outline.click();
    await page.waitForURL((url) => url.hash === anchor);
    expect(await page.locator(`[id="${(anchor ?? '#').slice(1)}"]`).count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('goes from the navigation to an API page and on to a function', async () => {
    await page.goto(`${base}documents/Concepts.html`);
    await navLink(page, 'purview/postgres').click();
    await page.waitForURL(/modules\/purview_postgres\.html$/);
    expect(await page.locator('h1').first().textContent()).toContain('purview/postgres');
    await page.locator('.col-content').getByRole('link', { name: 'toSql', exact: true }).first().click();
    await page.waitForURL(/functions\/purview_postgres\.toSql\.html$/);
    expect(await page.locator('h1').first().textContent()).toContain('toSql');
    expect(await page.locator('.tsd-signature').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
