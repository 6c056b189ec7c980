/*
 * Fuzzing changes: immer recipes that write arbitrary values into the draft (whole entities,
 * fields, member lists, tenants, resource types, top-level keys, whole collections replaced by a
 * corrupted copy), injected cycles, and the typed commands called with arbitrary arguments.
 *
 * After every change:
 *  - it returned or threw a PurviewError (a promise from `update` and the commands must reject,
 *    never throw synchronously);
 *  - when it threw, `engine.policy` is the very same object (===) as before, the revision is the
 *    same, and the engine still answers every check as before;
 *  - when it landed, the revision moved by one (or stayed, for a change that changed nothing), the
 *    stored policy reloads into a fresh engine (every snapshot is a valid policy), and the engine
 *    agrees with the reference evaluator on it (the incrementally maintained index is right).
 *
 * Values that immer itself cannot finalize (nesting 10,000 levels deep, a Set holding a
 * null-prototype object) and `undefined` as a whole entity are included: they must come back as
 * InvalidInputError too.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createEngine, memoryResourceStore, toPolicyInput, type Engine, type Policy, type PolicyDraft, type Resource } from '../../src/index.js';
import { GHOST, ID_POOL, TENANT_POOL, scenarioArb, type Scenario } from '../arbitraries/policy.js';
import { compareWithReference } from '../reference/compare.js';
import { breathe, ensure, FULL_RUN, fuzzParams, guard, guardAsync, show, smallEnoughForReference, Stats, TEST_TIMEOUT_MS, type Outcome } from './harness.js';
import { cloneJson, jsonJunkArb, junkArb, keyArb, mutatePolicy, mutationArb, PROTO_KEYS, setOwn } from './junk.js';

vi.setConfig({ testTimeout: TEST_TIMEOUT_MS });

/** Junk for recipes, `undefined` included (as a whole entity, it was BUG 1). */
const junk = junkArb();

const stats = new Stats();
const landed = { accepted: 0, noop: 0, rejected: 0, cycles: 0 };
afterAll(() => {
  console.log(stats.summary('fuzz changes'));
  console.log(`  recipes: ${landed.accepted} landed (${landed.noop} changed nothing), ${landed.rejected} rejected; injected cycles rejected with the cycle error: ${landed.cycles}`);
});

const COLLECTIONS = ['tenants', 'roles', 'users', 'groups', 'sharingRules', 'accessGroups'] as const;
type Collection = (typeof COLLECTIONS)[number];
const FIELDS = ['id', 'tenant', 'parent', 'ceiling', 'status', 'role', 'accessLevel', 'tenants', 'name', 'description', 'members', 'resourceType', 'from', 'to', 'level', 'segment', 'grants', 'resourceTypes'];
/** Keys a recipe may assign on a draft (immer refuses `__proto__`, which would change the prototype). */
const DRAFT_KEYS = [...FIELDS, ...PROTO_KEYS.filter((k) => k !== '__proto__')];
const MEMBER_LISTS = ['users', 'roles', 'rolesAndSubordinates', 'groups'] as const;
const TOP_KEYS = ['accessLevels', 'defaultAccessLevel', 'constructor', 'toString', 'polluted', 'hasOwnProperty', ...COLLECTIONS, 'resourceTypes'];

const WRITES = [
  'setEntityJunk', 'setEntityMutated', 'deleteEntity', 'setField', 'deleteField', 'pushMember', 'setMembers', 'tenantParent',
  'setType', 'setAction', 'topLevel', 'replaceCollection', 'cycleGroups', 'cycleRoles',
] as const;

interface Write {
  readonly kind: (typeof WRITES)[number];
  readonly coll: number;
  readonly pick: number;
  readonly pick2: number;
  readonly key: string;
  readonly junk: unknown;
  readonly mutation: ReturnType<typeof mutationArb> extends fc.Arbitrary<infer M> ? M : never;
}

const writeArb: fc.Arbitrary<Write> = fc.record({
  kind: fc.constantFrom(...WRITES),
  coll: fc.nat(),
  pick: fc.nat(),
  pick2: fc.nat(),
  key: keyArb,
  junk,
  mutation: mutationArb(jsonJunkArb),
});

const pickOf = <T,>(xs: readonly T[], k: number): T => xs[k % xs.length] as T;
type AnyMap = { get(id: unknown): unknown; set(id: unknown, v: unknown): unknown; delete(id: unknown): boolean; keys(): Iterable<string> };
type Obj = Record<string, unknown>;
/** Recipes stay well-behaved code even after an earlier write of the same change put junk in place. */
const asObj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null ? (v as Obj) : undefined);
const asMap = (v: unknown): AnyMap | undefined => {
  const m = asObj(v) as Partial<AnyMap> | undefined;
  return typeof m?.get === 'function' && typeof m.set === 'function' && typeof m.delete === 'function' ? (m as AnyMap) : undefined;
};
const asList = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

