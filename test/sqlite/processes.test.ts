// SQLite: files under the OS temp dir (better-sqlite3, no server); second processes run
// test/sqlite/child.ts with `node --import tsx`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteRepository } from '../../src/adapters/sqlite/index.js';
import { openEngine } from '../../src/index.js';
import { smallPolicy } from '../../src/testing/fixtures.js';
import { policyHash } from '../support/pg-context.js';

const CHILD = new URL('./child.ts', import.meta.url).pathname;
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'purview-sqlite-proc-'));
  dirs.push(dir);
  return join(dir, 'policy.db');
}

function child(...args: string[]): { process: ChildProcess; lines: string[]; next: (pred: (line: string) => boolean, timeoutMs?: number) => Promise<string> } {
  const p = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(p);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  let stderr = '';
  p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  p.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const next = (pred: (line: string) => boolean, timeoutMs = 20_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child ${args.join(' ')}: no such line within ${timeoutMs} ms; got ${JSON.stringify(lines.slice(-3))}; stderr ${stderr.slice(-800)}`)), timeoutMs);
      const check = (): void => {
        const found = lines.find(pred);
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  return { process: p, lines, next };
}

describe('several processes on one SQLite file', () => {
  it('a second process follows the file: it reaches every revision this one writes, with the same policy', async () => {
    const path = file();
    const repository = sqliteRepository({ path, initialPolicy: smallPolicy(), pollIntervalMs: 20 });
    const writer = await openEngine({ repository, pollIntervalMs: 0 });
    const follower = child('follow', path);
    await follower.next((l) => l.includes('"revision":0'));
    await writer.addMember('team', { user: 'u1' });
    await writer.setStatus('u2', 'inactive');
    const rev = await writer.update((d) => {
      d.users.set('new', { id: 'new', tenant: 'default', status: 'active', tenants: [] });
    });
    const line = await follower.next((l) => (JSON.parse(l) as { revision: number }).revision === rev);
    expect((JSON.parse(line) as { hash: string }).hash).toBe(policyHash(writer.policy));
    // And the other way: this process follows what a second process writes.
    const other = child('write', path, '10');
    await other.next((l) => Number(l) >= rev + 2);
    other.process.kill('SIGKILL');
    await writer.waitFor(rev + 2);
    expect([...writer.policy.users.keys()].some((id) => id.startsWith(`p${other.process.pid}-`))).toBe(true);
    follower.process.stdin?.end();
    await writer.close();
    await repository.close();
  });

  it('a writer process killed at random moments: each change is in the log and the tables, or in neither', async () => {
    const path = file();
    const setup = sqliteRepository({ path, initialPolicy: smallPolicy() });
    await setup.migrate();
    await setup.close();
    for (let round = 0; round < 6; round++) {
      // Changes of 20,000 users: a transaction takes a good part of a second, so most kills land inside one.
      const w = child('write', path, '20000');
      await w.next(() => true, 30_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
      w.process.kill('SIGKILL');
      await new Promise((r) => w.process.once('exit', r));
      const db = new Database(path, { readonly: true });
      try {
        const revision = Number((db.prepare('SELECT revision FROM policy_state').raw(true).get() as unknown[])[0]);
        const logged = Number((db.prepare('SELECT COALESCE(MAX(revision), 0) FROM change_log').raw(true).get() as unknown[])[0]);
        const rows = Number((db.prepare('SELECT COUNT(*) FROM users WHERE id LIKE ?').raw(true).get(`p${w.process.pid}-%`) as unknown[])[0]);
        expect(logged).toBe(revision);
        // Every change the child logged has all of its 20,000 rows; the one it was writing when killed has none.
        const rounds = Number((db.prepare('SELECT COUNT(*) FROM change_log WHERE record LIKE ?').raw(true).get(`%p${w.process.pid}-%`) as unknown[])[0]);
        expect(rows).toBe(rounds * 20000);
      } finally {
        db.close();
      }
    }
    const engine = await openEngine({ repository: sqliteRepository({ path }), pollIntervalMs: 0 });
    expect(engine.revision).toBeGreaterThan(0);
    await engine.close();
  });

  it('two processes racing on one file: exactly one of two appends at the same revision wins', async () => {
    const path = file();
    const a = sqliteRepository({ path, initialPolicy: smallPolicy() });
    const b = sqliteRepository({ path });
    await a.migrate();
    const results = await Promise.allSettled([
      a.append({ revision: 1, ops: [{ op: 'put', collection: 'users', entity: { id: 'from-a', tenant: 'default', status: 'active', tenants: [] } }] }, 0),
      b.append({ revision: 1, ops: [{ op: 'put', collection: 'users', entity: { id: 'from-b', tenant: 'default', status: 'active', tenants: [] } }] }, 0),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as Error).name).toBe('ConflictError');
    await Promise.all([a.close(), b.close()]);
  });
});
