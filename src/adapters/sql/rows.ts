import {
  InvalidInputError,
  normalizePolicy,
  type AccessGroup,
  type ChangeRecord,
  type EntityOp,
  type Group,
  type Id,
  type Policy,
  type PolicyInput,
  type Principal,
  type ResourceType,
  type Role,
  type SharingRule,
  type Tenant,
  type User,
} from '../../index.js';

/*
 * Policy entities <-> rows of the normalized tables. The write side turns normalized entities into
 * column arrays (bound as one array parameter per column and expanded with `unnest`, so a write of
 * 100,000 users is a handful of statements with a handful of parameters). The read side turns rows
 * back into a plain PolicyInput, which the core then validates.
 */

/** How a column travels: one array parameter per column, cast to `type[]`. */
export type ColumnType = 'text' | 'integer' | 'boolean' | 'jsonb' | 'textlist';

export interface TableSpec {
  readonly table: string;
  readonly columns: readonly (readonly [name: string, type: ColumnType])[];
  /** The primary key: the conflict target of upserts. */
  readonly key: readonly string[];
  /** The column that names the owning entity (child tables) or the entity's own id column. */
  readonly owner: string;
}

export const TABLES = {
  tenants: { table: 'tenants', columns: [['id', 'text'], ['parent', 'text'], ['ceiling', 'textlist']], key: ['id'], owner: 'id' },
  roles: { table: 'roles', columns: [['id', 'text'], ['tenant', 'text'], ['parent', 'text'], ['access_level', 'jsonb']], key: ['id'], owner: 'id' },
  users: {
    table: 'users',
    columns: [['id', 'text'], ['tenant', 'text'], ['status', 'text'], ['role', 'text'], ['access_level', 'jsonb']],
    key: ['id'],
    owner: 'id',
  },
  userTenants: {
    table: 'user_tenants',
    columns: [['user_id', 'text'], ['position', 'integer'], ['tenant', 'text']],
    key: ['user_id', 'position'],
    owner: 'user_id',
  },
  groups: {
    table: 'groups',
    columns: [['id', 'text'], ['tenant', 'text'], ['name', 'text'], ['description', 'text'], ['access_level', 'jsonb']],
    key: ['id'],
    owner: 'id',
  },
  groupMembers: {
    table: 'group_members',
    columns: [['group_id', 'text'], ['kind', 'text'], ['position', 'integer'], ['member_id', 'text'], ['since', 'text'], ['until', 'text']],
    key: ['group_id', 'kind', 'position'],
    owner: 'group_id',
  },
  resourceTypes: {
    table: 'resource_types',
    columns: [['name', 'text'], ['org_default', 'text'], ['hierarchy', 'boolean'], ['group_owner_level', 'text'], ['read_actions', 'textlist'], ['controlled_by', 'text']],
    key: ['name'],
    owner: 'name',
  },
  resourceTypeActions: {
    table: 'resource_type_actions',
    columns: [['resource_type', 'text'], ['position', 'integer'], ['action', 'text'], ['level', 'text']],
    key: ['resource_type', 'action'],
    owner: 'resource_type',
  },
  resourceTypeFields: {
    table: 'resource_type_fields',
    columns: [['resource_type', 'text'], ['position', 'integer'], ['field', 'text'], ['read_action', 'text'], ['write_action', 'text']],
    key: ['resource_type', 'field'],
    owner: 'resource_type',
  },
  sharingRules: {
    table: 'sharing_rules',
    columns: [
      ['id', 'text'],
      ['tenant', 'text'],
      ['resource_type', 'text'],
      ['from_kind', 'text'],
      ['from_id', 'text'],
      ['to_kind', 'text'],
      ['to_id', 'text'],
      ['level', 'text'],
      ['since', 'text'],
      ['until', 'text'],
    ],
    key: ['id'],
    owner: 'id',
  },
  accessGroups: {
    table: 'access_groups',
    columns: [['id', 'text'], ['tenant', 'text'], ['resource_types', 'textlist'], ['segment', 'jsonb']],
    key: ['id'],
    owner: 'id',
  },
  accessGroupGrants: {
    table: 'access_group_grants',
    columns: [['access_group_id', 'text'], ['position', 'integer'], ['principal_kind', 'text'], ['principal_id', 'text'], ['level', 'text'], ['since', 'text'], ['until', 'text']],
    key: ['access_group_id', 'position'],
    owner: 'access_group_id',
  },
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof TABLES;

/** Every table of the policy, children after their parents. */
export const ALL_TABLES: readonly TableName[] = [
  'tenants',
  'roles',
  'users',
  'userTenants',
  'groups',
  'groupMembers',
  'resourceTypes',
  'resourceTypeActions',
  'resourceTypeFields',
  'sharingRules',
  'accessGroups',
  'accessGroupGrants',
];

/** Rows of one table, column by column. */
export class Columns {
  readonly values: unknown[][];
  constructor(readonly spec: TableSpec) {
    this.values = spec.columns.map(() => []);
  }
  get size(): number {
    return this.values[0]?.length ?? 0;
  }
  push(...row: unknown[]): void {
    for (let i = 0; i < this.values.length; i++) (this.values[i] as unknown[]).push(row[i] ?? null);
  }
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** The kind of a principal (its single key). */
const kindOf = (p: Principal): { kind: string; id: Id } => {
  const kind = Object.keys(p)[0] as string;
  return { kind, id: (p as unknown as Record<string, Id>)[kind] as Id };
};

const MEMBER_LISTS = [
  ['users', 'user'],
  ['roles', 'role'],
  ['rolesAndSubordinates', 'roleAndSubordinates'],
  ['groups', 'group'],
] as const;

/** An entity collection of a change record. */
export type Collection = 'users' | 'roles' | 'groups' | 'sharingRules' | 'accessGroups' | 'tenants' | 'resourceTypes';

/** Per entity collection: its table and its child tables. */
export const COLLECTION_TABLES: Readonly<Record<Collection, { entity: TableName; children: readonly TableName[] }>> = {
  users: { entity: 'users', children: ['userTenants'] },
  roles: { entity: 'roles', children: [] },
  groups: { entity: 'groups', children: ['groupMembers'] },
  sharingRules: { entity: 'sharingRules', children: [] },
  accessGroups: { entity: 'accessGroups', children: ['accessGroupGrants'] },
  tenants: { entity: 'tenants', children: [] },
  resourceTypes: { entity: 'resourceTypes', children: ['resourceTypeActions', 'resourceTypeFields'] },
};

/** What one change writes: whole tables (a replace) or some entities. */
export interface Writes {
  /** True for a whole-policy record: every table is emptied first. */
  readonly replace: boolean;
  /** Per collection, the ids whose rows (and child rows) go before the new rows are written. */
  readonly removed: Map<Collection, Id[]>;
  /** The new rows, per table. */
  readonly rows: Map<TableName, Columns>;
  /** For a replace, or a change that sets them: the access levels and default level (JSON or null). */
  readonly accessLevels?: string | null;
  readonly defaultAccessLevel?: string | null;
}

const rowsOf = (rows: Map<TableName, Columns>, t: TableName): Columns => {
  let c = rows.get(t);
  if (c === undefined) {
    c = new Columns(TABLES[t]);
    rows.set(t, c);
  }
  return c;
};

function addTenant(rows: Map<TableName, Columns>, t: Tenant): void {
  rowsOf(rows, 'tenants').push(t.id, t.parent, t.ceiling === undefined ? null : json(t.ceiling));
}
function addRole(rows: Map<TableName, Columns>, r: Role): void {
  rowsOf(rows, 'roles').push(r.id, r.tenant, r.parent, json(r.accessLevel));
}
function addUser(rows: Map<TableName, Columns>, u: User): void {
  rowsOf(rows, 'users').push(u.id, u.tenant, u.status, u.role, json(u.accessLevel));
  if (u.tenants.length > 0) {
    const c = rowsOf(rows, 'userTenants');
    u.tenants.forEach((t, i) => c.push(u.id, i, t));
  }
}
function addGroup(rows: Map<TableName, Columns>, g: Group): void {
  rowsOf(rows, 'groups').push(g.id, g.tenant, g.name, g.description, json(g.accessLevel));
  const c = rowsOf(rows, 'groupMembers');
  for (const [list, kind] of MEMBER_LISTS) {
    g.members[list].forEach((m, i) => (typeof m === 'string' ? c.push(g.id, kind, i, m, null, null) : c.push(g.id, kind, i, m.id, m.since ?? null, m.until ?? null)));
  }
}
function addResourceType(rows: Map<TableName, Columns>, t: ResourceType): void {
  rowsOf(rows, 'resourceTypes').push(t.name, t.default ?? null, t.hierarchy ?? null, t.groupOwnerLevel ?? null, t.readActions === undefined ? null : json(t.readActions), t.controlledBy ?? null);
  const c = rowsOf(rows, 'resourceTypeActions');
  let i = 0;
  for (const [action, level] of t.actions) c.push(t.name, i++, action, level);
  const f = rowsOf(rows, 'resourceTypeFields');
  let j = 0;
  for (const [field, p] of t.fields ?? []) f.push(t.name, j++, field, p.read, p.write ?? null);
}
function addSharingRule(rows: Map<TableName, Columns>, r: SharingRule): void {
  const from = kindOf(r.from);
  const to = kindOf(r.to);
  rowsOf(rows, 'sharingRules').push(r.id, r.tenant, r.resourceType, from.kind, from.id, to.kind, to.id, r.level, r.since ?? null, r.until ?? null);
}
function addAccessGroup(rows: Map<TableName, Columns>, a: AccessGroup): void {
  rowsOf(rows, 'accessGroups').push(a.id, a.tenant, a.resourceTypes === undefined ? null : json(a.resourceTypes), json(a.segment));
  const c = rowsOf(rows, 'accessGroupGrants');
  a.grants.forEach((g, i) => {
    const p = kindOf(g.to);
    c.push(a.id, i, p.kind, p.id, g.level, g.since ?? null, g.until ?? null);
  });
}

function addCollection(rows: Map<TableName, Columns>, collection: Collection, policy: Policy): void {
  switch (collection) {
    case 'users':
      for (const u of policy.users.values()) addUser(rows, u);
      return;
    case 'roles':
      for (const r of policy.roles.values()) addRole(rows, r);
      return;
    case 'groups':
      for (const g of policy.groups.values()) addGroup(rows, g);
      return;
    case 'sharingRules':
      for (const r of policy.sharingRules.values()) addSharingRule(rows, r);
      return;
    case 'accessGroups':
      for (const a of policy.accessGroups.values()) addAccessGroup(rows, a);
      return;
    case 'tenants':
      for (const t of policy.tenants.values()) addTenant(rows, t);
      return;
    case 'resourceTypes':
      for (const t of policy.resourceTypes.values()) addResourceType(rows, t);
      return;
  }
}

const COLLECTIONS: readonly Collection[] = ['users', 'roles', 'groups', 'sharingRules', 'accessGroups'];
const OP_COLLECTIONS: readonly Collection[] = [...COLLECTIONS, 'tenants', 'resourceTypes'];

/**
 * PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate would come back as U+FFFD (in
 * PostgreSQL, MySQL's utf8mb4 and SQLite alike): reject both before anything is written, rather
 * than fail mid-transaction or store a different id. `store` names the store in the message.
 */
export function checkStorable(value: unknown, path: (string | number)[] = [], store = 'PostgreSQL text'): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000') || /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) {
      throw new InvalidInputError({ message: `${path.join('.')}: ${JSON.stringify(value)} contains a NUL character or an unpaired surrogate, which ${store} cannot store`, path }
      );
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkStorable(v, [...path, i], store));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const k of Object.keys(value)) {
      checkStorable(k, [...path, k], store);
      checkStorable((value as Record<string, unknown>)[k], [...path, k], store);
    }
  }
}

