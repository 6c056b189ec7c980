// SQLite: files under the OS temp dir (better-sqlite3, no server), removed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteRepository, SQLITE_SCHEMA_VERSION } from '../../src/adapters/sqlite/index.js';
import { GroupCycleError, InvalidInputError, openEngine, PurviewError, SchemaVersionError } from '../../src/index.js';
import { smallPolicy } from '../../src/testing/fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'purview-sqlite-schema-'));
  dirs.push(dir);
  return join(dir, 'policy.db');
}

/** A file holding the small policy, then tampered with behind the library's back. */
async function tampered(...statements: string[]): Promise<string> {
  const path = file();
  const r = sqliteRepository({ path, initialPolicy: smallPolicy() });
  await r.migrate();
  await r.close();
  const db = new Database(path);
  for (const s of statements) db.exec(s);
  db.close();
  return path;
}

async function loadError(path: string): Promise<PurviewError> {
  const r = sqliteRepository({ path });
  try {
    const engine = await openEngine({ repository: r, pollIntervalMs: 0 });
    await engine.close();
  } catch (e) {
    expect(e).toBeInstanceOf(PurviewError);
    return e as PurviewError;
  } finally {
    await r.close();
  }
  throw new Error('loaded tampered rows');
}

describe('the SQLite file', () => {
  it('is in WAL mode, migrated once, and keeps the policy across a restart', async () => {
    const path = file();
    const first = sqliteRepository({ path, initialPolicy: smallPolicy() });
    const engine = await openEngine({ repository: first, pollIntervalMs: 0 });
    await engine.addMember('team', { user: 'u2' });
    await engine.close();
    await first.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_migrations').raw(true).all()).toEqual([[SQLITE_SCHEMA_VERSION]]);
    db.close();
    const again = await openEngine({ repository: sqliteRepository({ path, initialPolicy: { resourceTypes: {} } }), pollIntervalMs: 0 });
    expect(again.revision).toBe(1);
    expect(again.policy.groups.get('team')?.members.users).toEqual(['u2']);
    await again.close();
  });

  it('a file from a newer release is a SchemaVersionError naming it; migrate: false on a new file says to migrate', async () => {
    const path = await tampered("INSERT INTO schema_migrations (version, name) VALUES (42, 'future')");
    const e = await loadError(path);
    expect(e).toBeInstanceOf(SchemaVersionError);
    expect(e).toMatchObject({ schema: path, found: 42, supported: SQLITE_SCHEMA_VERSION });
    const fresh = sqliteRepository({ path: file(), migrate: false });
    await expect(fresh.load()).rejects.toThrow(/migrate\(\)/);
    await fresh.close();
  });

  it('hand-edited rows are typed errors naming the table and row, never a silent allow', async () => {
    expect(await loadError(await tampered(`UPDATE users SET access_level = '{nope' WHERE id = 'u1'`))).toBeInstanceOf(InvalidInputError);
    const kind = await loadError(await tampered(`PRAGMA ignore_check_constraints = 1; INSERT INTO group_members VALUES ('sales', 'robot', 5, 'r2d2', NULL, NULL)`));
    expect(kind.message).toContain('group_members');
    expect(kind.message).toContain('robot');
    expect(await loadError(await tampered(`INSERT INTO group_members VALUES ('sales', 'group', 0, 'team', NULL, NULL), ('team', 'group', 0, 'sales', NULL, NULL)`))).toBeInstanceOf(GroupCycleError);
    expect((await loadError(await tampered(`UPDATE resource_types SET hierarchy = 7`))).message).toContain('hierarchy');
  });

  it('a bad record in the change log while engines run: reported through onError, the engine recovers from the stored policy', async () => {
    const path = file();
    const errors: unknown[] = [];
    const repository = sqliteRepository({ path, initialPolicy: smallPolicy(), pollIntervalMs: 20 });
    const engine = await openEngine({ repository, pollIntervalMs: 0, timeoutMs: 5_000, onError: (e) => errors.push(e) });
    const db = new Database(path);
    db.prepare("INSERT INTO change_log (revision, kind, record) VALUES (1, 'ops', 'not json'), (2, 'ops', '{\"hello\": 1}')").run();
    db.prepare('UPDATE policy_state SET revision = 2').run();
    db.close();
    await engine.waitFor(2);
    expect(errors.some((e) => e instanceof InvalidInputError && e.message.includes('change_log, revision 1: the record is not JSON'))).toBe(true);
    expect(engine.revision).toBe(2);
    expect(await engine.addMember('team', { user: 'u3' })).toBe(3);
    await engine.close();
    await repository.close();
  });

  it('rejects bad options and what SQLite text cannot hold', async () => {
    expect(() => sqliteRepository({ path: '' })).toThrow(InvalidInputError);
    expect(() => sqliteRepository({ path: file(), pollIntervalMs: 0 })).toThrow(InvalidInputError);
    const r = sqliteRepository({ path: file(), initialPolicy: smallPolicy() });
    await expect(r.append({ revision: 1, ops: [{ op: 'put', collection: 'users', entity: { id: 'a\u0000b', tenant: 'default', status: 'active', tenants: [] } }] }, 0)).rejects.toBeInstanceOf(InvalidInputError);
    expect(await r.revision()).toBe(0);
    await r.close();
  });
});
