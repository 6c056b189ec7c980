import type { Decision } from '../decide/decision.js';
import { createEngine } from '../engine/create-engine.js';
import { LimitError } from '../errors/errors.js';
import type { Id } from '../model/ids.js';
import { expectInstant, formatInstant } from '../model/instant.js';
import type { Policy } from '../model/policy.js';
import type { PolicyInput } from '../model/policy-input.js';
import type { Owner, Resource } from '../model/resource.js';
import { expectArray, expectObject, fail, isPlainObject, onlyKeys, own } from '../model/shape.js';
import { affected, type Affected } from './affected.js';
import { unionKeys, type Side } from './side.js';
import { membershipChanges, structuralChanges } from './structural.js';
import { DEFAULT_DIFF_LIMIT, type AccessChange, type AccessDiff, type AccessDiffOptions, type DiffDenial } from './types.js';

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

function decide(side: Side, user: Id, action: string, t: Target): Verdict {
  if (side.policy.resourceTypes.get(t.type)?.actions.has(action) !== true) return UNDECLARED;
  const d = side.engine.check(user, action, t.resource, side.at);
  return { allowed: d.allowed, reasons: d.reasons, ...(d.denial === undefined ? {} : { denial: d.denial }) };
}

const verdict = (allowed: boolean): 'allow' | 'deny' => (allowed ? 'allow' : 'deny');

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
  const { asOf, limit } = readOptions(options);
  const list = expectArray(resources, ['resources']);
  const at = { asOf };
  const oldEngine = createEngine({ policy: before });
  const newEngine = createEngine({ policy: after });
  const old: Side = { engine: oldEngine, policy: oldEngine.policy, at };
  const now: Side = { engine: newEngine, policy: newEngine.policy, at };

  const memberships = membershipChanges(old, now);
  const what = affected(old, now, memberships.changedUsers);
  const users = unionKeys(old.policy.users, now.policy.users);
  const someUsers = users.filter((u) => what.users.has(u));
  const targets = list.map((r, i) => targetOf(r, i, old.policy, now.policy, what));

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

  const changes: AccessChange[] = [];
  let gained = 0;
  for (const t of targets) {
    for (const user of t.everyone ? users : someUsers) {
      for (const action of t.actions) {
        const x = decide(old, user, action, t);
        const y = decide(now, user, action, t);
        if (x.allowed === y.allowed) continue;
        if (y.allowed) gained++;
        changes.push({
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
        });
      }
    }
  }
  return {
    asOf,
    changes,
    structural: structuralChanges(old, now, memberships.changes),
    summary: { changed: changes.length, gained, lost: changes.length - gained, compared: needed },
  };
}
