/*
 * Answers do not depend on the order an engine read the policy in: an engine built from a policy
 * and one built from the same policy with every collection reversed (tenants, roles, users, groups,
 * sharing rules, access groups, resource types) give equal decisions (reasons, membership paths
 * and their order included), filters and groupsOf paths. Engines number entities in the order they
 * read them; the answers must be in id order (src/decide/canonical-order.ts, compile/paths.ts), so
 * that an engine loaded from a database and one built change by change, or a tenant-scoped one and
 * one holding everything, agree exactly.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createEngine, type PolicyInput, type Resource } from '../../src/index.js';
import { scenarioArb } from '../arbitraries/policy.js';
import { multiTenantArb } from '../arbitraries/multi-tenant.js';
import { runParams } from '../arbitraries/settings.js';
import { breathe, TEST_TIMEOUT_MS } from '../fuzz/harness.js';

vi.setConfig({ testTimeout: TEST_TIMEOUT_MS });

const AS_OF = { asOf: '2026-06-01T00:00:00Z' } as const;

function reversed(p: PolicyInput): PolicyInput {
  const rev = <T,>(xs: readonly T[] | undefined): T[] | undefined => (xs === undefined ? undefined : [...xs].reverse());
  const types = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(p.resourceTypes).reverse()) Object.defineProperty(types, name, { value: p.resourceTypes[name], enumerable: true, writable: true, configurable: true });
  const out: Record<string, unknown> = { ...p, resourceTypes: { ...types } };
  for (const k of ['tenants', 'roles', 'users', 'groups', 'sharingRules', 'accessGroups'] as const) if (p[k] !== undefined) out[k] = rev(p[k] as unknown[]);
  return out as unknown as PolicyInput;
}

function attempt(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    return { threw: (e as Error).name };
  }
}

const tally = { compared: 0, withReasons: 0 };

function compareOrders(policy: PolicyInput, resources: readonly Resource[]): void {
  const a = createEngine({ policy });
  const b = createEngine({ policy: reversed(policy) });
  const users = (policy.users ?? []).map((u) => u.id);
  for (const u of users) expect(attempt(() => b.groupsOf(u, { ...AS_OF, paths: true })), `groupsOf(${JSON.stringify(u)})`).toEqual(attempt(() => a.groupsOf(u, { ...AS_OF, paths: true })));
  for (const [type, def] of Object.entries(policy.resourceTypes)) {
    for (const action of Object.keys(def.actions ?? {})) {
      for (const u of users) expect(attempt(() => b.filter(u, action, type, AS_OF)), `filter(${JSON.stringify(u)}, ${action}, ${type})`).toEqual(attempt(() => a.filter(u, action, type, AS_OF)));
    }
  }
  for (const r of resources) {
    const def = new Map(Object.entries(policy.resourceTypes)).get(r.type);
    for (const action of Object.keys(def?.actions ?? {})) {
      for (const u of users) {
        const x = attempt(() => a.check(u, action, r, AS_OF));
        expect(attempt(() => b.check(u, action, r, AS_OF)), `check(${JSON.stringify(u)}, ${action}, ${JSON.stringify(r)})`).toEqual(x);
        tally.compared++;
        if (((x as { reasons?: unknown[] }).reasons?.length ?? 0) > 1) tally.withReasons++;
      }
    }
  }
}

describe('order independence', () => {
  it('answers are the same whatever order the policy lists its entities in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(scenarioArb(), multiTenantArb()), async (s) => {
        await breathe();
        compareOrders(s.policy, s.resources);
      }),
      runParams(150),
    );
    expect(tally.withReasons).toBeGreaterThan(0);
  });
});
