/*
 * Fuzzing prototype pollution (issue 10 item 5): another library in the process has put keys on
 * Object.prototype and Array.prototype. For random valid policies and requests, every decision is
 * computed first on a clean prototype (check, can, explain, filter + toPredicate + toSql, whoCan,
 * groupsOf with and without paths, membersOf, effectiveOwners, queries with options), then again
 * with EVERY key the library reads (the fields of the model, of resources, of every options object,
 * of change records and of its own answers, plus `then` and ids of the policy) set on the
 * prototypes to hostile values (ids of the policy, wide levels, lists, objects, true), on the same
 * engine and on an engine built under pollution: nothing may change. Changes run under pollution
 * too (recipes, typed commands, a shared engine replaying a memory repository's change log) and
 * must land exactly as on a clean prototype.
 *
 * The prototypes are always restored in `finally`. Polluted phases run synchronously or on
 * microtasks only (no timers, no I/O), so that nothing outside the library runs while polluted.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  checkPolicy,
  createEngine,
  explainDecision,
  policyGraph,
  memoryRepository,
  memoryResourceStore,
  openEngine,
  toPolicyInput,
  toPredicate,
  type Engine,
  type PolicyInput,
  type Resource,
} from '../../src/index.js';
import { toSql, type SqlMapping } from '../../src/adapters/postgres/to-sql.js';
import { ATTRIBUTE_POOL, changeScenarioArb, GHOST, scenarioArb, type Scenario } from '../arbitraries/policy.js';
import { POLICY_KEYS } from './junk.js';
import { fuzzParams, pollution, TEST_TIMEOUT_MS } from './harness.js';

/** Lets vitest's worker talk to the main process between cases (each case is long). */
const breathe = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

vi.setConfig({ testTimeout: TEST_TIMEOUT_MS });

let cases = 0;
let answers = 0;
afterAll(() => {
  console.log(`fuzz pollution: ${cases} cases, ${answers} answers compared clean vs polluted`);
});

/* ------------------------------------------------------------------------------------------ */
/* The keys the library reads.                                                                 */

/**
 * Every key src/ reads from caller data or from its own objects: the model (POLICY_KEYS), the
 * options of every public call, change records, the library's answers (decisions, filters), and
 * keys that thenables and module interop look at. `constructor`, `toString`, `__proto__` and the
 * like are left alone: replacing them is not pollution but breaking the runtime.
 */
export const READ_KEYS: readonly string[] = [
  ...POLICY_KEYS,
  // resources and owners
  'type', 'owner', 'attributes', 'accessGroups',
  // query, engine, command and adapter options
  'atLeast', 'paths', 'format', 'timeoutMs', 'transferTo', 'reassignTo', 'policy', 'resources', 'revision', 'limits',
  'maxEntities', 'maxGroupMembers', 'maxNestingDepth', 'repository', 'pollIntervalMs', 'onError', 'firstParam',
  'ownerUser', 'ownerGroup', 'table', 'recordId', 'accessGroup',
  // change records
  'ops', 'replace', 'op', 'collection', 'entity', 'field', 'value', 'key', 'then',
  // answers
  'allowed', 'denial', 'reasons', 'source', 'path', 'rule', 'via', 'ownerPath', 'kind', 'ids', 'anyOf', 'sources', 'required',
  // attribute names and ids the generators use
  ...ATTRIBUTE_POOL.filter((k) => k !== '__proto__'),
  'a', 'b', 'a:b', ' ', 'acme', 'lead', 'x y', 'view', 'edit', 'delete', 'share', GHOST,
].filter((k, i, all) => all.indexOf(k) === i);

/** Array.prototype keys: indexes (which a hole would read) and a few fields. */
const ARRAY_KEYS: readonly string[] = ['0', '1', '2', 'user', 'group', 'tenant', 'id'];

/** Hostile values built from the policy: its ids, wide levels, lists, objects, true. */
function hostileValues(policy: PolicyInput): unknown[] {
  const ids = [
    ...(policy.users ?? []).map((u) => u.id),
    ...(policy.groups ?? []).map((g) => g.id),
    ...(policy.tenants ?? []).map((t) => t.id),
    ...(policy.accessGroups ?? []).map((a) => a.id),
    ...(policy.roles ?? []).map((r) => r.id),
  ];
  const some = ids[0] ?? 'a';
  return [
    some,
    ids[ids.length - 1] ?? 'b',
    'default',
    'full',
    'publicFull',
    '*',
    true,
    1,
    0,
    [some],
    ['*'],
    { user: some },
    { group: ids[1] ?? some },
    { all: [] },
    { custom: ['*'] },
    { [some]: 'full' },
  ];
}

