import type { Decision } from '../decide/decision.js';
import { createEngine } from '../engine/create-engine.js';
import { InvalidInputError, LimitError } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import { expectInstant, formatInstant, instantMillis } from '../model/instant.js';
import type { Policy } from '../model/policy.js';
import type { PolicyInput } from '../model/policy-input.js';
import type { Owner, Resource } from '../model/resource.js';
import { expectArray, expectObject, fail, isPlainObject, onlyKeys, own } from '../model/shape.js';
import { affected, type Affected } from './affected.js';
import { unionKeys, type Side } from './side.js';
import { membershipChanges, structuralChanges } from './structural.js';
import { DEFAULT_DIFF_LIMIT, type AccessChange, type AccessDiff, type AccessDiffOptions, type AccessDiffStream, type AccessDiffSummary, type DiffDenial } from './types.js';

/*
 * accessDiff: the access that changes between two versions of a policy, for a list of records.
 * Two engines, one per version; the decisions compared are those that can differ (affected.ts),
 * every other one being provably the same; the structural changes come from groupsOf and the
 * group lists (structural.ts).
 */

interface Options {
  readonly asOf: string;
  readonly limit: number;
}

function readOptions(options: unknown): Options {
  if (options === undefined) return { asOf: formatInstant(Date.now()), limit: DEFAULT_DIFF_LIMIT };
  const o = expectObject(options, ['options'], 'an options object');
  onlyKeys(o, ['asOf', 'limit'], ['options']);
  const asOf = own(o, 'asOf');
  const limit = own(o, 'limit');
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0)) {
    fail(['options', 'limit'], 'expected a whole number of decisions, 0 or more');
  }
  return {
    asOf: asOf === undefined ? formatInstant(Date.now()) : expectInstant(asOf, ['options', 'asOf'], 'asOf, an instant'),
    limit: (limit as number | undefined) ?? DEFAULT_DIFF_LIMIT,
  };
}

/** The owners on a record's parent chain (a controlled record's access is its parent's). */
function ownersOf(r: object): Owner[] {
  const out: Owner[] = [];
  const seen = new Set<object>();
  let at: unknown = r;
  while (isPlainObject(at) && !seen.has(at)) {
    seen.add(at);
    const owner = own(at, 'owner');
    if (isPlainObject(owner)) {
      const user = own(owner, 'user');
      const group = own(owner, 'group');
      if (typeof user === 'string') out.push({ user });
      else if (typeof group === 'string') out.push({ group });
    }
    at = own(at, 'parent');
  }
  return out;
}

interface Target {
  readonly resource: Resource;
  readonly type: string;
  readonly id: Id;
  /** The actions of its type on either side, each once, the old policy's order first. */
  readonly actions: readonly string[];
  readonly everyone: boolean;
}

function targetOf(value: unknown, i: number, before: Policy, after: Policy, what: Affected): Target {
  const r = expectObject(value, ['resources', i], 'a resource');
  const type = own(r, 'type');
  const id = own(r, 'id');
  if (typeof type !== 'string') fail(['resources', i, 'type'], 'expected the name of a resource type');
  if (typeof id !== 'string') fail(['resources', i, 'id'], "expected the resource's id");
  const b = before.resourceTypes.get(type);
  const a = after.resourceTypes.get(type);
  if (b === undefined && a === undefined) fail(['resources', i, 'type'], `no resource type ${JSON.stringify(type)} in either policy; declare it in resourceTypes or leave the resource out`);
  const actions = [...new Set([...(b?.actions.keys() ?? []), ...(a?.actions.keys() ?? [])])];
  return { resource: r as unknown as Resource, type, id, actions, everyone: what.everyone || ownersOf(r).some(what.owner) };
}

interface Verdict {
  readonly allowed: boolean;
  readonly reasons: Decision['reasons'];
  readonly denial?: DiffDenial;
}

const UNDECLARED: Verdict = { allowed: false, reasons: [], denial: 'undeclared' };

/** The decision with its reasons (asked only for the decisions that flip). */
function decide(side: Side, user: Id, action: string, t: Target): Verdict {
  if (side.policy.resourceTypes.get(t.type)?.actions.has(action) !== true) return UNDECLARED;
  const d = side.engine.check(user, action, t.resource, side.at);
  return { allowed: d.allowed, reasons: d.reasons, ...(d.denial === undefined ? {} : { denial: d.denial }) };
}

/** Whether the side allows it: the comparison of every decision, as cheap as a check gets. */
function allows(side: Side, declared: boolean, user: Id, action: string, t: Target): boolean {
  return declared && side.engine.can(user, action, t.resource);
}

const verdict = (allowed: boolean): 'allow' | 'deny' => (allowed ? 'allow' : 'deny');

/** The user a record is probed with when it is checked up front (any id does: only the record is read). */
const RECORD_PROBE = 'purview-access-diff';

/**
 * The access that changes between two versions of a policy, as a stream: what {@link accessDiff}
 * answers, with the flipped decisions produced one at a time by `changes()`, so that a diff with
 * very many of them is written out as it goes and never held in memory at once (`purview diff`
 * streams its output this way). Everything else (loading both policies, the structural changes,
 * the count of decisions to compare and its `limit`) is done when the stream is made, so that an
 * error is thrown before the first change. `changes()` may be iterated once; its return value (the
 * generator's `done` value) is the summary.
 * @example
 * ```ts
 * const diff = streamAccessDiff(oldPolicy, newPolicy, leads, { limit: 50_000_000 });
 * const it = diff.changes();
 * for (let r = it.next(); ; r = it.next()) {
 *   if (r.done) { console.log(r.value); break; } // { changed, gained, lost, compared }
 *   log.write(JSON.stringify(r.value) + '\n');
 * }
 * ```
 */
