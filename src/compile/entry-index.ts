import type { Id } from '../model/ids.js';
import { inEffect, type Instant } from '../model/instant.js';
import { boundsOf } from '../model/member-entry.js';
import type { Group, GroupMembers } from '../model/policy.js';

/*
 * The time-bound entries of each group, by list and id, made on first use of the group and kept
 * for as long as the group's definition is the same object (groups are immutable): what a
 * membership step's `until` is read from, in O(the entries naming one id) rather than a scan of
 * the group's whole member list.
 */

type ListKey = keyof GroupMembers;

/** The entries of one group: per list, the timed entries of each id, and the ids also listed plainly. */
interface GroupEntries {
  readonly timed: ReadonlyMap<ListKey, ReadonlyMap<Id, readonly { readonly since: number; readonly until: number; readonly untilText: Instant | undefined }[]>>;
  readonly plain: ReadonlyMap<ListKey, ReadonlySet<Id>>;
}

const LISTS: readonly ListKey[] = ['users', 'roles', 'rolesAndSubordinates', 'groups'];

/** The index of the time-bound entries of groups, filled on demand. One per engine's line of snapshots. */
export class EntryIndex {
  private readonly byGroup = new WeakMap<Group, GroupEntries>();

  private entries(g: Group): GroupEntries {
    let e = this.byGroup.get(g);
    if (e !== undefined) return e;
    const timed = new Map<ListKey, Map<Id, { since: number; until: number; untilText: Instant | undefined }[]>>();
    const plain = new Map<ListKey, Set<Id>>();
    for (const key of LISTS) {
      const t = new Map<Id, { since: number; until: number; untilText: Instant | undefined }[]>();
      const p = new Set<Id>();
      for (const entry of g.members[key]) {
        if (typeof entry === 'string') {
          p.add(entry);
          continue;
        }
        const b = boundsOf(entry);
        let l = t.get(entry.id);
        if (l === undefined) t.set(entry.id, (l = []));
        l.push({ since: b.since, until: b.until, untilText: entry.until });
      }
      timed.set(key, t);
      plain.set(key, p);
    }
    e = { timed, plain };
    this.byGroup.set(g, e);
    return e;
  }

  /**
   * Until when the entries of `lists` of group `g` naming `id` hold at `t`: undefined when one of
   * them is plain or open-ended (or none is in effect), else the latest `until` among those in effect.
   */
  latestUntil(g: Group, lists: readonly ListKey[], id: Id, t: number): Instant | undefined {
    const e = this.entries(g);
    let best: Instant | undefined;
    let bestMs = -Infinity;
    for (const key of lists) {
      if (e.plain.get(key)?.has(id) === true) return undefined;
      for (const x of e.timed.get(key)?.get(id) ?? []) {
        if (!inEffect(x, t)) continue;
        if (x.untilText === undefined) return undefined;
        if (x.until > bestMs) {
          bestMs = x.until;
          best = x.untilText;
        }
      }
    }
    return best;
  }
}