type Pollution = readonly (readonly [object, string, unknown])[];

/** Pollutes, runs `f`, and always restores every prototype exactly as it was. */
function polluted<T>(p: Pollution, f: () => T): T {
  const saved = p.map(([o, k]) => [o, k, Object.getOwnPropertyDescriptor(o, k)] as const);
  const arrayLength = Array.prototype.length; // Array.prototype is an array: an index key grows it
  try {
    for (const [o, k, v] of p) Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    return f();
  } finally {
    for (const [o, k, d] of saved) {
      if (d === undefined) delete (o as Record<string, unknown>)[k];
      else Object.defineProperty(o, k, d);
    }
    Array.prototype.length = arrayLength;
  }
}

async function pollutedAsync<T>(p: Pollution, f: () => Promise<T>): Promise<T> {
  const saved = p.map(([o, k]) => [o, k, Object.getOwnPropertyDescriptor(o, k)] as const);
  const arrayLength = Array.prototype.length; // Array.prototype is an array: an index key grows it
  try {
    for (const [o, k, v] of p) Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true });
    return await f();
  } finally {
    for (const [o, k, d] of saved) {
      if (d === undefined) delete (o as Record<string, unknown>)[k];
      else Object.defineProperty(o, k, d);
    }
    Array.prototype.length = arrayLength;
  }
}

/**
 * A pollution plan: a value for every key, picked from the hostile values by `picks`. Changes run
 * without index keys on Array.prototype: immer itself reads an array's holes through the prototype
 * while a recipe pushes onto a draft (a push of a value equal to `Array.prototype[n]` is dropped and
 * the change is then refused for its hole, fail-closed), which is immer's, not ours to fix.
 */
function planOf(policy: PolicyInput, picks: readonly number[], arrayIndexes = true): Pollution {
  const values = hostileValues(policy);
  const pick = (i: number): unknown => values[(picks[i % picks.length] ?? 0) % values.length];
  return [
    ...READ_KEYS.map((k, i) => [Object.prototype, k, pick(i)] as const),
    ...ARRAY_KEYS.filter((k) => arrayIndexes || !/^[0-9]+$/.test(k)).map((k, i) => [Array.prototype, k, pick(i + READ_KEYS.length)] as const),
  ];
}

/* ------------------------------------------------------------------------------------------ */
/* Every answer.                                                                                */

/** A call's outcome as text: its JSON, or the error's name, code and message. */
function outcome(f: () => unknown): string {
  try {
    const v = f();
    return `= ${JSON.stringify(v) ?? 'undefined'}`;
  } catch (e) {
    const err = e as { name?: unknown; code?: unknown; message?: unknown };
    return `! ${String(err.name)} ${String(err.code)} ${String(err.message)}`;
  }
}

/** Adds a hole and nulls to a resource, what rows and sparse lists look like. */
function variants(r: Resource): Resource[] {
  const out: Resource[] = [r];
  const listed = r.accessGroups;
  if (listed !== undefined && listed.length > 0) {
    const holey: string[] = [];
    holey[1] = listed[0] as string; // index 0 is a hole
    out.push({ ...r, accessGroups: holey });
  }
  out.push({ ...r, tenant: null, accessGroups: null, attributes: null } as unknown as Resource);
  out.push({ type: r.type, id: r.id, owner: r.owner } as Resource);
  return out;
}

/** A labelled call; the list is built on a clean prototype, so the test's own code reads nothing polluted. */
type Call = readonly [string, (engine: Engine) => unknown];

