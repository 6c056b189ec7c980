import type { Id } from '../model/ids.js';
import { boundsOf, hasBounds, isTimed } from '../model/member-entry.js';
import type { AccessGroup, Group, Policy, SharingRule } from '../model/policy.js';

/*
 * The timeline of a policy: every instant at which a time-bound entry (a member entry, a sharing
 * rule, an access-group grant) starts or stops counting, and which entity each instant belongs
 * to. Between two consecutive instants nothing the policy says changes, so one compiled view
 * answers for the whole interval; moving to another interval recompiles only the entities whose
 * instants lie in between.
 */

/** The collections whose entities can carry time-bound entries. */
export type TimedCollection = 'groups' | 'sharingRules' | 'accessGroups';

const KINDS: readonly TimedCollection[] = ['groups', 'sharingRules', 'accessGroups'];

/** The boundary instants of a policy, ascending, each with the entity it belongs to. */
export interface Timeline {
  /** Epoch milliseconds, ascending (repeats allowed: one per entity and instant). */
  readonly at: Float64Array;
  /** The collection of each event (an index into the timed collections). */
  readonly kind: Uint8Array;
  /** The entity id of each event. */
  readonly id: readonly Id[];
  /** The entities that have events, by collection (to tell in O(1) whether a change touches the timeline). */
  readonly timed: TimedIds;
}

const NO_IDS: ReadonlySet<Id> = new Set();

/** A timeline without instants: the policy says nothing about time. */
export const NO_TIMELINE: Timeline = Object.freeze({
  at: new Float64Array(0),
  kind: new Uint8Array(0),
  id: Object.freeze([]) as readonly Id[],
  timed: Object.freeze({ groups: NO_IDS, sharingRules: NO_IDS, accessGroups: NO_IDS }),
});

/** The boundary instants of one entity (unsorted, maybe repeated); empty for an entity without bounds. */
export function instantsOf(collection: TimedCollection, entity: Group | SharingRule | AccessGroup): number[] {
  const out: number[] = [];
  const add = (b: { readonly since: number; readonly until: number }): void => {
    if (b.since !== -Infinity) out.push(b.since);
    if (b.until !== Infinity) out.push(b.until);
  };
  if (collection === 'groups') {
    const m = (entity as Group).members;
    for (const list of [m.users, m.roles, m.rolesAndSubordinates, m.groups]) for (const e of list) if (isTimed(e)) add(boundsOf(e));
  } else if (collection === 'sharingRules') {
    const r = entity as SharingRule;
    if (hasBounds(r)) add(boundsOf(r));
  } else {
    for (const g of (entity as AccessGroup).grants) if (hasBounds(g)) add(boundsOf(g));
  }
  return out;
}

interface Event {
  readonly at: number;
  readonly kind: number;
  readonly id: Id;
}

/** Packs events already in ascending order of instant. */
function pack(events: readonly Event[]): Timeline {
  if (events.length === 0) return NO_TIMELINE;
  const timed: Record<TimedCollection, Set<Id>> = { groups: new Set(), sharingRules: new Set(), accessGroups: new Set() };
  for (const e of events) timed[KINDS[e.kind] as TimedCollection].add(e.id);
  const at = new Float64Array(events.length);
  const kind = new Uint8Array(events.length);
  const id: Id[] = new Array<Id>(events.length);
  events.forEach((e, i) => {
    at[i] = e.at;
    kind[i] = e.kind;
    id[i] = e.id;
  });
  return { at, kind, id: Object.freeze(id), timed };
}

const byInstant = (a: Event, b: Event): number => a.at - b.at;

function eventsOf(out: Event[], k: number, collection: TimedCollection, entity: Group | SharingRule | AccessGroup): void {
  const seen = new Set<number>();
  for (const t of instantsOf(collection, entity)) {
    if (seen.has(t)) continue;
    seen.add(t);
    out.push({ at: t, kind: k, id: entity.id });
  }
}

/** The timeline of a whole policy. O(entries + events log events). */
export function timelineOf(policy: Policy): Timeline {
  const events: Event[] = [];
  KINDS.forEach((collection, k) => {
    for (const entity of policy[collection].values()) eventsOf(events, k, collection, entity);
  });
  return pack(events.sort(byInstant));
}

/** Ids by timed collection: what a change touched, or what crossing some instants touches. */
export type TimedIds = Readonly<Record<TimedCollection, ReadonlySet<Id>>>;

/**
 * The timeline after a change that touched `touched` (the other entities kept their entries):
 * `prev` without the touched entities' events, plus the events of their new versions. `prev`
 * itself when none of them has or had bounds.
 */
export function updateTimeline(prev: Timeline, next: Policy, touched: TimedIds): Timeline {
  const fresh: Event[] = [];
  KINDS.forEach((collection, k) => {
    for (const id of touched[collection]) {
      const e = next[collection].get(id);
      if (e !== undefined) eventsOf(fresh, k, collection, e);
    }
  });
  // O(touched) when the change touches no entity with events, before or after.
  let drops = false;
  for (const collection of KINDS) for (const id of touched[collection]) if (prev.timed[collection].has(id)) drops = true;
  if (!drops && fresh.length === 0) return prev;
  // One merge of the kept events (in order already) with the new ones (sorted): O(events + new log new).
  fresh.sort(byInstant);
  const out: Event[] = [];
  let j = 0;
  for (let i = 0; i < prev.at.length; i++) {
    const k = prev.kind[i] as number;
    const id = prev.id[i] as Id;
    if (drops && touched[KINDS[k] as TimedCollection].has(id)) continue;
    const t = prev.at[i] as number;
    while (j < fresh.length && (fresh[j] as Event).at < t) out.push(fresh[j++] as Event);
    out.push({ at: t, kind: k, id });
  }
  while (j < fresh.length) out.push(fresh[j++] as Event);
  return pack(out);
}

/** The index of the first event after `t` (binary search). */
function firstAfter(tl: Timeline, t: number): number {
  let lo = 0;
  let hi = tl.at.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((tl.at[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The interval around `t` in which nothing changes: `[from, to)`, open ends infinite. */
export function windowAround(tl: Timeline, t: number): { readonly from: number; readonly to: number } {
  const i = firstAfter(tl, t);
  return { from: i === 0 ? -Infinity : (tl.at[i - 1] as number), to: i === tl.at.length ? Infinity : (tl.at[i] as number) };
}

/** How many events lie in `(lo, hi]`: O(log events). */
export function eventsBetween(tl: Timeline, lo: number, hi: number): number {
  return firstAfter(tl, hi) - firstAfter(tl, lo);
}

/** The entities with an instant in `(lo, hi]`: those whose entries may count differently at `lo` and at `hi`. */
export function crossed(tl: Timeline, lo: number, hi: number): { readonly ids: TimedIds; readonly count: number } {
  const ids: Record<TimedCollection, Set<Id>> = { groups: new Set(), sharingRules: new Set(), accessGroups: new Set() };
  let count = 0;
  for (let i = firstAfter(tl, lo); i < tl.at.length && (tl.at[i] as number) <= hi; i++) {
    const set = ids[KINDS[tl.kind[i] as number] as TimedCollection];
    const id = tl.id[i] as Id;
    if (!set.has(id)) {
      set.add(id);
      count++;
    }
  }
  return { ids, count };
}
