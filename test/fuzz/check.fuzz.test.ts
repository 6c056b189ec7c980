/*
 * Fuzzing the queries: check, can, explain, whoCan, effectiveOwners, filter, groupsOf and
 * membersOf with arguments that start as well-formed requests against a random valid policy and
 * are then corrupted (a field replaced by arbitrary junk or deleted, the owner given two kinds or
 * none, odd ids, unknown keys, pollution payloads, inherited fields), or are arbitrary values
 * outright.
 *
 * Each request is classified here, independently of src/, by SPEC section 2's resource shape:
 *  - `core`: the user (when the call takes one) is not an id, the action is not a string, the
 *    resource is not an object, its type is undeclared, the action undeclared for it, its id or
 *    tenant not an id, its owner not exactly one of { user: id } / { group: id } (no other key),
 *    its accessGroups not a list of ids, or its attributes not a mapping of strings, finite
 *    numbers, booleans and lists of strings. The call must throw InvalidInputError: never a
 *    decision, so never allowed=true.
 *  - `lenient`: only an attribute list with a hole (known-bugs.test.ts BUG 9): the call must only
 *    stay typed.
 *  - `ok`: the call must return, and its answer must be well-formed and agree with can() and with
 *    the reference evaluator.
 */
import fc from 'fast-check';
import { instantMillis } from '../../src/model/instant.js';
import { afterAll, describe, it, vi } from 'vitest';
import { createEngine, InvalidInputError, LEVELS, toPredicate, type Engine, type PolicyInput, type Resource } from '../../src/index.js';
import { GHOST, ID_POOL, ownedScenarioArb as scenarioArb, type Scenario } from '../arbitraries/policy.js';
import { decisionInvariants } from '../reference/compare.js';
import { refCheck, refEffectiveOwners, refWhoCan } from '../reference/evaluator.js';
import { breathe, ensure, fuzzParams, guard, show, Stats, TEST_TIMEOUT_MS, type Outcome } from './harness.js';
import { junkArb, keyArb, ODD_STRINGS, ownObject, setOwn } from './junk.js';

vi.setConfig({ testTimeout: TEST_TIMEOUT_MS });

const stats = new Stats();
const verdicts = new Map<string, number>();
let lenientAllowed = 0;
afterAll(() => {
  console.log(stats.summary('fuzz queries'));
  console.log(`  requests by class: ${[...verdicts].map(([k, v]) => `${k}=${v}`).join(' ')}; lenient requests allowed: ${lenientAllowed}`);
});

/* ------------------------------------------------------------------------------------------ */
/* The independent classification of a request.                                                */

type Verdict = { kind: 'ok' } | { kind: 'core' | 'lenient'; why: string };

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function actionsOf(policy: PolicyInput, type: string): string[] | undefined {
  if (!hasOwn(policy.resourceTypes, type)) return undefined;
  return Object.keys((policy.resourceTypes as Record<string, { actions: object }>)[type]!.actions);
}

/** An attribute value: 'ok', 'bad', or 'hole' for a list of strings with a hole (BUG 9). */
function attributeValue(v: unknown): 'ok' | 'bad' | 'hole' {
  if (typeof v === 'string' || typeof v === 'boolean') return 'ok';
  if (typeof v === 'number') return Number.isFinite(v) ? 'ok' : 'bad';
  if (!Array.isArray(v)) return 'bad';
  let hole = false;
  for (let i = 0; i < v.length; i++) {
    if (!(i in v)) hole = true;
    else if (typeof v[i] !== 'string') return 'bad';
  }
  return hole ? 'hole' : 'ok';
}

/** Plain data: an object whose prototype is Object.prototype or null (not an array, a class instance, an object inheriting its fields). */
const isPlain = (v: unknown): v is object =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null);
/** An own enumerable field, what the engine reads; null (a database NULL) counts as absent in optional fields (SPEC item 14). */
const field = (o: object, k: string): unknown => (Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined);
const optional = (o: object, k: string): unknown => field(o, k) ?? undefined;

