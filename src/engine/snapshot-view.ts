import { check, can } from '../decide/check.js';
import { permittedFields } from '../decide/permitted-fields.js';
import { explainDecision } from '../decide/explain.js';
import { StaleSnapshotError } from '../errors/errors.js';
import { jsonText } from '../text/one-line.js';
import { userQueries } from './user-view.js';
import type { Policy } from '../model/policy.js';
import { buildFilter } from '../filter/build-filter.js';
import { effectiveOwners, groupsOf, groupsOfWithPaths, membersOf, whoCan } from '../query/queries.js';
import type { Compiled } from '../compile/snapshot.js';
import type { TimedIndex } from '../compile/timed-index.js';
import { expectInstant, millisOf } from '../model/instant.js';
import type { GroupMembership, QueryOptions, Queries } from './types.js';
import type { DecisionReporter } from './decision-hook.js';
import type { Id } from '../model/ids.js';
import type { ErrorPath } from '../errors/errors.js';
import { describe, expectObject, expectOneOf, fail, onlyKeys, own } from '../model/shape.js';

/** A query's options, checked: own properties only, every value of the right kind. */
export interface ReadOptions {
  readonly atLeast: number | undefined;
  /** `asOf` as epoch milliseconds, when given. */
  readonly asOf: number | undefined;
  readonly paths: boolean;
  readonly format: 'text' | 'json';
  readonly timeoutMs: number | undefined;
}

type OptionKey = 'atLeast' | 'asOf' | 'paths' | 'format' | 'timeoutMs';

/** The options of a query given none: one frozen object, so that a query without options allocates none. */
const NO_OPTIONS: ReadOptions = Object.freeze({ atLeast: undefined, asOf: undefined, paths: false, format: 'text', timeoutMs: undefined });

/** The longest wait `setTimeout` honours (a longer one fires at once). */
const MAX_TIMEOUT_MS = 2_147_483_647;

export { readRevision } from '../model/revision.js';
import { readRevision } from '../model/revision.js';

/**
 * Checks the options object of a query (or of `at()` and `waitFor()`): absent, or a plain object
 * with only the `allowed` keys, each of the right kind; an own key set to `undefined` counts as
 * absent. Malformed options are an `InvalidInputError` with the path, never ignored.
 */
export function readOptions(options: unknown, allowed: readonly OptionKey[], path: ErrorPath = ['options']): ReadOptions {
  if (options === undefined) return NO_OPTIONS;
  const o = expectObject(options, path, `an options object ({ ${allowed.join(', ')} })`);
  onlyKeys(o, allowed, path);
  const atLeast = own(o, 'atLeast');
  const asOf = own(o, 'asOf');
  const paths = own(o, 'paths');
  const format = own(o, 'format');
  const timeoutMs = own(o, 'timeoutMs');
  if (paths !== undefined && typeof paths !== 'boolean') fail([...path, 'paths'], `expected true or false, got ${describe(paths)}`);
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs >= 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    fail([...path, 'timeoutMs'], `expected a number of milliseconds from 0 to ${MAX_TIMEOUT_MS}, got ${describe(timeoutMs)}`);
  }
  return {
    atLeast: atLeast === undefined ? undefined : readRevision(atLeast, [...path, 'atLeast']),
    asOf: asOf === undefined ? undefined : millisOf(expectInstant(asOf, [...path, 'asOf'], 'asOf, an instant')),
    paths: paths === true,
    format: format === undefined ? 'text' : expectOneOf(format, ['text', 'json'], [...path, 'format']),
    timeoutMs: timeoutMs as number | undefined,
  };
}

const PLAIN: readonly OptionKey[] = ['atLeast', 'asOf'];
const EXPLAIN: readonly OptionKey[] = ['atLeast', 'asOf', 'format'];
const GROUPS_OF: readonly OptionKey[] = ['atLeast', 'asOf', 'paths'];

/**
 * The queries over one compiled snapshot. The snapshot never changes, so the queries answer for
 * its revision however long they are kept. With a `reporter` (a decision hook is set), `can`,
 * `check` and `explain` report their decisions, here and in the user views; without one, they are
 * exactly the plain queries.
 */
export function queriesOver(policy: Policy, index: TimedIndex, reporter?: DecisionReporter): Queries {
  const revision = index.revision;
  const clock = index.structure.clock;
  // The instant of a query: `asOf` when given, else the clock's; NaN (read later, if at all) for a
  // policy without time-bound entries, whose answer depends on the instant only through shares.
  let t = NaN;
  const at = (o: ReadOptions): Compiled => {
    if (o.atLeast !== undefined && o.atLeast > revision) throw new StaleSnapshotError({ wanted: o.atLeast, current: revision });
    t = o.asOf ?? (index.timeless ? NaN : clock());
    return t !== t ? index.structure : index.viewAt(t);
  };
  const ix = (options: QueryOptions | undefined): Compiled => at(readOptions(options, PLAIN));
  function groupsOfQuery(user: Id, options?: QueryOptions & { readonly paths?: false }): Id[];
  function groupsOfQuery(user: Id, options: QueryOptions & { readonly paths: true }): GroupMembership[];
  function groupsOfQuery(user: Id, options?: QueryOptions & { readonly paths?: boolean }): Id[] | GroupMembership[] {
    const o = readOptions(options, GROUPS_OF);
    return o.paths ? groupsOfWithPaths(at(o), user) : groupsOf(at(o), user);
  }
  const queries: Queries = {
    revision,
    policy,
    check: (user, action, resource, options) => check(ix(options), user, action, resource, t),
    can: (user, action, resource, options) => can(ix(options), user, action, resource, t),
    explain: (user, action, resource, options) => {
      const o = readOptions(options, EXPLAIN);
      const d = check(at(o), user, action, resource, t);
      return o.format === 'json' ? jsonText(d) : explainDecision(d);
    },
    groupsOf: groupsOfQuery,
    membersOf: (group, options) => membersOf(ix(options), group),
    effectiveOwners: (resource, options) => effectiveOwners(ix(options), resource),
    whoCan: (action, resource, options) => whoCan(ix(options), action, resource, t),
    permittedFields: (user, resource, options) => permittedFields(ix(options), user, resource, t),
    filter: (user, action, type, options) => buildFilter(ix(options), user, action, type, t),
    for: (user) => userQueries(queries, index, user),
  };
  if (reporter === undefined) return queries;
  const plain = queries;
  const reported: Queries = {
    ...plain,
    check: (user, action, resource, options) => {
      if (!reporter.sampled()) return plain.check(user, action, resource, options);
      return reporter.decide('check', () => check(ix(options), user, action, resource, t));
    },
    can: (user, action, resource, options) => {
      if (!reporter.sampled()) return plain.can(user, action, resource, options);
      // Answered by check (the same verdict), so that the event carries the denial code.
      return reporter.decide('can', () => check(ix(options), user, action, resource, t)).allowed;
    },
    explain: (user, action, resource, options) => {
      if (!reporter.sampled()) return plain.explain(user, action, resource, options);
      let format = 'text' as 'text' | 'json';
      const d = reporter.decide('explain', () => {
        const o = readOptions(options, EXPLAIN);
        format = o.format;
        return check(at(o), user, action, resource, t);
      });
      return format === 'json' ? jsonText(d) : explainDecision(d);
    },
    for: (user) => userQueries(reported, index, user, reporter),
  };
  return reported;
}
