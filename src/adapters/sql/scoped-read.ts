/*
 * Reading the part of a policy that an engine serving some tenants holds (`loadTenants`), shared
 * by the SQL adapters: which rows to read, in which order, with which WHERE, and what to make of
 * them. The part is the one `scopePolicy` defines (src/changes/tenant-scope.ts); it is read without
 * reading the rest, in three rounds of the one snapshot the adapter holds open:
 *
 * 1. the tenants table (small, read in full): the requested tenants are checked against it, and
 *    `served` and `servedUp` computed from the tree;
 * 2. one query for the tenants (own and further) of the users who act in a served tenant, which
 *    gives `held` and `heldUp`;
 * 3. the users who act in a held tenant (and their user_tenants rows), the roles, groups (and their
 *    members), sharing rules and access groups (and their grants) of the held tenants, and in full
 *    the policy state, resource types and their actions and fields.
 *
 * The rounds are a generator: it yields each query (SQL text and parameters) and takes its rows
 * back, so that one description serves the asynchronous drivers (pg, mysql2) and the synchronous
 * one (better-sqlite3) alike. The dialect writes the only SQL that differs, the test that a column
 * is one of a set of values; every value is a parameter.
 */
import { InvalidInputError, type Id, type LoadTenantsOptions, type PolicyInput, type StoredPolicy } from '../../index.js';
import { readRequestedTenants, scopeFrom, scopedUser, servedOf, tenantTreeOf } from '../../changes/tenant-scope.js';
import { POLICY_SELECTS, decodePolicy, decodeTenants, selectSql, type PolicyRows, type PolicySelect, type Row } from './decode.js';

/** What differs between the SQL stores in a scoped read. */
export interface ScopedDialect {
  /** The quoted schema or database the tables are in (without a trailing dot). */
  readonly s: string;
  /** Quotes a table or column name. */
  q(name: string): string;
  /**
   * The condition "`column` is one of `values`" (a quoted column name), its values pushed onto
   * `params` as the store binds a list: a PostgreSQL array, a list mysql2 expands, JSON text.
   */
  inSet(column: string, values: ReadonlySet<Id>, params: unknown[]): string;
}