/** Only the owner: what effectiveOwners validates. */
function classifyOwner(resource: unknown): Verdict {
  if (!isPlain(resource)) return { kind: 'core', why: 'resource is not a plain object' };
  const owner = field(resource, 'owner');
  if (!isPlain(owner)) return { kind: 'core', why: 'owner is not a plain object' };
  if (Object.keys(owner).some((k) => k !== 'user' && k !== 'group')) return { kind: 'core', why: 'owner has further keys' };
  const u = optional(owner, 'user');
  const g = optional(owner, 'group');
  if ((u === undefined) === (g === undefined)) return { kind: 'core', why: 'owner is not exactly one of user and group' };
  if (!isId(u ?? g)) return { kind: 'core', why: 'owner id is not an id' };
  return { kind: 'ok' };
}

function classify(policy: PolicyInput, user: unknown, action: unknown, resource: unknown, withUser = true): Verdict {
  if (withUser && !isId(user)) return { kind: 'core', why: 'user is not an id' };
  if (!isPlain(resource)) return { kind: 'core', why: 'resource is not a plain object' };
  const type = field(resource, 'type');
  if (typeof type !== 'string') return { kind: 'core', why: 'type is not a string' };
  const actions = actionsOf(policy, type);
  if (actions === undefined) return { kind: 'core', why: 'type is not declared' };
  if (typeof action !== 'string') return { kind: 'core', why: 'action is not a string' };
  if (!actions.includes(action)) return { kind: 'core', why: 'action is not declared' };
  if (!isId(field(resource, 'id'))) return { kind: 'core', why: 'id is not an id' };
  const tenant = optional(resource, 'tenant');
  if (tenant !== undefined && !isId(tenant)) return { kind: 'core', why: 'tenant is not an id' };
  const owner = classifyOwner(resource);
  if (owner.kind === 'core') return owner;
  const listed = optional(resource, 'accessGroups');
  if (listed !== undefined && !Array.isArray(listed)) return { kind: 'core', why: 'accessGroups is not a list' };
  if (Array.isArray(listed)) {
    for (let i = 0; i < listed.length; i++) if (!hasOwn(listed, String(i)) || !isId(listed[i])) return { kind: 'core', why: 'accessGroups holds a non-id' };
  }
  // SPEC 9: `parent` on a record of a type without controlledBy, and any malformed share, are refused.
  if (optional(resource, 'parent') !== undefined) return { kind: 'core', why: 'a parent on a record of an uncontrolled type' };
  const shares = optional(resource, 'shares');
  if (shares !== undefined && !wellFormedShares(shares)) return { kind: 'core', why: 'shares are malformed' };
  const attrs = optional(resource, 'attributes');
  if (attrs !== undefined) {
    if (!isPlain(attrs)) return { kind: 'core', why: 'attributes are not a mapping' };
    const values = Object.keys(attrs).map((k) => field(attrs, k)).filter((x) => x !== null && x !== undefined).map(attributeValue);
    if (values.includes('bad')) return { kind: 'core', why: 'an attribute value is malformed' };
    if (values.includes('hole')) return { kind: 'core', why: 'an attribute list has a hole (BUG 9, fixed)' };
  }
  return owner;
}

/** Whether `value` is a well-formed list of record shares: { to: one principal, level, since?, until? } each. */
function wellFormedShares(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const sh: unknown = hasOwn(value, String(i)) ? value[i] : undefined;
    if (!isPlain(sh) || Object.keys(sh).some((k) => !['to', 'level', 'since', 'until'].includes(k))) return false;
    const to = field(sh, 'to');
    if (!isPlain(to) || Object.keys(to).length !== 1 || !['user', 'role', 'roleAndSubordinates', 'group'].includes(Object.keys(to)[0] as string) || !isId(field(to, Object.keys(to)[0] as string))) return false;
    if (!['read', 'readWrite', 'full'].includes(field(sh, 'level') as string)) return false;
    const bound = (k: string): number | undefined | false => {
      const b = optional(sh, k);
      if (b === undefined) return undefined;
      const ms = typeof b === 'string' ? instantMillis(b) : undefined;
      return ms === undefined ? false : ms;
    };
    const since = bound('since');
    const until = bound('until');
    if (since === false || until === false || (since !== undefined && until !== undefined && since >= until)) return false;
  }
  return true;
}