function callsOf(s: Scenario): Call[] {
  const calls: Call[] = [];
  const put = (label: string, f: (engine: Engine) => unknown): void => {
    calls.push([label, f]);
  };
  const users = [...(s.policy.users ?? []).map((u) => u.id), GHOST];
  const groups = [...(s.policy.groups ?? []).map((g) => g.id), GHOST];
  const resources = s.resources.flatMap(variants);
  const actionsOf = (type: string): string[] => Object.keys(s.policy.resourceTypes[type]?.actions ?? {});
  const mappings: SqlMapping[] = [
    { ownerUser: 'ou', ownerGroup: 'og', shares: false },
    { ownerUser: 'ou', ownerGroup: 'og', tenant: 't', accessGroups: 'ag', attributes: 'attrs', type: 'ty', shares: false },
    { ownerUser: 'ou', ownerGroup: 'og', accessGroups: { table: 'j', recordId: 'rid', accessGroup: 'agid', id: 'id' }, attributes: 'attrs', shares: { table: 's', recordId: 'rid', principalKind: 'pk', principalId: 'pid', level: 'lv', since: 'sn', until: 'un', id: 'id' } },
  ];
  put('policy', (e) => toPolicyInput(e.policy));
  put('checkPolicy', () => checkPolicy(s.policy));
  put('policyGraph', () => policyGraph(s.policy));
  put('policyGraph dot users', () => policyGraph(s.policy, { format: 'dot', users: true }));
  resources.forEach((r, ri) => {
    for (const a of actionsOf(r.type)) {
      for (const u of users) {
        const at = `${u}|${a}|${ri}`;
        put(`check ${at}`, (e) => e.check(u, a, r));
        put(`can ${at}`, (e) => e.can(u, a, r));
        put(`can {} ${at}`, (e) => e.can(u, a, r, {}));
        put(`can atLeast ${at}`, (e) => e.can(u, a, r, { atLeast: 0 }));
        put(`explain ${at}`, (e) => e.explain(u, a, r));
        put(`explain json ${at}`, (e) => e.explain(u, a, r, { format: 'json' }));
        // A decision that travelled as JSON (another process, a log) renders the same.
        put(`explainDecision ${at}`, (e) => explainDecision(JSON.parse(JSON.stringify(e.check(u, a, r))) as never));
      }
      put(`whoCan ${a}|${ri}`, (e) => e.whoCan(a, r));
    }
    put(`effectiveOwners ${ri}`, (e) => e.effectiveOwners(r));
  });
  for (const type of Object.keys(s.policy.resourceTypes)) {
    for (const a of actionsOf(type)) {
      for (const u of users) {
        const at = `${u}|${a}|${type}`;
        put(`filter ${at}`, (e) => e.filter(u, a, type));
        put(`toPredicate ${at}`, (e) => {
          const pred = toPredicate(e.filter(u, a, type));
          return resources.map((r) => pred(r));
        });
        mappings.forEach((m, mi) => put(`toSql ${at}|${mi}`, (e) => toSql(e.filter(u, a, type), m)));
      }
    }
  }
  for (const u of users) {
    put(`groupsOf ${u}`, (e) => e.groupsOf(u));
    put(`groupsOf {} ${u}`, (e) => e.groupsOf(u, {}));
    put(`groupsOf paths ${u}`, (e) => e.groupsOf(u, { paths: true }));
  }
  for (const g of groups) put(`membersOf ${g}`, (e) => e.membersOf(g));
  return calls;
}

function allAnswers(engine: Engine, calls: readonly Call[]): string[] {
  const out: string[] = new Array<string>(calls.length);
  for (let i = 0; i < calls.length; i++) out[i] = outcome(() => (calls[i] as Call)[1](engine));
  return out;
}

function sameAnswers(calls: readonly Call[], clean: readonly string[], dirty: readonly string[], what: string): void {
  answers += calls.length;
  calls.forEach(([label], i) => {
    if (dirty[i] !== clean[i]) throw new Error(`${what}: ${label} changed under pollution:\n  clean:    ${String(clean[i]).slice(0, 600)}\n  polluted: ${String(dirty[i]).slice(0, 600)}`);
  });
}

const picksArb = fc.array(fc.nat(), { minLength: 1, maxLength: 40 });

/* ------------------------------------------------------------------------------------------ */
/* Changes.                                                                                     */

/** Runs the changes one by one; the outcome of each and the policy after all of them. */
function runChanges(engine: Engine, recipes: readonly ((d: never) => void)[]): string[] {
  const out: string[] = [];
  for (const r of recipes) out.push(outcome(() => engine.updateSync(r as never)));
  out.push(outcome(() => toPolicyInput(engine.policy)));
  return out;
}

/** A few typed commands over the policy's ids. */
interface CommandIds {
  readonly users: readonly string[];
  readonly groups: readonly string[];
  readonly roles: readonly string[];
}

const commandIds = (s: Scenario): CommandIds => ({
  users: (s.policy.users ?? []).map((u) => u.id),
  groups: (s.policy.groups ?? []).map((g) => g.id),
  roles: (s.policy.roles ?? []).map((r) => r.id),
});

