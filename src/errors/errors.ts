import type { Id } from '../model/ids.js';

/** Stable machine-readable codes of every error the library throws. */
export type ErrorCode =
  | 'invalid-input'
  | 'role-cycle'
  | 'group-cycle'
  | 'tenant'
  | 'stale-snapshot'
  | 'conflict'
  | 'limit';

/** Where in the input a problem is: keys and indexes from the root of what was passed. */
export type ErrorPath = readonly (string | number)[];

/**
 * The base of every error purview throws. Errors are data: a stable `code`, the `ids` involved,
 * the `path` into the input, and a message that says what to fix.
 */
export class PurviewError extends Error {
  /** A stable code, safe to switch on. */
  readonly code: ErrorCode;
  /** The ids the problem is about, in a meaningful order (for a cycle, the cycle). */
  readonly ids: readonly Id[];
  /** Where in the input the problem is, when it is about an input. */
  readonly path: ErrorPath;

  constructor(code: ErrorCode, message: string, ids: readonly Id[] = [], path: ErrorPath = []) {
    super(message);
    this.code = code;
    this.ids = Object.freeze([...ids]);
    this.path = Object.freeze([...path]);
  }

  /** The error as plain data, for logs and APIs. */
  toJSON(): { name: string; code: ErrorCode; message: string; ids: readonly Id[]; path: ErrorPath } {
    return { name: this.name, code: this.code, message: this.message, ids: this.ids, path: this.path };
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
  override readonly name = 'InvalidInputError';
  constructor(message: string, path: ErrorPath = [], ids: readonly Id[] = []) {
    super('invalid-input', message, ids, path);
  }
}

/** A role hierarchy whose `parent` links form a cycle; `cycle` lists it in order. */
export class RoleCycleError extends PurviewError {
  override readonly name = 'RoleCycleError';
  /** The roles of the cycle, each the parent of the one before it; the first is repeated last. */
  readonly cycle: readonly Id[];
  constructor(cycle: readonly Id[], path: ErrorPath = []) {
    super(
      'role-cycle',
      `role hierarchy has a cycle: ${cycle.map(quote).join(' -> ')}; give one of these roles another parent`,
      cycle,
      path,
    );
    this.cycle = Object.freeze([...cycle]);
  }
}

/** A group that would contain itself, directly or through other groups; `cycle` lists it in order. */
export class GroupCycleError extends PurviewError {
  override readonly name = 'GroupCycleError';
  /** The groups of the cycle, each a member of the one before it; the first is repeated last. */
  readonly cycle: readonly Id[];
  constructor(cycle: readonly Id[], path: ErrorPath = []) {
    super(
      'group-cycle',
      `group would contain itself: ${cycle.map(quote).join(' contains ')}; remove one of these nestings`,
      cycle,
      path,
    );
    this.cycle = Object.freeze([...cycle]);
  }
}

/** A membership, grant or rule that reaches across tenants, or a ceiling wider than its parent's. */
export class TenantError extends PurviewError {
  override readonly name = 'TenantError';
  constructor(message: string, ids: readonly Id[] = [], path: ErrorPath = []) {
    super('tenant', message, ids, path);
  }
}

/** A query asked for `{ atLeast: revision }` and this engine has not reached that revision. */
export class StaleSnapshotError extends PurviewError {
  override readonly name = 'StaleSnapshotError';
  /** The revision asked for. */
  readonly wanted: number;
  /** The revision the engine holds. */
  readonly current: number;
  constructor(wanted: number, current: number, waitedMs?: number) {
    super(
      'stale-snapshot',
      waitedMs === undefined
        ? `revision ${wanted} was asked for but this snapshot is at revision ${current}; ask the live engine, wait for the revision on a shared engine (await engine.waitFor(${wanted})), or ask without atLeast`
        : `revision ${wanted} did not arrive within ${waitedMs} ms (this engine is at revision ${current}); check that the engine follows its repository, or allow a longer timeout`,
    );
    this.wanted = wanted;
    this.current = current;
  }
}

/** A write expected one revision and found another: someone else wrote first. Reload and retry. */
export class ConflictError extends PurviewError {
  override readonly name = 'ConflictError';
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number) {
    super('conflict', `write expected revision ${expected} but the policy is at revision ${actual}; reload and retry`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** Quotes an id for a message, so that empty or odd ids stay visible. */
export function quote(id: unknown): string {
  const s = typeof id === 'string' ? id : String(id);
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
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

/** A policy or input larger than a configured limit (see `Limits`). */
export class LimitError extends PurviewError {
  override readonly name = 'LimitError';
  /** Which limit. */
  readonly limit: string;
  /** The configured maximum. */
  readonly max: number;
  constructor(limit: string, max: number, message: string, ids: readonly Id[] = [], path: ErrorPath = []) {
    super('limit', `${message}; the limit ${limit} is ${max} (raise it in createEngine({ limits }) if this is intended)`, ids, path);
    this.limit = limit;
    this.max = max;
  }
}