/** The recipe of one write, and what it must do when it is the whole change. */
function recipeOf(w: Write, policy: Policy): { description: string; recipe: (d: PolicyDraft) => void; expect?: string } {
  const coll: Collection = pickOf(COLLECTIONS, w.coll);
  const known = [...(policy[coll] as unknown as AnyMap).keys()];
  const id = pickOf([...known, ...known, ...(coll === 'tenants' ? TENANT_POOL : ID_POOL), GHOST], w.pick);
  const existing = pickOf(known.length > 0 ? known : [GHOST], w.pick);
  const field = pickOf(DRAFT_KEYS, w.pick2);
  const map = (d: PolicyDraft): AnyMap => asMap((d as unknown as Obj)[coll]) ?? new Map();
  switch (w.kind) {
    case 'setEntityJunk':
      return { description: `${coll}.set(${show(id)}, junk)`, recipe: (d) => void map(d).set(id, w.junk) };
    case 'setEntityMutated': {
      const plain = (toPolicyInput(policy)[coll] as readonly Obj[] | undefined)?.find((e) => e.id === existing);
      if (plain === undefined) return { description: `${coll}.set(${show(id)}, { id })`, recipe: (d) => void map(d).set(id, { id }) };
      const copy = cloneJson(plain);
      const keys = Object.keys(copy);
      const k = pickOf([...keys, w.key], w.pick2);
      if (w.pick2 % 3 === 0 && k !== 'id') delete copy[k];
      else setOwn(copy, k, w.junk);
      return { description: `${coll}.set(${show(existing)}, a copy with ${show(k)} changed)`, recipe: (d) => void map(d).set(existing, copy) };
    }
    case 'deleteEntity':
      return { description: `${coll}.delete(${show(id)})`, recipe: (d) => void map(d).delete(id) };
    case 'setField':
      return {
        description: `${coll}.get(${show(existing)}).${field} = junk`,
        recipe: (d) => {
          const e = asObj(map(d).get(existing));
          if (e !== undefined) e[field] = w.junk;
        },
      };
    case 'deleteField':
      return {
        description: `delete ${coll}.get(${show(existing)}).${field}`,
        recipe: (d) => {
          const e = asObj(map(d).get(existing));
          if (e !== undefined) delete e[field];
        },
      };
    case 'pushMember':
    case 'setMembers': {
      const groups = [...policy.groups.keys()];
      const g = pickOf(groups.length > 0 ? groups : [GHOST], w.pick);
      const list = pickOf(MEMBER_LISTS, w.pick2);
      const value = w.pick2 % 2 === 0 ? w.junk : pickOf([...ID_POOL, GHOST, ...groups], w.pick2 >> 1);
      return w.kind === 'pushMember'
        ? {
            description: `groups.get(${show(g)}).members.${list}.push(${show(value, 60)})`,
            recipe: (d) => void asList(asObj(asObj(asMap(d.groups)?.get(g))?.members)?.[list])?.push(value),
          }
        : {
            description: `groups.get(${show(g)}).members.${list} = junk`,
            recipe: (d) => {
              const m = asObj(asObj(asMap(d.groups)?.get(g))?.members);
              if (m !== undefined) m[list] = w.junk;
            },
          };
    }
    case 'tenantParent': {
      const tenants = [...policy.tenants.keys()];
      const t = pickOf(tenants.length > 0 ? tenants : ['default'], w.pick);
      const parent = pickOf([...tenants, 'default', GHOST, w.junk], w.pick2);
      return {
        description: `tenant ${show(t)}.parent = ${show(parent, 60)}`,
        recipe: (d) => {
          const tenants = asMap(d.tenants);
          const x = asObj(tenants?.get(t));
          if (x !== undefined) x.parent = parent;
          else tenants?.set(t, { id: t, parent });
        },
      };
    }
    case 'setType': {
      const types = [...policy.resourceTypes.keys()];
      const t = pickOf([...types, w.key], w.pick);
      return { description: `resourceTypes.set(${show(t)}, junk)`, recipe: (d) => void asMap(d.resourceTypes)?.set(t, w.junk) };
    }
    case 'setAction': {
      const types = [...policy.resourceTypes.keys()];
      const t = pickOf(types, w.pick);
      const a = pickOf([...(policy.resourceTypes.get(t)?.actions.keys() ?? []), w.key], w.pick2);
      return {
        description: `resourceTypes.get(${show(t)}).actions.set(${show(a)}, junk)`,
        recipe: (d) => void asMap(asObj(asMap(d.resourceTypes)?.get(t))?.actions)?.set(a, w.junk),
      };
    }
    case 'topLevel': {
      const k = pickOf(TOP_KEYS, w.pick);
      return { description: `draft.${k} = junk`, recipe: (d) => void ((d as unknown as Obj)[k] = w.junk) };
    }
    case 'replaceCollection': {
      const m = mutatePolicy(toPolicyInput(policy), [w.mutation]);
      const value = typeof m.policy === 'object' && m.policy !== null ? (m.policy as Obj)[coll] : m.policy;
      return { description: `draft.${coll} = a corrupted list (${m.notes.join('; ')})`, recipe: (d) => void ((d as unknown as Obj)[coll] = value) };
    }
    case 'cycleGroups': {
      const groups = [...policy.groups.values()];
      if (groups.length === 0) return { description: 'nothing', recipe: () => undefined };
      const a = pickOf(groups, w.pick);
      const b = pickOf(groups.filter((g) => g.tenant === a.tenant), w.pick2);
      return {
        description: `groups ${show(a.id)} and ${show(b.id)} contain each other`,
        recipe: (d) => {
          for (const [x, y] of [[a.id, b.id], [b.id, a.id]] as const) {
            const list = asList(asObj(asObj(asMap(d.groups)?.get(x))?.members)?.groups);
            if (list !== undefined && !list.includes(y)) list.push(y);
          }
        },
        expect: 'GroupCycleError',
      };
    }
    case 'cycleRoles': {
      const roles = [...policy.roles.values()];
      if (roles.length === 0) return { description: 'nothing', recipe: () => undefined };
      const a = pickOf(roles, w.pick);
      const below = roles.filter((r) => {
        const seen = new Set<string>();
        for (let cur: string | undefined = r.id; cur !== undefined && !seen.has(cur); cur = policy.roles.get(cur)?.parent) {
          if (cur === a.id) return true;
          seen.add(cur);
        }
        return false;
      });
      const b = pickOf(below, w.pick2);
      return {
        description: `role ${show(a.id)} gets its descendant ${show(b.id)} as parent`,
        recipe: (d) => {
          const r = asObj(asMap(d.roles)?.get(a.id));
          if (r !== undefined) r.parent = b.id;
        },
        expect: 'RoleCycleError',
      };
    }
  }
}

