/*
 * The docs site as `npm run docs` builds it (TypeDoc, typedoc.json, warnings are errors), built
 * into a temporary directory and read as files: modules named as users import them, guides in the
 * reading order of the docs index, headings that keep their inline code, and no broken links
 * (every relative link and anchor lands on a file and an id of the site; no bare word turned into
 * a link). No server; the browser test (test/browser/docs-site.test.ts) opens the same build.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, root, type BuiltSite } from '../support/docs-site.js';

let site: BuiltSite;
beforeAll(async () => {
  site = await buildSite();
}, 120_000);
afterAll(() => rmSync(site.dir, { recursive: true, force: true }));

const htmlFiles = (): string[] =>
  (readdirSync(site.dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.html'));
const read = (file: string): string => readFileSync(join(site.dir, file), 'utf8');
const stripTags = (html: string): string =>
  html.replace(/<wbr\/?>/g, '').replace(/<[^>]*>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
const idsOf = (html: string): Set<string> => new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1] ?? ''));

type NavNode = { text: string; path?: string; children?: NavNode[] };
const navigation = (): NavNode[] => {
  const script = read('assets/navigation.js');
  const data = /"([A-Za-z0-9+/=]+)"/.exec(script)?.[1] ?? '';
  return JSON.parse(inflateSync(Buffer.from(data, 'base64')).toString('utf8')) as NavNode[];
};

describe('the docs site', () => {
  it('builds without a warning, in reasonable time', () => {
    expect(site.output).not.toMatch(/\[warning\]|\[error\]/);
    console.log(`docs site built in ${(site.ms / 1000).toFixed(1)} s`);
    expect(site.ms).toBeLessThan(90_000);
  });

  it('names each module as users import it: every subpath export of package.json, no file paths', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const expected = Object.keys(pkg.exports)
      .filter((k) => k !== './package.json' && !k.endsWith('.json'))
      .map((k) => (k === '.' ? 'purview' : `purview/${k.slice(2)}`))
      .sort();
    const modules = navigation()
      .filter((n) => n.path?.startsWith('modules/'))
      .map((n) => n.text)
      .sort();
    expect(modules).toEqual(expected);
    for (const name of expected) {
      const page = read(`modules/${name.replace(/\//g, '_')}.html`);
      expect(stripTags(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(page)?.[1] ?? '')).toContain(name);
    }
  });

  it('lists the guides in the reading order of the docs index, concepts first', () => {
    const index = readFileSync(join(root, 'docs/index.md'), 'utf8');
    const reading = [...index.matchAll(/^\d+\. \[[^\]]+\]\(([a-z-]+\.md)\)/gm)].map((m) => m[1] ?? '');
    expect(reading[0]).toBe('concepts.md');
    const titleOf = (file: string): string => {
      const text = readFileSync(join(root, 'docs', file), 'utf8');
      return /^title: (.+)$/m.exec(text)?.[1] ?? /^# (.+)$/m.exec(text)?.[1] ?? file;
    };
    const docs = navigation()
      .filter((n) => n.path?.startsWith('documents/'))
      .map((n) => n.text);
    expect(docs[0]).toBe('Concepts');
    const positions = reading.map((file) => docs.indexOf(titleOf(file)));
    expect(positions).not.toContain(-1);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // Every guide has its own title (TypeDoc falls back to the file name without one).
    for (const text of docs) expect(text).not.toMatch(/^[a-z-]+$/);
  });

  it('keeps the inline code of headings in the heading, its anchor and the page outline', () => {
    const page = read('documents/Benchmark_log.html');
    const heading = /<h2 id="([^"]+)"[^>]*>(.*?)<a /.exec(page.slice(page.indexOf('accessDiff</code>') - 200));
    expect(heading?.[1]).toBe('purview-diff-and-accessdiff-2026-12-01');
    expect(heading?.[2]).toContain('<code>purview diff</code>');
    let checked = 0;
    for (const file of htmlFiles().filter((f) => f.startsWith('documents/'))) {
      const html = read(file);
      for (const m of html.matchAll(/<h([1-6]) id="([^"]+)" class="tsd-anchor-link">([\s\S]*?)<a href="#\2"/g)) {
        const text = stripTags(m[3] ?? '').trim();
        expect(text, `an empty heading in ${file}`).not.toBe('');
        // The outline ("On this page") shows the heading's whole text, code included.
        expect(html, `${file}: the outline entry of "${text}"`).toContain(`<a href="#${m[2]}"><span>`);
        if ((m[3] ?? '').includes('<code>')) {
          const words = text.toLowerCase().replace(/[^a-z0-9]+/g, '');
          expect(m[2]?.replace(/[^a-z0-9]/g, '').startsWith(words.slice(0, 10)), `${file}: #${m[2]} for "${text}"`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
    for (const file of htmlFiles().filter((f) => f.startsWith('documents/'))) {
      for (const m of read(file).matchAll(/<a href="#[^"]*"><span>([\s\S]*?)<\/span><\/a>/g)) {
        const text = stripTags(m[1] ?? '');
        expect(text, `${file}: an outline entry that lost its code: "${text}"`).not.toMatch(/^\s|\s\s|\(\s|\s\)|^\s*$/);
      }
    }
  });

  it('has no broken links: every relative link lands on a file and an anchor of the site', () => {
    const files = new Set(htmlFiles());
    const idCache = new Map<string, Set<string>>();
    const problems: string[] = [];
    let links = 0;
    for (const file of files) {
      const html = read(file);
      for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
        const url = (m[1] ?? '').replace(/&amp;/g, '&');
        if (/^https:\/\//.test(url)) {
          if (/\.(md|ts)(#|$)/.test(url)) problems.push(`${file}: ${url} (a file name taken for a host)`);
          continue;
        }
        if (/^[a-z]+:/.test(url)) {
          problems.push(`${file}: ${url} (not https)`);
          continue;
        }
        links++;
        const [path = '', fragment] = url.split('#');
        const target = path === '' ? file : relative(site.dir, resolve(site.dir, dirname(file), decodeURIComponent(path)));
        if (target.endsWith('.md')) problems.push(`${file}: ${url} (a markdown file, not a page)`);
        if (path !== '' && !files.has(target)) {
          try {
            readFileSync(join(site.dir, target));
          } catch {
            problems.push(`${file}: ${url} (no such file)`);
            continue;
          }
        }
        if (fragment !== undefined && fragment !== '' && target.endsWith('.html')) {
          let ids = idCache.get(target);
          if (ids === undefined) idCache.set(target, (ids = idsOf(read(target))));
          if (!ids.has(decodeURIComponent(fragment))) problems.push(`${file}: ${url} (no #${fragment} in ${target})`);
        }
      }
    }
    expect(links).toBeGreaterThan(1000);
    expect(problems).toEqual([]);
  });
});