/** The rows a change record writes. Shapes are checked (InvalidInputError); references are the engine's business. */
export function writesOf(change: ChangeRecord): Writes {
  const rows = new Map<TableName, Columns>();
  if (typeof change !== 'object' || change === null) throw new InvalidInputError({ message: 'a change record must be an object' });
  if ('replace' in change) {
    const policy = normalizePolicy(change.replace);
    for (const t of policy.tenants.values()) addTenant(rows, t);
    for (const t of policy.resourceTypes.values()) addResourceType(rows, t);
    for (const c of COLLECTIONS) addCollection(rows, c, policy);
    return {
      replace: true,
      removed: new Map(),
      rows,
      accessLevels: json(policy.accessLevels),
      defaultAccessLevel: json(policy.defaultAccessLevel),
    };
  }
  if (!Array.isArray(change.ops)) throw new InvalidInputError({ message: 'a change record needs `ops` (a list) or `replace` (a policy)', path: ['ops'] });
  // The last op on an id wins; a put after a delete of the same id writes it again.
  const last = new Map<Collection, Map<Id, EntityOp>>();
  const levels: { accessLevels?: string | null; defaultAccessLevel?: string | null } = {};
  change.ops.forEach((op: EntityOp, i: number) => {
    if (typeof op === 'object' && op !== null && op.op === 'set' && (op.field === 'accessLevels' || op.field === 'defaultAccessLevel')) {
      levels[op.field] = op.value === null || op.value === undefined ? null : json(op.value);
      return;
    }
    if (typeof op !== 'object' || op === null || (op as { op: unknown }).op === 'set' || !OP_COLLECTIONS.includes(op.collection) || (op.op !== 'put' && op.op !== 'delete')) {
      throw new InvalidInputError({ message: `ops[${i}]: expected { op: 'put' | 'delete', collection: users | roles | groups | sharingRules | accessGroups | tenants | resourceTypes, ... } or { op: 'set', field: accessLevels | defaultAccessLevel, value }`, path: ['ops', i] }
      );
    }
    const id =
      op.op === 'put' ? (op.collection === 'resourceTypes' ? (op.entity as { name?: unknown } | undefined)?.name : (op.entity as { id?: unknown } | undefined)?.id) : op.id;
    if (typeof id !== 'string') throw new InvalidInputError({ message: `ops[${i}]: the entity id must be a string`, path: ['ops', i] });
    let m = last.get(op.collection);
    if (m === undefined) last.set(op.collection, (m = new Map()));
    m.delete(id);
    m.set(id, op);
  });
  const removed = new Map<Collection, Id[]>();
  for (const [collection, ops] of last) {
    removed.set(collection, [...ops.keys()]);
    const puts = [...ops.values()].flatMap((op) => (op.op === 'put' ? [op.entity] : []));
    if (puts.length === 0) continue;
    const partial =
      collection === 'resourceTypes'
        ? normalizePolicy({ resourceTypes: new Map(puts.map((t) => [(t as { name: string }).name, t])) } as unknown as PolicyInput)
        : normalizePolicy({ resourceTypes: {}, [collection]: puts } as PolicyInput);
    addCollection(rows, collection, partial);
  }
  return { replace: false, removed, rows, ...levels };
}

