/*
 * Reading the normalized tables back into a plain PolicyInput, shared by the SQL adapters: which
 * columns of which table (POLICY_SELECTS, in the order the decoder reads them) and the decoding of
 * the rows. Each adapter runs the SELECTs in one snapshot and hands the rows over as arrays, with
 * text as strings, booleans as booleans, lists and JSON values parsed. Nothing here trusts the
 * rows: a NULL where a value is needed, an unknown kind or a child row without its parent is an
 * InvalidInputError that names the table and the row. What the rows mean together (dangling
 * references, cycles, tenants) is checked by the core when the engine is built.
 */
import {
  InvalidInputError,
  type AccessGroupInput,
  type ChangeRecord,
  type GroupInput,
  type Id,
  type MemberEntry,
  type PolicyInput,
  type ResourceTypeInput,
  type RoleInput,
  type SharingRuleInput,
  type StoredPolicy,
  type TenantInput,
  type UserInput,
} from '../../index.js';
import { TABLES, type ColumnType } from './rows.js';

/** A row as an array of column values. */
export type Row = unknown[];

/** One SELECT of the snapshot: a table, its columns in the order the decoder reads them, and an ORDER BY. */
export interface PolicySelect {
  readonly table: string;
  readonly columns: readonly string[];
  readonly orderBy?: readonly string[];
}

/** The SELECTs of a whole policy, in the order they run. */
export const POLICY_SELECTS = {
  state: { table: 'policy_state', columns: ['revision', 'access_levels', 'default_access_level'] },
  tenants: { table: 'tenants', columns: ['id', 'parent', 'ceiling'] },
  roles: { table: 'roles', columns: ['id', 'tenant', 'parent', 'access_level'] },
  users: { table: 'users', columns: ['id', 'tenant', 'status', 'role', 'access_level'] },
  userTenants: { table: 'user_tenants', columns: ['user_id', 'tenant', 'position'], orderBy: ['position'] },
  groups: { table: 'groups', columns: ['id', 'tenant', 'name', 'description', 'access_level'] },
  groupMembers: { table: 'group_members', columns: ['group_id', 'kind', 'member_id', 'position', 'since', 'until'], orderBy: ['position'] },
  resourceTypes: { table: 'resource_types', columns: ['name', 'org_default', 'hierarchy', 'group_owner_level', 'read_actions', 'controlled_by'], orderBy: ['name'] },
  resourceTypeActions: { table: 'resource_type_actions', columns: ['resource_type', 'action', 'level', 'position'], orderBy: ['position'] },
  resourceTypeFields: { table: 'resource_type_fields', columns: ['resource_type', 'field', 'read_action', 'write_action', 'position'], orderBy: ['resource_type', 'position'] },
  sharingRules: { table: 'sharing_rules', columns: ['id', 'tenant', 'resource_type', 'from_kind', 'from_id', 'to_kind', 'to_id', 'level', 'since', 'until'] },
  accessGroups: { table: 'access_groups', columns: ['id', 'tenant', 'resource_types', 'segment'] },
  accessGroupGrants: { table: 'access_group_grants', columns: ['access_group_id', 'principal_kind', 'principal_id', 'level', 'position', 'since', 'until'], orderBy: ['position'] },
} as const satisfies Record<string, PolicySelect>;

/** The rows of every SELECT of {@link POLICY_SELECTS}. */
export type PolicyRows = { readonly [K in keyof typeof POLICY_SELECTS]: readonly Row[] };

/**
 * The SQL text of a SELECT: `s` is the quoted schema (or database), `q` quotes a column or table
 * name (PostgreSQL leaves them bare; MySQL needs backticks, since `groups` is reserved there),
 * `where` an optional condition (SQL text whose values are parameters).
 */
export function selectSql(select: PolicySelect, s: string, q: (name: string) => string = (n) => n, where?: string): string {
  const order = select.orderBy === undefined ? '' : ` ORDER BY ${select.orderBy.map(q).join(', ')}`;
  return `SELECT ${select.columns.map(q).join(', ')} FROM ${s}.${q(select.table)}${where === undefined ? '' : ` WHERE ${where}`}${order}`;
}

