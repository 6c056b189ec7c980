/*
 * Round trips (issue 10 item 17): whatever `engine.policy` holds must reload. For random policies,
 * and after random changes (valid or not, some writing sparse lists, getters and odd objects),
 * `createEngine({ policy: toPolicyInput(engine.policy) })` succeeds and gives the same data, and so
 * does the JSON text of it (what a repository stores), and `engine.policy` itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, toPolicyInput, type Engine, type PolicyDraft } from '../../src/index.js';
import { sameData } from '../../src/model/same-data.js';
import { changeScenarioArb, policyArb } from '../arbitraries/policy.js';
import { runParams } from '../arbitraries/settings.js';

/** The policy reloads three ways, each to the same data. */
function reloads(engine: Engine): void {
  const input = toPolicyInput(engine.policy);
  const again = toPolicyInput(createEngine({ policy: input }).policy);
  expect(sameData(again, input)).toBe(true);
  const fromJson = toPolicyInput(createEngine({ policy: JSON.parse(JSON.stringify(input)) as never }).policy);
  expect(sameData(fromJson, input)).toBe(true);
  const fromPolicy = toPolicyInput(createEngine({ policy: engine.policy }).policy);
  expect(sameData(fromPolicy, input)).toBe(true);
}

const sparse = (...items: [number, string][]): string[] => {
  const out: string[] = [];
  for (const [i, v] of items) out[i] = v;
  return out;
};

/** Writes that store odd values: lists with holes, getters, class instances, undefined fields. */
const ODD_WRITES: readonly ((d: PolicyDraft) => void)[] = [
  (d) => {
    for (const a of d.accessGroups.values()) a.segment = { all: [{ attribute: 'tags', equals: sparse([0, 'x'], [2, 'y']) }] };
  },
  (d) => {
    for (const a of d.accessGroups.values()) a.segment = { all: [{ attribute: 'tags', in: sparse([1, 'x']) }] };
  },
  (d) => {
    for (const g of d.groups.values()) g.members.users = sparse([1, [...d.users.keys()][0] ?? 'x']);
  },
  (d) => {
    for (const u of d.users.values()) u.tenants = sparse([3, 'default']);
  },
  (d) => {
    for (const u of d.users.values()) Object.assign(u, { status: 'inactive' });
  },
  (d) => {
    const [first] = d.users.keys();
    if (first === undefined) return;
    const user = { id: first, tenant: 'default', status: 'active', tenants: [] } as Record<string, unknown>;
    Object.defineProperty(user, 'status', { enumerable: true, get: () => 'inactive' });
    d.users.set(first, user as never);
  },
  (d) => {
    for (const g of d.groups.values()) Object.assign(g, { name: undefined });
  },
];

describe('round trips: whatever engine.policy holds reloads', () => {
  it('random policies', () => {
    fc.assert(
      fc.property(policyArb(), (policy) => {
        reloads(createEngine({ policy }));
      }),
      runParams(300),
    );
  });

  it('after random changes and odd writes', () => {
    fc.assert(
      fc.property(changeScenarioArb(), fc.array(fc.nat({ max: ODD_WRITES.length - 1 }), { maxLength: 3 }), (s, odd) => {
        const engine = createEngine({ policy: s.policy });
        const writes = [...s.changes.map((c) => c.recipe), ...odd.map((i) => ODD_WRITES[i] as (d: PolicyDraft) => void)];
        for (const w of writes) {
          try {
            engine.updateSync(w);
          } catch {
            // A rejected change leaves the policy as it was; it must reload all the same.
          }
          reloads(engine);
        }
      }),
      runParams(200),
    );
  });
});
