import { describe, expect, it } from 'vitest';
import { openEngine } from '../../src/index.js';
import { smallPolicy } from '../../src/testing/fixtures.js';
import { ident, policyHash, usePostgres } from '../support/pg-context.js';

const pg = usePostgres('purview_frame');

describe('frame changes in PostgreSQL', () => {
  it('tenant, resource type and access-level changes are stored as row changes and load back the same', async () => {
    const schema = pg.schema();
    const repository = pg.repository({ schema, pool: pg.pool('frame-writer', 4), initialPolicy: smallPolicy() });
    const writer = await openEngine({ repository, pollIntervalMs: 0, timeoutMs: 10_000 });
    await writer.update((d) => void d.tenants.set('brand-new', { id: 'brand-new' }));
    await writer.update((d) => {
      d.resourceTypes.set('__proto__', { name: '__proto__', actions: new Map([['view', 'read'], ['constructor', 'full']]), default: 'publicRead', hierarchy: false, groupOwnerLevel: 'read' } as never);
    });
    await writer.update((d) => {
      d.accessLevels = { minimum: ['*:view'] };
      d.defaultAccessLevel = 'minimum:readOnly';
    });
    const rev = await writer.update((d) => void d.tenants.delete('brand-new'));
    const kinds = await pg.admin.query<{ kind: string }>(`SELECT kind FROM ${ident(schema)}.change_log ORDER BY revision`);
    expect(kinds.rows.every((r) => r.kind === 'ops')).toBe(true);
    const tenants = await pg.admin.query<{ id: string }>(`SELECT id FROM ${ident(schema)}.tenants WHERE id = 'brand-new'`);
    expect(tenants.rowCount).toBe(0);
    // A fresh engine loads the tables (not the log) and must see the same policy.
    const fresh = await openEngine({
      repository: pg.repository({ schema, pool: pg.pool('frame-reader', 4) }),
      pollIntervalMs: 0,
      timeoutMs: 10_000,
    });
    expect(fresh.revision).toBe(rev);
    expect(policyHash(fresh.policy)).toBe(policyHash(writer.policy));
    expect(fresh.policy.resourceTypes.get('__proto__')?.actions.get('constructor')).toBe('full');
    await writer.close();
    await fresh.close();
  });
});
