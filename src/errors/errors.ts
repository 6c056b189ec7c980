/** An entity id (the model's `Id`; errors sit below the model and name it by its shape). */
type Id = string;
import { quoteText } from '../text/one-line.js';

/** Stable machine-readable codes of every error the library throws. */
export type ErrorCode =
  | 'invalid-input'
  | 'role-cycle'
  | 'group-cycle'
  | 'tenant-cycle'
  | 'tenant'
  | 'stale-snapshot'
  | 'conflict'
  | 'limit'
  | 'schema-version'
  | 'repository'
  | 'out-of-scope';

/** Where in the input a problem is: keys and indexes from the root of what was passed. */
export type ErrorPath = readonly (string | number)[];

/** What every purview error may carry besides its message. */
export interface ErrorDetails {
  /** The ids the problem is about, in a meaningful order. */
  readonly ids?: readonly Id[];
  /** Where in the input the problem is. */
  readonly path?: ErrorPath;
  /** The lower-level failure this error wraps, if any. */
  readonly cause?: unknown;
}

/** Options of {@link PurviewError}'s constructor. */
export interface PurviewErrorOptions extends ErrorDetails {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Options of the errors whose message is the caller's ({@link InvalidInputError}, {@link TenantError}, {@link RepositoryError}). */
export interface MessageErrorOptions extends ErrorDetails {
  /** What is wrong and what to change. */
  readonly message: string;
}

/** Options of the cycle errors: the cycle in order, its first id repeated last. */
export interface CycleErrorOptions {
  readonly cycle: readonly Id[];
  readonly path?: ErrorPath;
}

/** The error as plain data (see {@link PurviewError.toJSON}). */
export interface PurviewErrorJSON {
  readonly name: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly ids: readonly Id[];
  readonly path: ErrorPath;
  /** The wrapped failure: its JSON when it is a purview error, else its message. */
  readonly cause?: PurviewErrorJSON | string;
  /** The fields particular to the error's class (`cycle`, `wanted`/`current`, `expected`/`actual`, `limit`/`max`, ...). */
  readonly [field: string]: unknown;
}

/**
 * The registered brand every purview error carries: the kinds of its class chain. Registered with
 * `Symbol.for`, so that errors thrown by another copy of the library (the CommonJS build beside the
 * ES module build, two versions in one bundle) are still recognised by `instanceof` and `is`.
 */
const BRAND: unique symbol = Symbol.for('purview.error.kinds') as never;

function kindsOf(value: unknown): readonly string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (!Object.prototype.hasOwnProperty.call(value, BRAND)) return undefined;
  const kinds = (value as { [BRAND]?: unknown })[BRAND];
  return Array.isArray(kinds) && kinds.every((k) => typeof k === 'string') ? (kinds as string[]) : undefined;
}

/**
 * A field of a constructor's options, own properties only: an `ids` or `path` inherited from a
 * polluted `Object.prototype` never lands in an error.
 */
function field<T>(options: object, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(options, key) ? ((options as Record<string, unknown>)[key] as T) : undefined;
}

/** The field names that belong to every error and are not class-particular details. */
const COMMON_FIELDS: ReadonlySet<string> = new Set(['name', 'code', 'message', 'ids', 'path', 'cause', 'stack']);

/**
 * The base of every error purview throws. Errors are data: a stable `code`, the `ids` involved,
 * the `path` into the input, a message that says what to fix, and the class's own fields;
 * `toJSON()` carries all of them.
 *
 * `instanceof` works across copies of the library (the CommonJS and ES module builds loaded side by
 * side): every error carries a registered brand, and each class's `is(value)` and `instanceof`
 * test that brand. Switch on `code` when the class does not matter.
 * @example
 * ```ts
 * try { engine.check('u1', 'fly', lead); } catch (e) { if (PurviewError.is(e)) reply(400, e.toJSON()); }
 * ```
 */