/** Every check the scenario can ask, as one string: to tell that a rejected change changed nothing. */
function answers(engine: Engine, s: Scenario): string {
  const out: string[] = [];
  const users = [...engine.policy.users.keys(), GHOST];
  for (const r of s.resources) {
    const type = engine.policy.resourceTypes.get(r.type);
    if (type === undefined) continue;
    for (const a of type.actions.keys()) for (const u of users) out.push(engine.can(u, a, r) ? '1' : '0');
  }
  return out.join('');
}

/** What must hold after a change attempt. */
function afterChange(engine: Engine, s: Scenario, before: { policy: Policy; revision: number; answers: string }, out: Outcome<unknown>, what: string, expected?: string): void {
  if (!out.ok) {
    landed.rejected++;
    ensure(engine.policy === before.policy, () => `${what}: rejected with ${out.error.name} but engine.policy is another object`);
    ensure(engine.revision === before.revision, () => `${what}: rejected but the revision moved to ${engine.revision}`);
    ensure(answers(engine, s) === before.answers, () => `${what}: rejected but the engine answers differently`);
    if (expected !== undefined) {
      ensure(out.error.name === expected, () => `${what}: expected ${expected}, got ${out.error.name}: ${out.error.message}`);
      landed.cycles++;
    }
    return;
  }
  ensure(expected === undefined || engine.policy === before.policy, () => `${what}: expected ${expected}, but the change landed`);
  landed.accepted++;
  if (engine.policy === before.policy) {
    landed.noop++;
    ensure(engine.revision === before.revision, () => `${what}: nothing changed but the revision moved`);
    return;
  }
  ensure(engine.revision === before.revision + 1, () => `${what}: the revision moved from ${before.revision} to ${engine.revision}`);
  const stored = toPolicyInput(engine.policy);
  const again = guard('createEngine(stored policy after a change)', () => createEngine({ policy: stored }), stats);
  ensure(again.ok, () => `${what}: landed, but the stored policy does not reload: ${again.ok ? '' : `${again.error.name}: ${again.error.message}`}\n${show(stored, 2000)}`);
  if (!smallEnoughForReference(stored as never)) return;
  const problems = compareWithReference(engine, stored, s.resources, { users: [GHOST], groups: [GHOST] });
  ensure(problems.length === 0, () => `${what}: landed, and the engine then disagrees with the reference:\n  ${problems.join('\n  ')}`);
}