/** One query of a scoped read: its SQL text, its parameters, and the shape of its rows. */
export interface ScopedQuery {
  /** The table and columns the rows have, for stores that convert values before decoding. */
  readonly select: PolicySelect;
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** The rounds of a scoped read: yields queries, takes their rows (as the decoder reads them), returns the part. */
export type ScopedRead = Generator<ScopedQuery, StoredPolicy, readonly Row[]>;

/** The shape of the rows of the query of round 2: one tenant id per row. */
const ACTOR_TENANTS: PolicySelect = { table: 'users', columns: ['tenant'] };

/**
 * The queries of `loadTenants(tenants)` and the part they give, which is
 * `scopePolicy(load().policy, tenants).policy` at the snapshot's revision. `tenants` is checked
 * first (a non-empty list of ids), then against the tenants table: a tenant the policy does not
 * declare is an `InvalidInputError` naming it, thrown before any other table is read.
 */
export function scopedRead(tenants: readonly string[], dialect: ScopedDialect, schemaName: string, options?: LoadTenantsOptions): ScopedRead {
  // Checked at once, before the caller opens a snapshot: a malformed list never reaches the store.
  return rounds(requestedTenants(tenants), dialect, schemaName, missingOf(options));
}

/** The `missing` option of `loadTenants`, checked (own property only). */
export function missingOf(options: LoadTenantsOptions | undefined): 'refuse' | 'skip' {
  if (options === undefined) return 'refuse';
  const m = Object.hasOwn(options, 'missing') ? options.missing : undefined;
  if (m === undefined || m === 'refuse' || m === 'skip') return m ?? 'refuse';
  throw new InvalidInputError({ message: `expected missing to be 'refuse' or 'skip', got ${JSON.stringify(m)}`, path: ['options', 'missing'] });
}

/**
 * The `tenants` argument of `loadTenants` checked as far as it can be without the store (a
 * non-empty array of non-empty strings, own elements), repeats dropped; else `InvalidInputError`.
 */
export function requestedTenants(tenants: readonly string[]): Id[] {
  return readRequestedTenants(tenants, undefined);
}

function* rounds(asked: readonly Id[], dialect: ScopedDialect, schemaName: string, missing: 'refuse' | 'skip'): ScopedRead {
  const { s, q } = dialect;
  const select = (key: keyof PolicyRows, where?: (params: unknown[]) => string): ScopedQuery => {
    const params: unknown[] = [];
    const sel = POLICY_SELECTS[key];
    return { select: sel, sql: selectSql(sel, s, q, where?.(params)), params };
  };
  const table = (name: string): string => `${s}.${q(name)}`;
  /** Users who act in a tenant of `set`: their own tenant, or one of their further tenants, is in it. */
  const acting = (set: ReadonlySet<Id>, params: unknown[]): string =>
    `(${dialect.inSet(q('tenant'), set, params)} OR ${q('id')} IN (SELECT ${q('user_id')} FROM ${table('user_tenants')} WHERE ${dialect.inSet(q('tenant'), set, params)}))`;
  const ofParents = (column: string, parent: string, set: ReadonlySet<Id>) => (params: unknown[]) =>
    `${q(column)} IN (SELECT ${q('id')} FROM ${table(parent)} WHERE ${dialect.inSet(q('tenant'), set, params)})`;

  // Round 1: the tree, and the requested tenants checked against it.
  const tenantRows = yield select('tenants');
  const tree = tenantTreeOf(decodeTenants(tenantRows, schemaName));
  const requested = readRequestedTenants(asked, tree, missing);
  const served = servedOf(tree, requested);

  // Round 2: the tenants of the users who act in a served tenant.
  const params: unknown[] = [];
  const actors = acting(served.servedUp, params);
  const actorRows = yield {
    select: ACTOR_TENANTS,
    sql:
      `SELECT ${q('tenant')} FROM ${table('users')} WHERE ${actors} ` +
      `UNION SELECT ${q('tenant')} FROM ${table('user_tenants')} WHERE ${q('user_id')} IN (SELECT ${q('id')} FROM ${table('users')} WHERE ${acting(served.servedUp, params)})`,
    params,
  };
  const actorTenants: Id[] = [];
  for (const [t] of actorRows) {
    if (typeof t !== 'string') {
      throw new InvalidInputError({ message: `table ${schemaName}.users or user_tenants: a tenant is ${t === null ? 'NULL' : typeof t}; a text value is needed`, path: ['users'] });
    }
    actorTenants.push(t);
  }
  const scope = scopeFrom(tree, requested, served, actorTenants);

  // Round 3: the part.
  const { held, heldUp } = scope;
  const rows: Record<keyof PolicyRows, readonly Row[]> = {
    state: yield select('state'),
    tenants: tenantRows,
    roles: yield select('roles', (p) => dialect.inSet(q('tenant'), held, p)),
    users: yield select('users', (p) => acting(heldUp, p)),
    userTenants: yield select('userTenants', (p) => `${q('user_id')} IN (SELECT ${q('id')} FROM ${table('users')} WHERE ${acting(heldUp, p)})`),
    groups: yield select('groups', (p) => dialect.inSet(q('tenant'), held, p)),
    groupMembers: yield select('groupMembers', ofParents('group_id', 'groups', held)),
    resourceTypes: yield select('resourceTypes'),
    resourceTypeActions: yield select('resourceTypeActions'),
    resourceTypeFields: yield select('resourceTypeFields'),
    sharingRules: yield select('sharingRules', (p) => dialect.inSet(q('tenant'), held, p)),
    accessGroups: yield select('accessGroups', (p) => dialect.inSet(q('tenant'), held, p)),
    accessGroupGrants: yield select('accessGroupGrants', ofParents('access_group_id', 'access_groups', held)),
  };
  const { policy, revision } = decodePolicy(rows, schemaName);
  // A user whose own tenant is not held keeps no role: its role is of a tenant whose roles were not read.
  const part: PolicyInput = { ...policy, users: (policy.users ?? []).map((u) => scopedUser(u, scope.held)) };
  return { policy: part, revision };
}

/** Runs a scoped read with an asynchronous driver (`run` answers one query with its rows, ready to decode). */
export async function runScopedRead(read: ScopedRead, run: (query: ScopedQuery) => Promise<readonly Row[]>): Promise<StoredPolicy> {
  let step = read.next(undefined as unknown as readonly Row[]);
  while (step.done !== true) step = read.next(await run(step.value));
  return step.value;
}

/** Runs a scoped read with a synchronous driver (better-sqlite3, inside one read transaction). */
export function runScopedReadSync(read: ScopedRead, run: (query: ScopedQuery) => readonly Row[]): StoredPolicy {
  let step = read.next(undefined as unknown as readonly Row[]);
  while (step.done !== true) step = read.next(run(step.value));
  return step.value;
}