const MEMBER_LIST: Readonly<Record<string, 'users' | 'roles' | 'rolesAndSubordinates' | 'groups'>> = {
  user: 'users',
  role: 'roles',
  roleAndSubordinates: 'rolesAndSubordinates',
  group: 'groups',
};
const PRINCIPAL_KINDS = ['user', 'role', 'roleAndSubordinates', 'group'];
const RULE_KINDS = ['role', 'roleAndSubordinates', 'group'];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MutableGroup = Mutable<Omit<GroupInput, 'members'>> & {
  members: { users: MemberEntry[]; roles: MemberEntry[]; rolesAndSubordinates: MemberEntry[]; groups: MemberEntry[] };
};

/** The `since` and `until` columns of a row, undefined when both are NULL (the instants are checked by the core). */
function bounds(r: RowReader, since: unknown, until: unknown, where: () => string): { since?: string; until?: string } | undefined {
  const s = r.optText(since, 'since', where);
  const u = r.optText(until, 'until', where);
  if (s === undefined && u === undefined) return undefined;
  return { ...(s === undefined ? {} : { since: s }), ...(u === undefined ? {} : { until: u }) };
}

class RowReader {
  constructor(
    private readonly schema: string,
    private readonly table: string,
  ) {}

  bad(row: string, what: string, ids: readonly Id[] = []): InvalidInputError {
    return new InvalidInputError({ message: `table ${this.schema}.${this.table}, ${row}: ${what}`, path: [this.table, row], ids });
  }

  /** A required text value. */
  text(value: unknown, column: string, row: () => string): string {
    if (typeof value !== 'string') throw this.bad(row(), `column ${column} is ${value === null ? 'NULL' : typeof value}; a text value is needed`);
    return value;
  }

  /** An optional text value (NULL means absent). */
  optText(value: unknown, column: string, row: () => string): string | undefined {
    if (value === null || value === undefined) return undefined;
    return this.text(value, column, row);
  }

  /** An optional text[] value without NULL elements. */
  optList(value: unknown, column: string, row: () => string): string[] | undefined {
    if (value === null || value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw this.bad(row(), `column ${column} must be a list of text values without NULLs`);
    }
    return value as string[];
  }

  oneOf(value: unknown, allowed: readonly string[], column: string, row: () => string): string {
    const v = this.text(value, column, row);
    if (!allowed.includes(v)) throw this.bad(row(), `column ${column} is ${JSON.stringify(v)}; expected one of ${allowed.join(', ')}`);
    return v;
  }
}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Defines an own, enumerable property, so that a key such as `__proto__` stays data. */
function define<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, Object.setPrototypeOf({ value, enumerable: true, writable: true, configurable: true }, null) as PropertyDescriptor);
}

/** Decodes the rows of the tenants table (see {@link POLICY_SELECTS}); a row without an id is an error naming it. */
export function decodeTenants(tenantRows: readonly Row[], schemaName: string): TenantInput[] {
  const tr = new RowReader(schemaName, 'tenants');
  return tenantRows.map(([id, parent, ceiling], i) => {
    const where = (): string => `row ${i + 1} (id ${show(id)})`;
    const p = tr.optText(parent, 'parent', where);
    const c = tr.optList(ceiling, 'ceiling', where);
    return { id: tr.text(id, 'id', where), ...(p === undefined ? {} : { parent: p }), ...(c === undefined ? {} : { ceiling: c }) };
  });
}