describe('fuzz: changes', () => {
  it('recipes writing arbitrary and corrupted values: rejected cleanly (policy === before) or landed validly', async () => {
    let flip = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.array(fc.array(writeArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 4 }), async (s, changes) => {
        await breathe();
        stats.cases++;
        const engine = createEngine({ policy: s.policy });
        for (const writes of changes) {
          const recipes = writes.map((w) => recipeOf(w, engine.policy));
          const what = recipes.map((r) => r.description).join(' + ');
          const recipe = (d: PolicyDraft): void => {
            for (const r of recipes) r.recipe(d);
          };
          const before = { policy: engine.policy, revision: engine.revision, answers: answers(engine, s) };
          // Half through update (a promise that must reject), half through updateSync.
          const out = flip++ % 2 === 0 ? await guardAsync('update(recipe)', () => engine.update(recipe), stats) : guard('updateSync(recipe)', () => engine.updateSync(recipe), stats);
          afterChange(engine, s, before, out, what, recipes.length === 1 ? recipes[0]?.expect : undefined);
        }
      }),
      fuzzParams(300),
    );
    if (FULL_RUN) {
      expect(landed.accepted - landed.noop).toBeGreaterThan(0);
      expect(landed.cycles).toBeGreaterThan(0);
    }
  });

  it('typed commands with arbitrary arguments', async () => {
    const KINDS = ['user', 'role', 'roleAndSubordinates', 'group'] as const;
    const commandArb = fc.record({
      name: fc.constantFrom('addMember', 'removeMember', 'setRole', 'setStatus', 'deleteGroup', 'deleteRole', 'moveResource'),
      i: fc.nat(),
      j: fc.nat(),
      kind: fc.constantFrom(...KINDS),
      // Which argument, if any, is replaced by junk.
      junkAt: fc.nat({ max: 3 }),
      junk,
    });
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.array(commandArb, { minLength: 1, maxLength: 5 }), async (s, commands) => {
        await breathe();
        stats.cases++;
        const records = s.resources.map((r, i) => ({ ...r, id: `r${i}` }) as Resource);
        const engine = createEngine({ policy: s.policy, resources: memoryResourceStore(records) });
        for (const { name, i, j, kind, junkAt, junk: x } of commands) {
          const p = engine.policy;
          const of = (ids: Iterable<string>, k: number): string => pickOf([...ids, GHOST], k);
          const idsOf = (k: (typeof KINDS)[number]): Iterable<string> => (k === 'user' ? p.users.keys() : k === 'group' ? p.groups.keys() : p.roles.keys());
          let args: unknown[];
          switch (name) {
            case 'addMember':
            case 'removeMember':
              args = [of(p.groups.keys(), i), { [kind]: of(idsOf(kind), j) }];
              break;
            case 'setRole':
              args = [of(p.users.keys(), i), j % 5 === 0 ? undefined : of(p.roles.keys(), j)];
              break;
            case 'setStatus':
              args = [of(p.users.keys(), i), j % 2 === 0 ? 'active' : 'inactive'];
              break;
            case 'deleteGroup':
              args = [of(p.groups.keys(), i), j % 3 === 0 ? undefined : { transferTo: kind === 'user' ? { user: of(p.users.keys(), j) } : { group: of(p.groups.keys(), j) } }];
              break;
            case 'deleteRole':
              args = [of(p.roles.keys(), i), { reassignTo: of(p.roles.keys(), j) }];
              break;
            default:
              args = [{ type: (records[i % records.length] as Resource).type, id: `r${i % records.length}` }, { to: of(p.accessGroups.keys(), j), ...(kind === 'user' ? { from: of(p.accessGroups.keys(), i) } : {}) }];
          }
          if (junkAt < args.length) args[junkAt] = x;
          else if (junkAt === 2 && typeof args[1] === 'object' && args[1] !== null) setOwn(args[1], pickOf(['__proto__', 'constructor', 'user', 'group', 'to'], j), x);
          const before = { policy: engine.policy, revision: engine.revision, answers: answers(engine, s) };
          const method = (engine as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!;
          const out = await guardAsync(name, () => method(...args), stats);
          afterChange(engine, s, before, out, `${name}(${args.map((a) => show(a, 80)).join(', ')})`);
        }
      }),
      fuzzParams(200),
    );
  });
});