export class PurviewError extends Error {
  /** The kind this class brands its errors with (stable; not the class name, which bundlers may rename). */
  static readonly kind: string = 'PurviewError';
  /** A stable code, safe to switch on. */
  readonly code: ErrorCode;
  /** The ids the problem is about, in a meaningful order (for a cycle, the cycle). */
  readonly ids: readonly Id[];
  /** Where in the input the problem is, when it is about an input. */
  readonly path: ErrorPath;

  constructor(options: PurviewErrorOptions) {
    const cause = field<unknown>(options, 'cause');
    super(String(field(options, 'message') ?? ''), cause === undefined ? undefined : { cause });
    this.code = field<ErrorCode>(options, 'code') ?? 'invalid-input';
    this.ids = Object.freeze([...(field<readonly Id[]>(options, 'ids') ?? [])]);
    this.path = Object.freeze([...(field<ErrorPath>(options, 'path') ?? [])]);
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      const kind = (c as { kind?: unknown }).kind;
      if (typeof kind === 'string' && Object.prototype.hasOwnProperty.call(c, 'kind')) kinds.push(kind);
    }
    // A prototype-less descriptor: an inherited `get` or `set` must not make it invalid.
    Object.defineProperty(this, BRAND, Object.setPrototypeOf({ value: Object.freeze(kinds), enumerable: false }, null) as PropertyDescriptor);
  }

  /**
   * Whether `value` is an error of this class (or a subclass), from this copy of the library or any
   * other. `PurviewError.is(e)` recognises every purview error.
   */
  static is<T extends abstract new (...args: never[]) => PurviewError>(this: T, value: unknown): value is InstanceType<T> {
    const kind = (this as unknown as { kind: string }).kind;
    return kindsOf(value)?.includes(kind) ?? false;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const kind = Object.prototype.hasOwnProperty.call(this, 'kind') ? (this as { kind?: unknown }).kind : undefined;
    return typeof kind === 'string' && (kindsOf(value)?.includes(kind) ?? false);
  }

  /** The error as plain data, for logs and APIs: the common fields and every field of its class. */
  toJSON(): PurviewErrorJSON {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message, ids: this.ids, path: this.path };
    for (const key of Object.keys(this)) {
      if (!COMMON_FIELDS.has(key)) out[key] = (this as unknown as Record<string, unknown>)[key];
    }
    const cause = (this as { cause?: unknown }).cause;
    if (cause !== undefined) out['cause'] = PurviewError.is(cause) ? cause.toJSON() : cause instanceof Error ? cause.message : String(cause);
    return out as PurviewErrorJSON;
  }
}

/**
 * A malformed policy or argument: a wrong shape, a duplicate id, a reference to something that
 * does not exist, an unknown level, an action the type does not declare.
 * @example
 * ```ts
 * try { engine.check('u1', 'fly', lead); } catch (e) { if (e instanceof InvalidInputError) console.log(e.path); }
 * ```
 */
export class InvalidInputError extends PurviewError {
  static override readonly kind: string = 'InvalidInputError';
  override readonly name = 'InvalidInputError';
  constructor(options: MessageErrorOptions) {
    super({ ...options, code: 'invalid-input' });
  }
}

/** The common base of the cycle errors: `cycle` lists the cycle in order, its first id repeated last. */
export abstract class CycleError extends PurviewError {
  static override readonly kind: string = 'CycleError';
  /** The ids of the cycle, each linked to the one before it; the first is repeated last. */
  readonly cycle: readonly Id[];
  protected constructor(code: ErrorCode, message: string, options: CycleErrorOptions) {
    const cycle = field<readonly Id[]>(options, 'cycle') ?? [];
    const path = field<ErrorPath>(options, 'path');
    super({ code, message, ids: cycle, ...(path === undefined ? {} : { path }) });
    this.cycle = Object.freeze([...cycle]);
  }
}

