import type { Id } from '../model/ids.js';
import type { Policy } from '../model/policy.js';
import type { ValidationContext } from '../validate/context.js';
import { applyTouched, atRevision, buildSnapshot, type Touched } from './apply.js';
import { effectiveFrom } from './effective.js';
import type { Clock, Compiled, Interners } from './snapshot.js';
import { EntryIndex } from './entry-index.js';
import { crossed, eventsBetween, NO_TIMELINE, timelineOf, updateTimeline, windowAround, type TimedIds, type Timeline } from './timeline.js';

/*
 * The compiled snapshot of one revision across time. `structure` holds every entry, in effect or
 * not: it is what validation reads (a nesting edge is an edge whatever the time) and what the next
 * revision is made from. Queries read a view: the snapshot of the effective policy at an instant,
 * valid for the whole interval between two instants of the timeline. A policy without time-bound
 * entries has one view for all time, the structure itself, and a query never reads the clock for
 * it. Views are kept for the last few intervals asked about; moving to another interval recompiles
 * only the entities whose instants lie in between, as a change would.
 */

/** One interval `[from, to)` of the timeline and the snapshot that answers for it. */
export interface View {
  readonly from: number;
  readonly to: number;
  readonly compiled: Compiled;
  /** The effective policy the view was compiled from. */
  readonly effective: Policy;
}

/** A view's snapshot with what it knows of time (a shallow copy: every part is shared). */
function timed(c: Compiled, policy: Policy, at: number, entries: EntryIndex): Compiled {
  return { ...c, timing: { policy, at, entries } };
}

/**
 * How many views a revision keeps: the current interval, and those that queries with `asOf`
 * asked for (a report as of each month-end of a year reads twelve). Past it, the least recently
 * used goes; a view is cheap to keep (it shares every part the intervals do not change).
 */
const KEEP = 16;

const NONE: ReadonlySet<Id> = new Set();

function touchedBy(ids: TimedIds): Touched {
  return { users: NONE, roles: NONE, groups: ids.groups, sharingRules: ids.sharingRules, accessGroups: ids.accessGroups, tenants: false };
}

function entityCount(p: Policy): number {
  return p.groups.size + p.sharingRules.size + p.accessGroups.size;
}

/** The compiled snapshot of a revision, across time. */
export class TimedIndex {
  private views: View[];

  private constructor(
    /** Every entry, in effect or not. */
    readonly structure: Compiled,
    /** The revision's policy. */
    readonly policy: Policy,
    readonly timeline: Timeline,
    private readonly ctx: ValidationContext,
    views: View[],
    /** The groups' time-bound entries, indexed on first use; shared with the next revisions. */
    private readonly entries: EntryIndex = new EntryIndex(),
  ) {
    this.views = views;
  }

  /** Compiles a whole validated policy; with time-bound entries, also its view at the clock's instant. */
  static build(policy: Policy, ctx: ValidationContext, revision: number, clock: Clock, ids?: Interners): TimedIndex {
    const structure = buildSnapshot(policy, ctx, revision, ids, clock);
    const tl = timelineOf(policy);
    const index = new TimedIndex(structure, policy, tl, ctx, []);
    if (tl.at.length > 0) index.views = [index.fresh(clock())];
    return index;
  }

  /** The revision. */
  get revision(): number {
    return this.structure.revision;
  }

  /** Whether the policy has no time-bound entry: the structure answers at every instant. */
  get timeless(): boolean {
    return this.timeline.at.length === 0;
  }

  /** The snapshot that answers at instant `t`. */
  viewAt(t: number): Compiled {
    if (this.timeline.at.length === 0) return this.structure;
    const v = this.views[0];
    if (v !== undefined && t >= v.from && t < v.to) return v.compiled;
    return this.windowAt(t).compiled;
  }

  /** The view of the interval holding `t`, made (and kept) when not at hand. */
  windowAt(t: number): View {
    if (this.timeline.at.length === 0) return { from: -Infinity, to: Infinity, compiled: this.structure, effective: this.policy };
    const at = this.views.findIndex((v) => t >= v.from && t < v.to);
    if (at >= 0) {
      const v = this.views[at] as View;
      if (at > 0) this.views = [v, ...this.views.slice(0, at), ...this.views.slice(at + 1)];
      return v;
    }
    // From the kept view with the fewest instants in between.
    let near: View | undefined;
    let nearest = Infinity;
    for (const v of this.views) {
      const d = t >= v.to ? eventsBetween(this.timeline, v.from, t) : eventsBetween(this.timeline, t, v.from);
      if (d < nearest) {
        nearest = d;
        near = v;
      }
    }
    const v = near === undefined ? this.fresh(t) : this.moved(near, t);
    this.views = [v, ...this.views].slice(0, KEEP);
    return v;
  }

  /** A view at `t` compiled from scratch (sharing the structure's interners). */
  private fresh(t: number): View {
    const all = crossed(this.timeline, -Infinity, Infinity);
    const effective = effectiveFrom(this.policy, this.policy, all.ids, t);
    const compiled = buildSnapshot(effective, this.ctx, this.revision, this.structure.ids, this.structure.clock);
    return { ...windowAround(this.timeline, t), compiled: timed(compiled, this.policy, t, this.entries), effective };
  }

  /** A view at `t` made from the view `v` of another interval: only the entities whose instants lie in between are recompiled. */
  private moved(v: View, t: number): View {
    const { ids, count } = t >= v.to ? crossed(this.timeline, v.from, t) : crossed(this.timeline, t, v.from);
    // Past a point, a whole build is cheaper than walking what many entities' changes reach.
    if (count > Math.max(64, entityCount(this.policy) / 8)) return this.fresh(t);
    const effective = effectiveFrom(v.effective, this.policy, ids, t);
    const compiled = applyTouched(v.compiled, effective, touchedBy(ids), this.revision);
    return { ...windowAround(this.timeline, t), compiled: timed(compiled, this.policy, t, this.entries), effective };
  }

  /**
   * The index of the next revision: `next`, validated, which differs from this revision's policy
   * in the `touched` entities. The structure and, when the policy has time-bound entries, the view
   * at the clock's instant are both made incrementally. This index is not modified (but for its
   * views, which it may add to).
   */
  next(next: Policy, ctx: ValidationContext, touched: Touched, revision: number, clock: Clock): TimedIndex {
    const structure = applyTouched(this.structure, next, touched, revision);
    const ids: TimedIds = { groups: touched.groups, sharingRules: touched.sharingRules, accessGroups: touched.accessGroups };
    const tl = updateTimeline(this.timeline, next, ids);
    if (tl.at.length === 0) return new TimedIndex(structure, next, NO_TIMELINE, ctx, [], this.entries);
    const t = clock();
    const w = this.windowAt(t);
    const effective = effectiveFrom(w.effective, next, ids, t);
    const compiled = applyTouched(w.compiled, effective, touched, revision);
    return new TimedIndex(structure, next, tl, ctx, [{ ...windowAround(tl, t), compiled: timed(compiled, next, t, this.entries), effective }], this.entries);
  }

  /** The same index at another revision (a replayed change that changed nothing). */
  atRevision(revision: number): TimedIndex {
    return new TimedIndex(
      atRevision(this.structure, revision),
      this.policy,
      this.timeline,
      this.ctx,
      this.views.map((v) => ({ ...v, compiled: { ...atRevision(v.compiled, revision), ...(v.compiled.timing === undefined ? {} : { timing: v.compiled.timing }) } })),
      this.entries,
    );
  }
}