export function streamAccessDiff(before: PolicyInput | Policy, after: PolicyInput | Policy, resources: readonly Resource[], options?: AccessDiffOptions): AccessDiffStream {
  const { asOf, limit } = readOptions(options);
  const list = expectArray(resources, ['resources']);
  const at = { asOf };
  // Both engines' clocks stand at the diff's instant, so that a comparison is a bare can() (no
  // options to read); reasons are asked for only on the decisions that flip.
  const atMs = instantMillis(asOf) as number;
  const clock = (): number => atMs;
  const oldEngine = createEngine({ policy: before, clock });
  const newEngine = createEngine({ policy: after, clock });
  const old: Side = { engine: oldEngine, policy: oldEngine.policy, at };
  const now: Side = { engine: newEngine, policy: newEngine.policy, at };

  const memberships = membershipChanges(old, now);
  const what = affected(old, now, memberships.changedUsers);
  const users = unionKeys(old.policy.users, now.policy.users);
  const someUsers = users.filter((u) => what.users.has(u));
  const targets = list.map((r, i) => targetOf(r, i, old.policy, now.policy, what));
  // Each record read as a check reads it, on each side that declares its type, before any change
  // is made: a malformed record is an error here, not in the middle of the stream.
  for (const t of targets) {
    for (const side of [old, now]) if (side.policy.resourceTypes.has(t.type)) side.engine.permittedFields(RECORD_PROBE, t.resource);
  }

  let needed = 0;
  for (const t of targets) needed += (t.everyone ? users.length : someUsers.length) * t.actions.length;
  if (needed > limit) {
    throw new LimitError({
      limit: 'accessDiff limit',
      max: limit,
      message: `the diff needs ${needed} decisions compared (${users.length} users, ${targets.length} resources and their actions${what.everyone ? '; tenants, roles, resource types or access levels differ, so every user may be affected' : ''})`,
      hint: 'pass fewer resources, or a higher limit: the limit option of accessDiff, --limit N of purview diff',
    });
  }
  let started = false;
  function* changes(): Generator<AccessChange, AccessDiffSummary, undefined> {
    if (started) throw new InvalidInputError({ message: 'the changes of an access diff stream can be iterated once; make another stream to iterate again', path: [] });
    started = true;
    let changed = 0;
    let gained = 0;
    for (const t of targets) {
      const declaredBefore = t.actions.map((a) => old.policy.resourceTypes.get(t.type)?.actions.has(a) === true);
      const declaredAfter = t.actions.map((a) => now.policy.resourceTypes.get(t.type)?.actions.has(a) === true);
      for (const user of t.everyone ? users : someUsers) {
        for (let k = 0; k < t.actions.length; k++) {
          const action = t.actions[k] as string;
          if (allows(old, declaredBefore[k] as boolean, user, action, t) === allows(now, declaredAfter[k] as boolean, user, action, t)) continue;
          const x = decide(old, user, action, t);
          const y = decide(now, user, action, t);
          if (x.allowed === y.allowed) continue; // cannot happen: can() and check() agree
          changed++;
          if (y.allowed) gained++;
          yield {
            user,
            action,
            resource: t.id,
            type: t.type,
            before: verdict(x.allowed),
            after: verdict(y.allowed),
            reasonsBefore: x.reasons,
            reasonsAfter: y.reasons,
            ...(x.denial === undefined ? {} : { denialBefore: x.denial }),
            ...(y.denial === undefined ? {} : { denialAfter: y.denial }),
          };
        }
      }
    }
    return { changed, gained, lost: changed - gained, compared: needed };
  }
  return { asOf, structural: structuralChanges(old, now, memberships.changes), compared: needed, changes };
}

/**
 * The access that changes between two versions of a policy: for every record in `resources`,
 * every action of its type and every user of either policy, each decision that flips, with the
 * reasons `check` gives before and after; plus the structural changes (users and groups added and
 * removed, memberships gained and lost, groups nested elsewhere).
 *
 * Only the decisions that can differ are compared: when tenants, roles, resource types or access
 * levels differ, that is all of them (users × records × actions); otherwise those of the users
 * whose facts, groups, or reaching rules and grants differ, and of every user on records whose
 * owners differ. More than `options.limit` decisions (default one million) is a `LimitError` that
 * says how many were needed, before any is made. A user of neither policy is denied on both.
 * Every flipped decision is held in the answer; {@link streamAccessDiff} produces them one at a
 * time instead.
 *
 * Both versions are decided at one instant, `options.asOf` (default now). Throws what
 * `createEngine` throws for a policy that does not load, and `InvalidInputError` for a malformed
 * resource or option or a resource type that neither policy declares; an action that one side
 * does not declare is a deny there, with the denial `undeclared`.
 * @example
 * ```ts
 * const diff = accessDiff(oldPolicy, newPolicy, leads, { asOf: '2026-01-01T00:00:00Z' });
 * for (const c of diff.changes) console.log(c.user, c.action, c.resource, c.before, '->', c.after);
 * diff.summary; // { changed: 3, gained: 2, lost: 1, compared: 120 }
 * ```
 */
export function accessDiff(before: PolicyInput | Policy, after: PolicyInput | Policy, resources: readonly Resource[], options?: AccessDiffOptions): AccessDiff {
  const stream = streamAccessDiff(before, after, resources, options);
  const changes: AccessChange[] = [];
  const it = stream.changes();
  for (let r = it.next(); ; r = it.next()) {
    if (r.done === true) return { asOf: stream.asOf, changes, structural: stream.structural, summary: r.value };
    changes.push(r.value);
  }
}
