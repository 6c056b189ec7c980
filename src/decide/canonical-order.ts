import { compareIds, type Id } from '../model/ids.js';
import { levelRank } from '../model/level.js';
import type { FilterSource } from './access-filter.js';
import type { Reason, ReasonSource } from './decision.js';

/*
 * The order of the lists a decision and a filter carry: by level, source and id, never by the
 * numbers an engine happened to give its entities (which follow the order it read them in). So two
 * engines holding the same policy, one loaded from a database and one that built it change by
 * change, or a tenant-scoped one and one holding everything, give equal answers.
 */

/** The sources in the order `check` tries them (see sources/table.ts), `parent` last. */
const SOURCE_RANK: ReadonlyMap<ReasonSource, number> = new Map<ReasonSource, number>(
  (['default', 'owner', 'hierarchy', 'group-owner', 'sharing-rule', 'access-group', 'record-share', 'parent'] as const).map((s, i) => [s, i]),
);

/** Code-unit order of ids; an absent id first. */
function byId(a: Id | undefined, b: Id | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compareIds(a, b);
}

/** Reasons, highest level first; then by source, rule or access group id, share index, and how it holds. */
export function compareReasons(a: Reason, b: Reason): number {
  return (
    levelRank(b.level) - levelRank(a.level) ||
    (SOURCE_RANK.get(a.source) ?? 0) - (SOURCE_RANK.get(b.source) ?? 0) ||
    byId(a.rule, b.rule) ||
    byId(a.accessGroup, b.accessGroup) ||
    (a.share ?? -1) - (b.share ?? -1) ||
    byId(a.via, b.via)
  );
}

/** A filter's sources: by source, then rule or access group id, then the highest level first. */
export function compareFilterSources(a: FilterSource, b: FilterSource): number {
  return (
    (SOURCE_RANK.get(a.source) ?? 0) - (SOURCE_RANK.get(b.source) ?? 0) ||
    byId(a.rule, b.rule) ||
    byId(a.accessGroup, b.accessGroup) ||
    levelRank(b.level) - levelRank(a.level)
  );
}