/** One step of writing a change, in order; each adapter runs them in its own SQL. */
export type WriteStep =
  | { readonly step: 'deleteAll'; readonly table: string }
  | { readonly step: 'setLevels'; readonly accessLevels?: string | null; readonly defaultAccessLevel?: string | null }
  | { readonly step: 'deleteIn'; readonly table: string; readonly column: string; readonly ids: readonly Id[] }
  | { readonly step: 'insert'; readonly rows: Columns };

/**
 * The steps of writing `w`, for the adapters that write row by row (MySQL, SQLite): a replace
 * empties every table and sets both levels; otherwise the levels it sets, the child rows of every
 * entity it touches, the entity rows of those it deletes (rows written again are upserted); then
 * the new rows, parents before children. The caller holds the transaction and the revision lock.
 */
export function planWrites(w: Writes): WriteStep[] {
  const steps: WriteStep[] = [];
  if (w.replace) {
    for (const t of ALL_TABLES) steps.push({ step: 'deleteAll', table: TABLES[t].table });
    steps.push({ step: 'setLevels', accessLevels: w.accessLevels ?? null, defaultAccessLevel: w.defaultAccessLevel ?? null });
  } else {
    if (w.accessLevels !== undefined || w.defaultAccessLevel !== undefined) {
      steps.push({
        step: 'setLevels',
        ...(w.accessLevels === undefined ? {} : { accessLevels: w.accessLevels }),
        ...(w.defaultAccessLevel === undefined ? {} : { defaultAccessLevel: w.defaultAccessLevel }),
      });
    }
    for (const [collection, ids] of w.removed) {
      if (ids.length === 0) continue;
      const { entity, children } = COLLECTION_TABLES[collection];
      for (const t of children) steps.push({ step: 'deleteIn', table: TABLES[t].table, column: TABLES[t].owner, ids });
      const puts = new Set(w.rows.get(entity)?.values[0] as string[] | undefined);
      const gone = ids.filter((id) => !puts.has(id));
      if (gone.length > 0) steps.push({ step: 'deleteIn', table: TABLES[entity].table, column: TABLES[entity].owner, ids: gone });
    }
  }
  for (const t of ALL_TABLES) {
    const rows = w.rows.get(t);
    if (rows !== undefined && rows.size > 0) steps.push({ step: 'insert', rows });
  }
  return steps;
}

/** The rows of `rows`, row by row (each an array in column order). */
export function rowArrays(rows: Columns, start = 0, end = rows.size): unknown[][] {
  const out: unknown[][] = [];
  for (let i = start; i < Math.min(end, rows.size); i++) out.push(rows.values.map((column) => column[i] ?? null));
  return out;
}