/** The request as the reference evaluator takes it: own fields only, null optional fields dropped. */
function cleaned(resource: unknown): Resource {
  const r = resource as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(r)) if (field(r, k) !== null && field(r, k) !== undefined) setOwn(out, k, field(r, k));
  const owner = field(r, 'owner') as Record<string, unknown>;
  out.owner = optional(owner, 'user') !== undefined ? { user: owner.user } : { group: owner.group };
  const attrs = field(r, 'attributes');
  if (isPlain(attrs)) {
    const a: Record<string, unknown> = {};
    for (const k of Object.keys(attrs)) if (optional(attrs, k) !== undefined) setOwn(a, k, field(attrs, k));
    out.attributes = a;
  }
  return out as unknown as Resource;
}

/* ------------------------------------------------------------------------------------------ */
/* Requests.                                                                                    */

const FIELDS = ['type', 'id', 'tenant', 'owner', 'accessGroups', 'attributes'] as const;
const CORRUPTIONS = [
  'user', 'userOdd', 'action', 'actionOdd', 'resource', 'field', 'deleteField', 'ownerBoth', 'ownerNone', 'ownerJunkId', 'ownerExtra',
  'accessGroupJunk', 'attributeJunk', 'extraKey', 'inherited',
] as const;

interface Corruption {
  readonly what: (typeof CORRUPTIONS)[number];
  readonly junk: unknown;
  readonly key: string;
  readonly pick: number;
}

const corruptionArb: fc.Arbitrary<Corruption> = fc.record({ what: fc.constantFrom(...CORRUPTIONS), junk: junkArb(), key: keyArb, pick: fc.nat() });

interface RequestSpec {
  readonly ui: number;
  readonly ai: number;
  readonly ri: number;
  readonly corruptions: readonly Corruption[];
}

const requestArb: fc.Arbitrary<RequestSpec> = fc.record({
  ui: fc.nat(),
  ai: fc.nat(),
  ri: fc.nat(),
  corruptions: fc.oneof(fc.constant([]), fc.array(corruptionArb, { minLength: 1, maxLength: 2 })),
});

interface Request {
  user: unknown;
  action: unknown;
  resource: unknown;
  notes: string[];
}