/** Decodes the rows of a whole policy (see {@link POLICY_SELECTS}) into the policy and its revision. */
export function decodePolicy(rows: PolicyRows, schemaName: string): StoredPolicy {
  const {
    state,
    tenants: tenantRows,
    roles: roleRows,
    users: userRows,
    userTenants: userTenantRows,
    groups: groupRows,
    groupMembers: memberRows,
    resourceTypes: typeRows,
    resourceTypeActions: actionRows,
    resourceTypeFields: fieldRows,
    sharingRules: ruleRows,
    accessGroups: agRows,
    accessGroupGrants: grantRows,
  } = rows;
  if (state.length !== 1) {
    throw new InvalidInputError({ message: `table ${schemaName}.policy_state must hold exactly one row, found ${state.length}; run migrate() on a fresh schema`, path: ['policy_state'] }
    );
  }
  const [revisionRaw, accessLevels, defaultAccessLevel] = state[0] as Row;
  const revision = Number(revisionRaw);
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new InvalidInputError({ message: `table ${schemaName}.policy_state: revision ${show(revisionRaw)} is not a revision`, path: ['policy_state'] });
  }

  const tenants = decodeTenants(tenantRows, schemaName);

  // Roles.
  const rr = new RowReader(schemaName, 'roles');
  const roles: RoleInput[] = roleRows.map(([id, tenant, parent, level], i) => {
    const where = (): string => `row ${i + 1} (id ${show(id)})`;
    const p = rr.optText(parent, 'parent', where);
    return {
      id: rr.text(id, 'id', where),
      tenant: rr.text(tenant, 'tenant', where),
      ...(p === undefined ? {} : { parent: p }),
      ...(level === null || level === undefined ? {} : { accessLevel: level as RoleInput['accessLevel'] & object }),
    };
  });

  // Users and their further tenants.
  const ur = new RowReader(schemaName, 'users');
  const users = new Map<Id, Mutable<UserInput> & { tenants: Id[] }>();
  userRows.forEach(([id, tenant, status, role, level], i) => {
    const where = (): string => `row ${i + 1} (id ${show(id)})`;
    const r = ur.optText(role, 'role', where);
    const user = {
      id: ur.text(id, 'id', where),
      tenant: ur.text(tenant, 'tenant', where),
      status: ur.oneOf(status, ['active', 'inactive'], 'status', where) as 'active' | 'inactive',
      ...(r === undefined ? {} : { role: r }),
      ...(level === null || level === undefined ? {} : { accessLevel: level as NonNullable<UserInput['accessLevel']> }),
      tenants: [] as Id[],
    };
    users.set(user.id, user);
  });
  const utr = new RowReader(schemaName, 'user_tenants');
  for (const [userId, tenant, position] of userTenantRows) {
    const where = (): string => `row (user_id ${show(userId)}, position ${show(position)})`;
    const user = users.get(utr.text(userId, 'user_id', where));
    if (user === undefined) throw utr.bad(where(), `user ${show(userId)} is not in table ${schemaName}.users`, [userId as Id]);
    user.tenants.push(utr.text(tenant, 'tenant', where));
  }

  // Groups and their members.
  const gr = new RowReader(schemaName, 'groups');
  const groups = new Map<Id, MutableGroup>();
  groupRows.forEach(([id, tenant, name, description, level], i) => {
    const where = (): string => `row ${i + 1} (id ${show(id)})`;
    const n = gr.optText(name, 'name', where);
    const d = gr.optText(description, 'description', where);
    const group: MutableGroup = {
      id: gr.text(id, 'id', where),
      tenant: gr.text(tenant, 'tenant', where),
      ...(n === undefined ? {} : { name: n }),
      ...(d === undefined ? {} : { description: d }),
      members: { users: [], roles: [], rolesAndSubordinates: [], groups: [] },
      ...(level === null || level === undefined ? {} : { accessLevel: level as NonNullable<GroupInput['accessLevel']> }),
    };
    groups.set(group.id, group);
  });
  const mr = new RowReader(schemaName, 'group_members');
  for (const [groupId, kind, memberId, position, since, until] of memberRows) {
    const group = groups.get(groupId as Id);
    const list = MEMBER_LIST[kind as string];
    if (group === undefined || list === undefined || typeof memberId !== 'string' || !Object.hasOwn(MEMBER_LIST, kind as string)) {
      const where = `row (group_id ${show(groupId)}, kind ${show(kind)}, position ${show(position)})`;
      mr.text(groupId, 'group_id', () => where);
      mr.oneOf(kind, PRINCIPAL_KINDS, 'kind', () => where);
      mr.text(memberId, 'member_id', () => where);
      throw mr.bad(where, `group ${show(groupId)} is not in table ${schemaName}.groups`, [groupId as Id]);
    }
    const where = (): string => `row (group_id ${show(groupId)}, kind ${show(kind)}, position ${show(position)})`;
    const b = bounds(mr, since, until, where);
    group.members[list].push(b === undefined ? memberId : { id: memberId, ...b });
  }

  // Resource types and their actions, keyed by name with own properties (a type may be called __proto__).
  const rtr = new RowReader(schemaName, 'resource_types');
  const types = new Map<string, { actions: Record<string, string>; [k: string]: unknown }>();
  typeRows.forEach(([name, def, hierarchy, gol, readActions, controlledBy], i) => {
    const where = (): string => `row ${i + 1} (name ${show(name)})`;
    // A controlled type stores NULL in the three columns it may not declare; the core checks which may be absent.
    if (hierarchy !== null && typeof hierarchy !== 'boolean') throw rtr.bad(where(), 'column hierarchy must be true, false or NULL');
    const ra = rtr.optList(readActions, 'read_actions', where);
    const d = rtr.optText(def, 'org_default', where);
    const g = rtr.optText(gol, 'group_owner_level', where);
    const cb = rtr.optText(controlledBy, 'controlled_by', where);
    // An uncontrolled type always stores all three: a NULL would read as a default (hierarchy on), never as written.
    if (cb === undefined && (d === undefined || hierarchy === null || g === undefined)) {
      throw rtr.bad(where(), 'columns org_default, hierarchy and group_owner_level must be set on a type without controlled_by');
    }
    const t = {
      actions: Object.create(null) as Record<string, string>,
      ...(ra === undefined ? {} : { readActions: ra }),
      ...(d === undefined ? {} : { default: d as NonNullable<ResourceTypeInput['default']> }),
      ...(hierarchy === null ? {} : { hierarchy }),
      ...(g === undefined ? {} : { groupOwnerLevel: g as NonNullable<ResourceTypeInput['groupOwnerLevel']> }),
      ...(cb === undefined ? {} : { controlledBy: cb }),
    };
    types.set(rtr.text(name, 'name', where), t);
  });
  const ar = new RowReader(schemaName, 'resource_type_actions');
  for (const [typeName, action, level, position] of actionRows) {
    const where = (): string => `row (resource_type ${show(typeName)}, action ${show(action)}, position ${show(position)})`;
    const t = types.get(ar.text(typeName, 'resource_type', where));
    if (t === undefined) throw ar.bad(where(), `resource type ${show(typeName)} is not in table ${schemaName}.resource_types`, [typeName as string]);
    define(t.actions, ar.text(action, 'action', where), ar.text(level, 'level', where));
  }
  const fr = new RowReader(schemaName, 'resource_type_fields');
  for (const [typeName, field, readAction, writeAction, position] of fieldRows) {
    const where = (): string => `row (resource_type ${show(typeName)}, field ${show(field)}, position ${show(position)})`;
    const t = types.get(fr.text(typeName, 'resource_type', where));
    if (t === undefined) throw fr.bad(where(), `resource type ${show(typeName)} is not in table ${schemaName}.resource_types`, [typeName as string]);
    const fields = (t.fields ??= Object.create(null)) as Record<string, { read: string; write?: string }>;
    const write = fr.optText(writeAction, 'write_action', where);
    define(fields, fr.text(field, 'field', where), { read: fr.text(readAction, 'read_action', where), ...(write === undefined ? {} : { write }) });
  }
  const resourceTypes: Record<string, ResourceTypeInput> = {};
  for (const [name, t] of types) define(resourceTypes, name, { ...t, actions: { ...t.actions } } as unknown as ResourceTypeInput);

  // Sharing rules.
  const sr = new RowReader(schemaName, 'sharing_rules');
  const sharingRules: SharingRuleInput[] = ruleRows.map(([id, tenant, type, fromKind, fromId, toKind, toId, level, since, until], i) => {
    const where = (): string => `row ${i + 1} (id ${show(id)})`;
    const fk = sr.oneOf(fromKind, RULE_KINDS, 'from_kind', where);
    const tk = sr.oneOf(toKind, RULE_KINDS, 'to_kind', where);
    return {
      id: sr.text(id, 'id', where),
      tenant: sr.text(tenant, 'tenant', where),
      resourceType: sr.text(type, 'resource_type', where),
      from: { [fk]: sr.text(fromId, 'from_id', where) } as unknown as SharingRuleInput['from'],
      to: { [tk]: sr.text(toId, 'to_id', where) } as unknown as SharingRuleInput['to'],
      level: sr.text(level, 'level', where) as SharingRuleInput['level'],
      ...bounds(sr, since, until, where),
    };
  });

  // Access groups and their grants.
  const agr = new RowReader(schemaName, 'access_groups');
  const accessGroups = new Map<Id, { id: Id; grants: { to: unknown; level: unknown }[]; [k: string]: unknown }>();
  agRows.forEach(([id, tenant, resourceTypesRaw, segment], i) => {
    const where = (): string => `row ${i + 1} (id ${show(id)})`;
    const rt = agr.optList(resourceTypesRaw, 'resource_types', where);
    const a = {
      id: agr.text(id, 'id', where),
      tenant: agr.text(tenant, 'tenant', where),
      ...(rt === undefined ? {} : { resourceTypes: rt }),
      ...(segment === null || segment === undefined ? {} : { segment: segment as NonNullable<AccessGroupInput['segment']> }),
      grants: [] as { to: unknown; level: unknown }[],
    };
    accessGroups.set(a.id, a);
  });
  const ggr = new RowReader(schemaName, 'access_group_grants');
  for (const [agId, kind, principalId, level, position, since, until] of grantRows) {
    const where = (): string => `row (access_group_id ${show(agId)}, position ${show(position)})`;
    const a = accessGroups.get(ggr.text(agId, 'access_group_id', where));
    if (a === undefined) throw ggr.bad(where(), `access group ${show(agId)} is not in table ${schemaName}.access_groups`, [agId as Id]);
    const k = ggr.oneOf(kind, PRINCIPAL_KINDS, 'principal_kind', where);
    a.grants.push({ to: { [k]: ggr.text(principalId, 'principal_id', where) }, level: ggr.text(level, 'level', where), ...bounds(ggr, since, until, where) });
  }

  const policy: PolicyInput = {
    tenants,
    roles,
    users: [...users.values()],
    groups: [...groups.values()],
    resourceTypes,
    sharingRules,
    accessGroups: [...accessGroups.values()] as unknown as AccessGroupInput[],
    ...(accessLevels === null || accessLevels === undefined ? {} : { accessLevels: accessLevels as NonNullable<PolicyInput['accessLevels']> }),
    ...(defaultAccessLevel === null || defaultAccessLevel === undefined
      ? {}
      : { defaultAccessLevel: defaultAccessLevel as NonNullable<PolicyInput['defaultAccessLevel']> }),
  };
  return { policy, revision };
}

