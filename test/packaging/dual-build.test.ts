/*
 * Issue 10 item 15 (policy part): the ESM and CommonJS builds are two copies of the library in one
 * process (an application imports one, a dependency requires the other). A Policy made by one
 * (`engine.policy`) must be accepted by the other, recognised by a registered brand rather than
 * `instanceof`, and still validated in full.
 *
 * Builds src/index.ts as ESM and CommonJS into a temporary directory under .tmp/ (no type declarations, so it
 * takes seconds), loads dist/index.cjs through createRequire and dist/index.js through import().
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Purview from '../../src/index.js';

const ROOT = resolve(__dirname, '..', '..');
let dir = '';
let cjs: typeof Purview;
let esm: typeof Purview;

beforeAll(async () => {
  // Inside the project (.tmp/ is ignored), so that both builds resolve immer from its node_modules.
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  dir = mkdtempSync(join(ROOT, '.tmp', 'dual-build-'));
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsup', 'dist', 'cli-default.js'), 'src/index.ts', '--format', 'esm,cjs', '--out-dir', dir, '--no-config', '--external', 'immer', '--target', 'es2022', '--silent'],
    { cwd: ROOT, stdio: 'pipe' },
  );
  const require = createRequire(join(ROOT, 'package.json'));
  cjs = require(join(dir, 'index.cjs')) as typeof Purview;
  esm = (await import(pathToFileURL(join(dir, 'index.js')).href)) as typeof Purview;
}, 120_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const policy: Purview.PolicyInput = {
  tenants: [{ id: 'acme' }],
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  roles: [{ id: 'ceo' }, { id: 'rep', parent: 'ceo' }],
  users: [{ id: 'ann', role: 'ceo' }, { id: 'bob', role: 'rep' }, { id: '__proto__', tenant: 'acme' }],
  groups: [{ id: 'sales', members: { users: ['bob'] } }],
  accessGroups: [{ id: 'ag', segment: { all: [{ attribute: 'tags', contains: 'vip' }] }, grants: [{ to: { group: 'sales' }, level: 'read' }] }],
};

describe('ESM and CommonJS builds accept each other\'s policies', () => {
  it('the two builds really are two copies', () => {
    expect(cjs.IdMap).not.toBe(esm.IdMap);
    expect(esm.createEngine({ policy }).policy.users instanceof cjs.IdMap).toBe(false);
  });

  it.each([
    ['ESM policy into CommonJS', () => [esm, cjs] as const],
    ['CommonJS policy into ESM', () => [cjs, esm] as const],
  ])('%s', (_, pick) => {
    const [from, to] = pick();
    const a = from.createEngine({ policy });
    const b = to.createEngine({ policy: a.policy });
    expect(JSON.stringify(to.toPolicyInput(b.policy))).toBe(JSON.stringify(from.toPolicyInput(a.policy)));
    expect(to.normalizePolicy(a.policy).users.size).toBe(3);
    const lead = { type: 'lead', id: 'l1', owner: { user: 'bob' } };
    expect(b.can('ann', 'edit', lead)).toBe(true);
    // Still validated in full: a foreign policy with a broken reference is refused.
    const broken = from.createEngine({ policy });
    const next = (() => {
      const p = broken.policy;
      const users = new from.IdMap(p.users);
      users.set('eve', { id: 'eve', tenant: 'default', status: 'active', role: 'nope', tenants: [] });
      return { ...p, users };
    })();
    expect(() => to.createEngine({ policy: next })).toThrow(/role "nope"/);
  });
});