function buildRequest(s: Scenario, spec: RequestSpec): Request {
  const users = [...(s.policy.users ?? []).map((u) => u.id), GHOST, ...ID_POOL];
  const base = s.resources[spec.ri % s.resources.length] as Resource;
  const resource = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  const actions = actionsOf(s.policy, base.type) as string[];
  const req: Request = { user: users[spec.ui % users.length], action: actions[spec.ai % actions.length], resource, notes: [] };
  for (const c of spec.corruptions) {
    const r = (typeof req.resource === 'object' && req.resource !== null ? req.resource : {}) as Record<string, unknown>;
    const field = FIELDS[c.pick % FIELDS.length] as string;
    req.notes.push(c.what);
    switch (c.what) {
      case 'user':
        req.user = c.junk;
        break;
      case 'userOdd':
        req.user = ODD_STRINGS[c.pick % ODD_STRINGS.length];
        break;
      case 'action':
        req.action = c.junk;
        break;
      case 'actionOdd': {
        const all = Object.values(s.policy.resourceTypes).flatMap((t) => Object.keys(t.actions));
        req.action = [...ODD_STRINGS, ...all][c.pick % (ODD_STRINGS.length + all.length)];
        break;
      }
      case 'resource':
        req.resource = c.junk;
        break;
      case 'field':
        setOwn(r, field, c.junk);
        break;
      case 'deleteField':
        delete r[field];
        break;
      case 'ownerBoth':
        r.owner = { user: users[c.pick % users.length], group: users[(c.pick >> 3) % users.length] };
        break;
      case 'ownerNone':
        r.owner = {};
        break;
      case 'ownerJunkId':
        r.owner = ownObject([[c.pick % 2 === 0 ? 'user' : 'group', c.junk]]);
        break;
      case 'ownerExtra':
        if (typeof r.owner === 'object' && r.owner !== null) setOwn(r.owner, c.key, c.junk);
        break;
      case 'accessGroupJunk':
        r.accessGroups = [...(Array.isArray(r.accessGroups) ? r.accessGroups : []), c.junk];
        break;
      case 'attributeJunk': {
        const attrs = typeof r.attributes === 'object' && r.attributes !== null ? r.attributes : {};
        setOwn(attrs, c.key, c.junk);
        r.attributes = attrs;
        break;
      }
      case 'extraKey':
        setOwn(r, c.key, c.junk);
        break;
      case 'inherited':
        // Every field inherited rather than own: reads see them, as the application's code would.
        req.resource = Object.create(r) as unknown;
        break;
    }
  }
  return req;
}

/* ------------------------------------------------------------------------------------------ */
/* Oracles.                                                                                     */

function count(kind: string): void {
  verdicts.set(kind, (verdicts.get(kind) ?? 0) + 1);
}

/** A core-malformed call must throw InvalidInputError; a lenient one may also return. */
function judge<T>(label: string, v: Verdict, out: Outcome<T>, req: Request): out is Outcome<T> & { ok: true } {
  const where = (): string => `${label} on ${show({ user: req.user, action: req.action, resource: req.resource })} (${req.notes.join(', ') || 'unchanged'})`;
  if (v.kind === 'core') {
    if (out.ok) ensure(false, () => `${where()}: returned ${show(out.value)} for a malformed request (${v.why}); SPEC says InvalidInputError`);
    else if (!(out.error instanceof InvalidInputError)) ensure(false, () => `${where()}: threw ${out.error.name}, expected InvalidInputError (${v.why})`);
    return false;
  }
  if (v.kind === 'ok' && !out.ok) ensure(false, () => `${where()}: threw ${out.error.name}: ${out.error.message} on a well-formed request`);
  return out.ok;
}