/** Decodes a change-log row (its revision and its record, parsed) into a change record. */
export function decodeChange(raw: unknown, record: unknown, schemaName: string): ChangeRecord {
  const r = Number(raw);
  const o = record as { ops?: unknown; replace?: unknown } | null;
  if (typeof o === 'object' && o !== null && Array.isArray(o.ops)) return { revision: r, ops: o.ops } as ChangeRecord;
  if (typeof o === 'object' && o !== null && typeof o.replace === 'object' && o.replace !== null) {
    return { revision: r, replace: o.replace } as ChangeRecord;
  }
  throw new InvalidInputError({ message: `table ${schemaName}.change_log, revision ${r}: the record has neither ops nor replace`, path: ['change_log', r] });
}

/** Per table, the type of each column (as the writes know them). */
const COLUMN_TYPES = new Map<string, ReadonlyMap<string, ColumnType>>([
  ['policy_state', new Map<string, ColumnType>([['revision', 'integer'], ['access_levels', 'jsonb'], ['default_access_level', 'jsonb']])],
  ...Object.values(TABLES).map((spec) => [spec.table, new Map<string, ColumnType>(spec.columns.map(([n, t]) => [n, t]))] as const),
]);

/** One column value as the decoder reads it; JSON that does not parse is an error naming the row. */
function convert(value: unknown, type: ColumnType | undefined, table: string, column: string, row: Row, schemaName: string): unknown {
  if (value === null || value === undefined) return null;
  let v = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (type === 'boolean' && (v === 0 || v === 1)) return v === 1;
  if ((type === 'jsonb' || type === 'textlist') && typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      const first = row[0];
      const key = Buffer.isBuffer(first) ? first.toString('utf8') : first;
      throw new InvalidInputError({
        message: `table ${schemaName}.${table}, row ${JSON.stringify(key) ?? String(key)}: column ${column} is not JSON`,
        path: [table, String(key)],
      });
    }
  }
  return v;
}

/**
 * The rows of `select` as the decoder reads them, for stores that keep lists, JSON and booleans
 * as text and integers (MySQL, SQLite): bytes as UTF-8 text, JSON text parsed, 0 and 1 as booleans.
 */
export function decodableRows(select: PolicySelect, rows: readonly Row[], schemaName: string): Row[] {
  const types = COLUMN_TYPES.get(select.table);
  return rows.map((row) => row.map((v, i) => convert(v, types?.get(select.columns[i] as string), select.table, select.columns[i] as string, row, schemaName)));
}

/** Decodes a change-log row whose record is JSON text (MySQL, SQLite); text that does not parse is an error naming the revision. */
export function decodeChangeText(raw: unknown, text: unknown, schemaName: string): ChangeRecord {
  let record: unknown;
  try {
    record = typeof text === 'string' ? JSON.parse(text) : text;
  } catch {
    throw new InvalidInputError({ message: `table ${schemaName}.change_log, revision ${String(raw)}: the record is not JSON`, path: ['change_log', Number(raw)] });
  }
  return decodeChange(raw, record, schemaName);
}
