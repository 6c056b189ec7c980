/*
 * `purview diff` streams (issue 13): the changes are written as they are made, in chunks, never
 * all in memory at once, and the output is exactly what the whole `AccessDiff` renders to
 * (`jsonText(accessDiff(...))` for --format json). `streamAccessDiff` gives the same changes as
 * `accessDiff`, checks every record before the first change, and can be iterated once. Files in a
 * temporary directory; no process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { accessDiff, InvalidInputError, streamAccessDiff, type PolicyInput, type Resource } from '../../src/index.js';
import { jsonText } from '../../src/render/escape.js';

const dir = mkdtempSync(join(tmpdir(), 'purview-diff-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const USERS = 300;
const before: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' }, default: 'private' } },
  users: Array.from({ length: USERS }, (_, i) => ({ id: `u${i}` })),
  groups: [{ id: 'sales', members: { users: ['u0'] } }],
};
const after: PolicyInput = { ...before, resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' }, default: 'publicRead' } } };
const records: Resource[] = Array.from({ length: 40 }, (_, i) => ({ type: 'lead', id: `l${i}`, owner: { group: 'sales' } }));
const AS_OF = '2026-01-01T00:00:00Z';
const write = (name: string, data: unknown): string => {
  writeFileSync(join(dir, name), JSON.stringify(data));
  return join(dir, name);
};
const oldFile = write('old.json', before);
const newFile = write('new.json', after);
const recordsFile = write('records.json', records);

function cli(argv: string[]): { code: number; chunks: string[]; err: string } {
  const chunks: string[] = [];
  let err = '';
  const code = runCli(argv, { stdout: (t) => chunks.push(t), stderr: (t) => (err += t) });
  return { code, chunks, err };
}

describe('purview diff streams its output', () => {
  it('--format json is exactly the whole AccessDiff as jsonText lays it out, written in several chunks', () => {
    const r = cli(['diff', oldFile, newFile, '--resources', recordsFile, '--format', 'json', '--as-of', AS_OF]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const whole = accessDiff(before, after, records, { asOf: AS_OF });
    expect(whole.summary.changed).toBe((USERS - 1) * records.length);
    expect(r.chunks.join('')).toBe(`${jsonText(whole)}\n`);
    expect(r.chunks.length).toBeGreaterThan(3);
    expect(Math.max(...r.chunks.map((c) => c.length))).toBeLessThan(200_000);
  });
  it('--format json with no change is the same layout, an empty list', () => {
    const r = cli(['diff', oldFile, oldFile, '--resources', recordsFile, '--format', 'json', '--as-of', AS_OF]);
    expect(r.chunks.join('')).toBe(`${jsonText(accessDiff(before, before, records, { asOf: AS_OF }))}\n`);
  });
  it('text: one line per change, then the structure and the summary line, in chunks', () => {
    const r = cli(['diff', oldFile, newFile, '--resources', recordsFile, '--as-of', AS_OF]);
    const lines = r.chunks.join('').split('\n');
    expect(lines[0]).toBe(`access from ${oldFile} to ${newFile}, as of ${AS_OF}:`);
    expect(lines.filter((l) => l.startsWith('  + user ')).length).toBe((USERS - 1) * records.length);
    expect(lines.at(-2)).toBe(`${(USERS - 1) * records.length} decisions changed: ${(USERS - 1) * records.length} gained, 0 lost`);
    expect(r.chunks.length).toBeGreaterThan(3);
  });
});

describe('streamAccessDiff', () => {
  it('gives the changes of accessDiff, in order, and the summary as its return value', () => {
    const s = streamAccessDiff(before, after, records, { asOf: AS_OF });
    const whole = accessDiff(before, after, records, { asOf: AS_OF });
    const got = [];
    const it = s.changes();
    let r = it.next();
    for (; r.done !== true; r = it.next()) got.push(r.value);
    expect(got).toEqual(whole.changes);
    expect(r.value).toEqual(whole.summary);
    expect(s.compared).toBe(whole.summary.compared);
    expect(s.structural).toEqual(whole.structural);
  });
  it('can be iterated once', () => {
    const s = streamAccessDiff(before, after, records, { asOf: AS_OF });
    [...s.changes()];
    expect(() => s.changes().next()).toThrow(InvalidInputError);
  });
  it('checks every record before the first change (a malformed one is an error when the stream is made)', () => {
    const bad = [...records, { type: 'lead', id: 'x', owner: { user: 'u1' }, tenant: 7 } as unknown as Resource];
    expect(() => streamAccessDiff(before, after, bad, { asOf: AS_OF })).toThrow(InvalidInputError);
  });
});

describe('purview diff at scale', () => {
  it('100,000 users x 10,000 resources with every decision affected: refused by --limit before any is made, saying how many', () => {
    const users = Array.from({ length: 100_000 }, (_, i) => ({ id: `u${i}`, role: 'rep' }));
    const types = { lead: { actions: { view: 'read', edit: 'readWrite', delete: 'full' } } };
    const v1 = write('big-old.json', { resourceTypes: types, roles: [{ id: 'vp' }, { id: 'rep' }], users });
    // A role moved under another: every decision may differ (roles are policy-wide).
    const v2 = write('big-new.json', { resourceTypes: types, roles: [{ id: 'vp' }, { id: 'rep', parent: 'vp' }], users });
    const res = write('big-records.json', Array.from({ length: 10_000 }, (_, i) => ({ type: 'lead', id: `l${i}`, owner: { user: `u${i}` } })));
    const r = cli(['diff', v1, v2, '--resources', res]);
    expect(r.code).toBe(1);
    expect(r.chunks.join('')).toBe('');
    expect(r.err).toMatch(/^purview: LimitError: the diff needs 3000000000 decisions compared \(100000 users, 10000 resources and their actions; tenants, roles, resource types or access levels differ, so every user may be affected\)/);
    expect(r.err).toContain('--limit N of purview diff');
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 60_000);
});