function probe(engine: Engine, s: Scenario, req: Request): void {
  const { user, action, resource } = req;
  const v = classify(s.policy, user, action, resource);
  count(v.kind);
  const d = guard('check', () => engine.check(user as string, action as string, resource as Resource), stats);
  const c = guard('can', () => engine.can(user as string, action as string, resource as Resource), stats);
  const e = guard('explain', () => engine.explain(user as string, action as string, resource as Resource), stats);
  const okD = judge('check', v, d, req);
  judge('can', v, c, req);
  judge('explain', v, e, req);
  if (d.ok && v.kind === 'lenient' && d.value.allowed) lenientAllowed++;
  if (okD) {
    const dec = d.value;
    ensure(c.ok && c.value === dec.allowed, () => `can and check disagree on ${show(req)}`);
    ensure(e.ok && typeof e.value === 'string', 'explain did not return text');
    ensure(typeof dec.allowed === 'boolean' && LEVELS.includes(dec.level) && LEVELS.includes(dec.required), () => `malformed decision ${show(dec)}`);
    const problems = decisionInvariants(dec);
    ensure(problems.length === 0, () => `decision invariants: ${problems.join('; ')} in ${show(dec)}`);
    const r = cleaned(resource);
    ensure(dec.resource.tenant === (r.tenant ?? 'default') && dec.resource.type === r.type && dec.resource.id === r.id, () => `decision names another resource: ${show(dec.resource)}`);
    if (v.kind === 'ok') {
      const ref = refCheck(s.policy, user as string, action as string, r);
      ensure(ref.allowed === dec.allowed && ref.denial === dec.denial, () => `engine says ${dec.allowed ? 'allow' : `deny (${dec.denial})`}, reference says ${ref.allowed ? 'allow' : `deny (${ref.denial})`} for ${show(req)}`);
    }
  }

  // whoCan: the same request without a user.
  const vw = classify(s.policy, user, action, resource, false);
  const w = guard('whoCan', () => engine.whoCan(action as string, resource as Resource), stats);
  if (judge('whoCan', vw, w, req) && vw.kind === 'ok') {
    const ref = refWhoCan(s.policy, action as string, cleaned(resource));
    ensure(JSON.stringify(w.value) === JSON.stringify(ref), () => `whoCan ${show(w.value)} but reference ${show(ref)} for ${show(req)}`);
  }

  // effectiveOwners validates only the owner.
  // ... and, on a record of a declared type (SPEC 9), that an uncontrolled one has no parent.
  const declared = isPlain(resource) && typeof field(resource, 'type') === 'string' && Object.hasOwn(s.policy.resourceTypes, field(resource, 'type') as string);
  const vo: Verdict = declared && optional(resource, 'parent') !== undefined ? { kind: 'core', why: 'a parent on a record of an uncontrolled type' } : classifyOwner(resource);
  const o = guard('effectiveOwners', () => engine.effectiveOwners(resource as Resource), stats);
  if (judge('effectiveOwners', vo, o, req) && vo.kind === 'ok') {
    const ref = refEffectiveOwners(s.policy, cleaned(resource));
    ensure(JSON.stringify(o.value) === JSON.stringify(ref), () => `effectiveOwners ${show(o.value)} but reference ${show(ref)}`);
  }

  // filter(user, action, type), with the resource's type (or junk in its place).
  const type = typeof resource === 'object' && resource !== null ? (resource as { type?: unknown }).type : resource;
  const vf = classify(s.policy, user, action, { type, id: 'x', owner: { user: 'x' } });
  const f = guard('filter', () => engine.filter(user as string, action as string, type as string), stats);
  // toPredicate reads a record's own fields only (inherited ones never count, issue 10 item 5), so
  // it is compared with check on records whose fields are their own.
  if (judge('filter', vf, f, req) && v.kind === 'ok' && d.ok && !req.notes.includes('inherited')) {
    ensure(toPredicate(f.value)(resource as Resource) === d.value.allowed, () => `filter's predicate and check disagree on ${show(req)}`);
  }

  const g = guard('groupsOf', () => engine.groupsOf(user as string), stats);
  judge('groupsOf', isId(user) ? { kind: 'ok' } : { kind: 'core', why: 'user is not an id' }, g, req);
  const m = guard('membersOf', () => engine.membersOf(user as string), stats);
  judge('membersOf', isId(user) ? { kind: 'ok' } : { kind: 'core', why: 'group is not an id' }, m, req);
}

describe('fuzz: queries', () => {
  it('corrupted requests throw InvalidInputError (never a decision); well-formed ones agree with the reference', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.array(requestArb, { minLength: 1, maxLength: 12 }), async (s, specs) => {
        await breathe();
        stats.cases++;
        const engine = createEngine({ policy: s.policy });
        for (const spec of specs) probe(engine, s, buildRequest(s, spec));
      }),
      fuzzParams(500),
    );
  });

  it('arbitrary values as every argument', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), junkArb(), junkArb(), junkArb(), async (s, user, action, resource) => {
        await breathe();
        stats.cases++;
        const engine = createEngine({ policy: s.policy });
        probe(engine, s, { user, action, resource, notes: ['all junk'] });
      }),
      fuzzParams(250),
    );
  });
});