/** A role hierarchy whose `parent` links form a cycle; `cycle` lists the roles, each the parent of the one before it. */
export class RoleCycleError extends CycleError {
  static override readonly kind: string = 'RoleCycleError';
  override readonly name = 'RoleCycleError';
  constructor(options: CycleErrorOptions) {
    super('role-cycle', `role hierarchy has a cycle: ${options.cycle.map(quote).join(' -> ')}; give one of these roles another parent`, options);
  }
}

/** A group that would contain itself, directly or through other groups; `cycle` lists the groups, each a member of the one before it. */
export class GroupCycleError extends CycleError {
  static override readonly kind: string = 'GroupCycleError';
  override readonly name = 'GroupCycleError';
  constructor(options: CycleErrorOptions) {
    super('group-cycle', `group would contain itself: ${options.cycle.map(quote).join(' contains ')}; remove one of these nestings`, options);
  }
}

/** A tenant tree whose `parent` links form a cycle; `cycle` lists the tenants, each the parent of the one before it. */
export class TenantCycleError extends CycleError {
  static override readonly kind: string = 'TenantCycleError';
  override readonly name = 'TenantCycleError';
  constructor(options: CycleErrorOptions) {
    super('tenant-cycle', `tenant tree has a cycle: ${options.cycle.map(quote).join(' -> ')}; give one of these tenants another parent`, options);
  }
}

/** A membership, grant or rule that reaches across tenants, or a ceiling wider than its parent's. */
export class TenantError extends PurviewError {
  static override readonly kind: string = 'TenantError';
  override readonly name = 'TenantError';
  constructor(options: MessageErrorOptions) {
    super({ ...options, code: 'tenant' });
  }
}

/** A query asked for `{ atLeast: revision }` and this engine has not reached that revision. */
export class StaleSnapshotError extends PurviewError {
  static override readonly kind: string = 'StaleSnapshotError';
  override readonly name = 'StaleSnapshotError';
  /** The revision asked for. */
  readonly wanted: number;
  /** The revision the engine holds. */
  readonly current: number;
  /** How long the engine waited for it, in ms, when it waited. */
  readonly waitedMs?: number;
  constructor(options: { readonly wanted: number; readonly current: number; readonly waitedMs?: number }) {
    const { wanted, current } = options;
    const waitedMs = field<number>(options, 'waitedMs');
    super({
      code: 'stale-snapshot',
      message:
        waitedMs === undefined
          ? `revision ${wanted} was asked for but this snapshot is at revision ${current}; ask the live engine, wait for the revision on a shared engine (await engine.waitFor(${wanted})), or ask without atLeast`
          : `revision ${wanted} did not arrive within ${waitedMs} ms (this engine is at revision ${current}); check that the engine follows its repository, or allow a longer timeout`,
    });
    this.wanted = wanted;
    this.current = current;
    if (waitedMs !== undefined) this.waitedMs = waitedMs;
  }
}

/** A write expected one revision and found another: someone else wrote first. Reload and retry. */
export class ConflictError extends PurviewError {
  static override readonly kind: string = 'ConflictError';
  override readonly name = 'ConflictError';
  /** The revision the write was computed on. */
  readonly expected: number;
  /** The revision the policy is at. */
  readonly actual: number;
  constructor(options: { readonly expected: number; readonly actual: number }) {
    super({
      code: 'conflict',
      message: `write expected revision ${options.expected} but the policy is at revision ${options.actual}; reload and retry`,
    });
    this.expected = options.expected;
    this.actual = options.actual;
  }
}