async function runCommands(engine: Engine, { users, groups, roles }: CommandIds): Promise<string[]> {
  const out: string[] = [];
  const run = async (label: string, f: () => Promise<unknown>): Promise<void> => {
    try {
      out.push(`${label} = ${JSON.stringify(await f())}`);
    } catch (e) {
      const err = e as { name?: unknown; message?: unknown };
      out.push(`${label} ! ${String(err.name)} ${String(err.message)}`);
    }
  };
  const [u0, u1] = users;
  const [g0, g1] = groups;
  const [r0, r1] = roles;
  if (g0 !== undefined && u0 !== undefined) await run('addMember', () => engine.addMember(g0, { user: u0 }));
  if (g0 !== undefined && g1 !== undefined) await run('addMember group', () => engine.addMember(g0, { group: g1 }));
  if (g0 !== undefined && u1 !== undefined) await run('removeMember', () => engine.removeMember(g0, { user: u1 }));
  if (u0 !== undefined) await run('setStatus', () => engine.setStatus(u0, 'inactive'));
  if (u1 !== undefined && r0 !== undefined) await run('setRole', () => engine.setRole(u1, r0));
  if (r0 !== undefined && r1 !== undefined) await run('deleteRole', () => engine.deleteRole(r1, { reassignTo: r0 }));
  if (g0 !== undefined) await run('deleteGroup', () => engine.deleteGroup(g0));
  if (g1 !== undefined && u0 !== undefined) await run('deleteGroup transfer', () => engine.deleteGroup(g1, { transferTo: { user: u0 } }));
  out.push(JSON.stringify(toPolicyInput(engine.policy)));
  return out;
}

/** A store holding the scenario's resources, so that group deletions have records to transfer. */
const storeOf = (s: Scenario) => memoryResourceStore(s.resources.map((r) => structuredClone(r)));

/* ------------------------------------------------------------------------------------------ */

describe('fuzz: prototype pollution changes no decision', () => {
  // A filter carries the instant it was built at (for record shares): every answer at one instant.
  beforeAll(() => void vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-01-01T00:00:00Z') }));
  afterAll(() => void vi.useRealTimers());

  it('the key list covers the fields of the model, options and change records', () => {
    for (const k of ['accessGroups', 'attributes', 'equals', 'role', 'segment', 'accessLevel', 'readActions', 'tenant', 'user', 'replace', 'ops', 'then', 'group', 'atLeast', 'transferTo']) {
      expect(READ_KEYS).toContain(k);
    }
  });

  it('every query answers the same on a polluted prototype, on the same engine and on one built polluted', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), picksArb, async (s, picks) => {
        await breathe();
        cases++;
        const engine = createEngine({ policy: s.policy });
        const calls = callsOf(s);
        const clean = allAnswers(engine, calls);
        const plan = planOf(s.policy, picks);
        const [same, rebuilt] = polluted(plan, () => [allAnswers(engine, calls), allAnswers(createEngine({ policy: s.policy }), calls)] as const);
        expect(pollution()).toEqual([]);
        sameAnswers(calls, clean, same, 'same engine');
        sameAnswers(calls, clean, rebuilt, 'engine built polluted');
      }),
      fuzzParams(60),
    );
  });

  it('recipes, commands and a shared engine replaying the change log land the same under pollution', async () => {
    await fc.assert(
      fc.asyncProperty(changeScenarioArb(), picksArb, async (s, picks) => {
        await breathe();
        cases++;
        const recipes = s.changes.map((c) => c.recipe as (d: never) => void);
        const plan = planOf(s.policy, picks, false);

        const cleanChanges = runChanges(createEngine({ policy: s.policy }), recipes);
        const dirtyChanges = polluted(plan, () => runChanges(createEngine({ policy: s.policy }), recipes));
        expect(dirtyChanges).toEqual(cleanChanges);

        const ids = commandIds(s);
        const cleanCommands = await runCommands(createEngine({ policy: s.policy, resources: storeOf(s) }), ids);
        const store = storeOf(s);
        const dirtyCommands = await pollutedAsync(plan, () => runCommands(createEngine({ policy: s.policy, resources: store }), ids));
        expect(dirtyCommands).toEqual(cleanCommands);

        // A writer appends the changes to a memory repository; a follower opened under pollution
        // replays the log (entity ops, and whole-policy records for opaque changes).
        const repository = memoryRepository(s.policy);
        const writer = await openEngine({ repository, pollIntervalMs: 0 });
        for (const r of recipes) await writer.update(r as never).catch(() => undefined);
        const expected = JSON.stringify(toPolicyInput(writer.policy));
        const log = JSON.stringify(repository.log());
        const follower = await pollutedAsync(plan, async () => {
          const f = await openEngine({ repository, pollIntervalMs: 0 });
          return { f, policy: JSON.stringify(toPolicyInput(f.policy)), revision: f.revision };
        });
        expect(pollution()).toEqual([]);
        expect(follower.policy).toBe(expected);
        expect(follower.revision).toBe(writer.revision);
        expect(JSON.stringify(repository.log())).toBe(log);
        await follower.f.close();
        await writer.close();
      }),
      fuzzParams(40),
    );
  });
});
