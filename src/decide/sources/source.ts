import type { Membership } from '../../compile/snapshot.js';
import type { MemberWalk } from '../../compile/members.js';
import type { GroupPaths } from '../../compile/paths.js';
import type { Compiled, PrincipalRef, UserFacts } from '../../compile/snapshot.js';
import type { Id } from '../../model/ids.js';
import type { MembershipPath } from '../../model/path.js';
import type { FilterClause, FilterSource } from '../access-filter.js';
import type { Reason, ReasonSource } from '../decision.js';
import type { Request } from '../request.js';

/*
 * One source of record-level access (the last step of the decision). Each source answers four
 * questions, and every query is made of the same answers: `can` takes the highest `rank` with an
 * early exit, `check` collects `reasons`, `filter` takes the union of `clause`s, `whoCan` expands
 * the sources downward to the users they may give the access (`expand`), which the gate then
 * checks. A new source is one more entry in the table (sources/table.ts).
 */

/** One record, as a decision reads it: the request, its owner resolved to numbers in its snapshot. */
export type RecordView = Request;

/**
 * The user asked about, past the gate: its facts themselves, so that a check allocates no
 * subject. Its memberships (`membershipOf`) and grants (`subjectGrants`) are read on first need
 * and cached on the facts: a check on a record the user owns reads neither.
 */
export type Subject = UserFacts;

/** Membership paths for reasons, computed once per check and shared by every source. */
export interface Proofs {
  /** The path from the user to one of its groups (by number). */
  readonly userPaths: () => GroupPaths;
  /** The path proving that the user belongs to a principal, or undefined when it does not (memoised per principal). */
  pathIfMember(p: PrincipalRef): MembershipPath | undefined;
  /** The same, or the user's own step when it does not belong. */
  userPath(p: PrincipalRef): MembershipPath;
  /** The path proving that the record's owner belongs to a principal (memoised per principal). */
  ownerPath(p: PrincipalRef): MembershipPath;
}

/** Owner ids of one kind: those that count in any tenant, and those that count in one tenant only. */
export interface Owners {
  readonly any: Set<Id>;
  readonly byTenant: Map<Id, Set<Id>>;
}

/** What the sources fill in to make a filter. */
export interface FilterParts {
  readonly c: Compiled;
  readonly s: Subject;
  readonly req: Request;
  /** The rank the action needs. */
  readonly need: number;
  /** The tenants where the action is allowed at all (after the gate). */
  readonly tenants: ReadonlySet<Id>;
  readonly ownerUsers: Owners;
  readonly ownerGroups: Owners;
  /** Access groups holding records by listing, per tenant. */
  readonly listed: Map<Id, Set<Id>>;
  readonly segments: FilterClause[];
  /** Record-share clauses. */
  readonly shares: FilterClause[];
  readonly sources: FilterSource[];
  /** Whether a principal is expanded for the first time in a tenant (each `from` once per tenant). */
  firstTime(tenant: Id, p: PrincipalRef): boolean;
}

/** One source of record-level access. */
export interface AccessSource {
  readonly name: ReasonSource;
  /** The rank the source gives the subject on the record (0 when none), at least `best + 1` to count; may stop at `need`. */
  rank(r: RecordView, s: Subject, best: number, need: number): number;
  /** The reasons the source gives, with their proofs. */
  reasons(r: RecordView, s: Subject, proofs: Proofs, out: Reason[]): void;
  /** Adds the source's part of the filter; returns true when the source covers every record. */
  clause(f: FilterParts): boolean;
  /** Visits (through `walk`) the users the source may give `need` on the record; false when that is every user. */
  expand(r: RecordView, need: number, walk: MemberWalk): boolean;
}