/** A policy or input larger than a configured limit (see `Limits`). */
export class LimitError extends PurviewError {
  static override readonly kind: string = 'LimitError';
  override readonly name = 'LimitError';
  /** Which limit. */
  readonly limit: string;
  /** The configured maximum. */
  readonly max: number;
  /** `hint` replaces the default advice (raise it in `createEngine({ limits })`) for limits set elsewhere. */
  constructor(options: { readonly limit: string; readonly max: number; readonly message: string; readonly ids?: readonly Id[]; readonly path?: ErrorPath; readonly hint?: string }) {
    super({
      code: 'limit',
      message: `${options.message}; the limit ${options.limit} is ${options.max} (${field<string>(options, 'hint') ?? 'raise it in createEngine({ limits }) if this is intended'})`,
      ...(field(options, 'ids') === undefined ? {} : { ids: field<readonly Id[]>(options, 'ids') ?? [] }),
      ...(field(options, 'path') === undefined ? {} : { path: field<ErrorPath>(options, 'path') ?? [] }),
    });
    this.limit = options.limit;
    this.max = options.max;
  }
}

/** A stored schema this library cannot use: newer than it knows, or not migrated yet. */
export class SchemaVersionError extends PurviewError {
  static override readonly kind: string = 'SchemaVersionError';
  override readonly name = 'SchemaVersionError';
  /** The database schema (namespace) the repository uses. */
  readonly schema: string;
  /** The version found in the database (0 when it has not been migrated). */
  readonly found: number;
  /** The newest version this library knows. */
  readonly supported: number;
  constructor(options: { readonly schema: string; readonly found: number; readonly supported: number }) {
    const { schema, found, supported } = options;
    super({
      code: 'schema-version',
      message:
        found > supported
          ? `schema ${quote(schema)} is at version ${found}, newer than this release of purview knows (${supported}); upgrade purview to the release that wrote it`
          : `schema ${quote(schema)} is at version ${found} but this release of purview needs version ${supported}; run repository.migrate() (or open the repository without migrate: false)`,
      path: ['schema'],
    });
    this.schema = schema;
    this.found = found;
    this.supported = supported;
  }
}

/** The repository could not do what was asked: a lost or refused connection, a failed notification channel. */
export class RepositoryError extends PurviewError {
  static override readonly kind: string = 'RepositoryError';
  override readonly name = 'RepositoryError';
  constructor(options: MessageErrorOptions) {
    super({ ...options, code: 'repository' });
  }
}

/**
 * A tenant-scoped engine (`openEngine({ tenants })`) was asked what it cannot answer: a record of a
 * tenant it does not serve, a user or group it does not hold, or a write (which it cannot validate
 * against the whole policy). Never a deny: ask an instance that serves the tenant, or one opened
 * without `tenants`.
 */
export class OutOfScopeError extends PurviewError {
  static override readonly kind: string = 'OutOfScopeError';
  override readonly name = 'OutOfScopeError';
  /** The tenants the engine was opened with. */
  readonly tenants: readonly Id[];
  constructor(options: MessageErrorOptions & { readonly tenants: readonly Id[] }) {
    super({ message: options.message, code: 'out-of-scope', ...(field(options, 'ids') === undefined ? {} : { ids: field<readonly Id[]>(options, 'ids') ?? [] }), ...(field(options, 'path') === undefined ? {} : { path: field<ErrorPath>(options, 'path') ?? [] }) });
    this.tenants = Object.freeze([...options.tenants]);
  }
}

/**
 * Quotes an id for a message, so that empty or odd ids stay visible and no id can break or forge a
 * line of a log: JSON quoting, with every invisible, line-breaking or reordering character written
 * as `\uXXXX`. Ids over 80 characters are cut (the full id is in the error's `ids`).
 */
export function quote(id: unknown): string {
  const s = typeof id === 'string' ? id : String(id);
  return quoteText(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

/** Renders a path as `users[3].role`. */
export function formatPath(path: ErrorPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    // Plain names read as names; anything else (spaces, newlines, quotes) is JSON-quoted, so that
    // an untrusted key cannot forge a line in a log.
    else if (/^[A-Za-z_$][\w$-]{0,63}$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${quote(part)}]`;
  }
  return out;
}
