/**
 * What purview/express and purview/fastify share: binding the user of a request, loading and
 * checking a resource, computing the request's filter, and the answers (401, 403, 404) they send.
 * Framework-free: each adapter only turns a {@link Verdict} into its framework's reply.
 */
import { InvalidInputError, type AccessFilter, type DenialCode, type Id, type Queries, type Resource, type UserQueries } from '../index.js';

/**
 * What the adapters need of an engine: an `Engine`, a `SharedEngine` or a pinned snapshot
 * (`Queries`). With `snapshot()`, each request pins the engine's current snapshot once and every
 * answer of the request comes from it; without, the object is itself a pinned snapshot.
 */
export interface UserViews {
  can: Queries['can'];
  check: Queries['check'];
  explain: Queries['explain'];
  filter: Queries['filter'];
  for(user: Id): UserQueries;
  snapshot?(): Pick<UserViews, 'can' | 'check' | 'explain' | 'filter' | 'for'>;
}
type Pinned = Pick<UserViews, 'can' | 'check' | 'explain' | 'filter' | 'for'>;

/** A value, or a promise of it. */
export type MaybePromise<T> = T | PromiseLike<T>;

/** Options of `purview()` in `purview/express` and `purview/fastify`. */
export interface WebOptions<Req> {
  /** The engine whose `for(user)` answers each request (`createEngine`, `openEngine`, or a pinned snapshot). */
  readonly engine: UserViews;
  /**
   * The id of the request's user (from your session or token middleware), or `undefined`/`null`
   * when nobody is signed in: that request is answered 401. A function that throws (or rejects)
   * is a 401 too.
   */
  readonly user: (req: Req) => MaybePromise<Id | undefined | null>;
  /**
   * Put the decision's explanation (`explain()`'s text) in 403 bodies (default false: the body
   * has the denial code only). It names groups, roles and users: turn it on for trusted callers only.
   */
  readonly explain?: boolean;
}

/** Options of one `authorize(...)`. */
export interface AuthorizeOptions {
  /** Overrides `explain` of `purview()` for this route. */
  readonly explain?: boolean;
}

/** Loads the resource a request is about; `undefined`/`null` (or throwing) answers 404. */
export type ResourceLoader<Req, R extends Resource> = (req: Req) => MaybePromise<R | undefined | null>;

/** The body of a 401. */
export interface UnauthenticatedBody {
  readonly error: 'unauthenticated';
}
/** The body of a 403: the denial code, and the explanation only when asked for. */
export interface ForbiddenBody {
  readonly error: 'forbidden';
  readonly denial: DenialCode;
  readonly explanation?: string;
}
/** The body of a 404. */
export interface NotFoundBody {
  readonly error: 'not-found';
}

/** An answer the adapter sends instead of going on; `undefined` goes on to the route's handler. */
export type Verdict =
  | { readonly status: 401; readonly body: UnauthenticatedBody }
  | { readonly status: 403; readonly body: ForbiddenBody }
  | { readonly status: 404; readonly body: NotFoundBody }
  | undefined;

const UNAUTHENTICATED: Verdict = Object.freeze({ status: 401, body: Object.freeze({ error: 'unauthenticated' }) });
const NOT_FOUND: Verdict = Object.freeze({ status: 404, body: Object.freeze({ error: 'not-found' }) });

/** The thenable's `then`, read once; `undefined` for a plain value. */
function thenOf(value: unknown): ((ok: (v: unknown) => unknown, bad: (e: unknown) => unknown) => PromiseLike<unknown>) | undefined {
  if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return undefined;
  const then = (value as { then?: unknown }).then;
  return typeof then === 'function' ? (then.bind(value) as never) : undefined;
}

/** `next(value)` now when it is a plain value, after it resolves when it is a promise; `bad` maps a rejection. */
function step<T, U>(value: MaybePromise<T>, next: (v: T) => MaybePromise<U>, bad: (e: unknown) => MaybePromise<U>): MaybePromise<U> {
  let then: ReturnType<typeof thenOf>;
  try {
    then = thenOf(value);
  } catch (e) {
    return bad(e);
  }
  if (then === undefined) return next(value as T);
  return then(next as (v: unknown) => unknown, bad) as PromiseLike<U>;
}

/**
 * What a request carries once bound: its user, the snapshot pinned for it, its user view (made on
 * first `viewOf`: `engine.for(user)` on the pinned snapshot), and what authorize/accessible found.
 */
interface RequestState {
  readonly user: Id;
  readonly queries: Pinned;
  view?: UserQueries;
  resource?: Resource;
  filter?: AccessFilter;
}

/** Calls the app's user function; `undefined` for nobody (or a user function that failed). */
function userOf<Req>(user: WebOptions<Req>['user'], req: Req): MaybePromise<Id | undefined> {
  let raw: MaybePromise<Id | undefined | null>;
  try {
    raw = user(req);
  } catch {
    return undefined;
  }
  return step(
    raw,
    (id) => (id === undefined || id === null ? undefined : id),
    () => undefined,
  );
}

/**
 * The request logic of both adapters. Every method returns its verdict synchronously when the
 * app's functions are synchronous (no promise per request), a promise otherwise.
 */
export class WebCore<Req extends object> {
  readonly #engine: UserViews;
  readonly #user: WebOptions<Req>['user'];
  readonly #explain: boolean;
  readonly #state = new WeakMap<object, RequestState>();

  constructor(options: WebOptions<Req>) {
    if (typeof options !== 'object' || options === null) throw new InvalidInputError({ message: 'purview(): expected an options object ({ engine, user })', path: ['options'] });
    const engine = Object.hasOwn(options, 'engine') ? options.engine : undefined;
    const user = Object.hasOwn(options, 'user') ? options.user : undefined;
    const explain = Object.hasOwn(options, 'explain') ? options.explain : undefined;
    if (typeof engine !== 'object' || engine === null || typeof engine.for !== 'function' || typeof engine.can !== 'function') {
      throw new InvalidInputError({ message: 'purview(): `engine` must be an engine (createEngine, openEngine) or a snapshot: something with for(user)', path: ['options', 'engine'] });
    }
    if (typeof user !== 'function') throw new InvalidInputError({ message: "purview(): `user` must be a function returning the request's user id (or undefined when nobody is signed in)", path: ['options', 'user'] });
    if (explain !== undefined && typeof explain !== 'boolean') throw new InvalidInputError({ message: 'purview(): `explain` must be true or false', path: ['options', 'explain'] });
    this.#engine = engine;
    this.#user = user;
    this.#explain = explain === true;
  }

  /**
   * Binds the request's user and pins the engine's snapshot for the whole request (one policy
   * however many checks). Resolves to the request's state, or `undefined` when nobody is signed in.
   * A request bound once keeps its binding. An engine that refuses (a shared engine that cannot
   * follow its repository) throws.
   */
  bind(req: Req): MaybePromise<RequestState | undefined> {
    const known = this.#state.get(req);
    if (known !== undefined) return known;
    return step(
      userOf(this.#user, req),
      (user) => {
        if (user === undefined) return undefined;
        const engine = this.#engine;
        const state: RequestState = { user, queries: typeof engine.snapshot === 'function' ? engine.snapshot() : engine };
        this.#state.set(req, state);
        return state;
      },
      (e) => {
        throw e;
      },
    );
  }

  /**
   * The verdict of `authorize(action, load)` on a request: `can()` on the pinned snapshot, and
   * `check()` (for the denial code) only when it denies. Throws what the engine throws (a
   * malformed resource, an undeclared action).
   */
  authorize<R extends Resource>(req: Req, action: string, load: ResourceLoader<Req, R>, explain: boolean | undefined): MaybePromise<Verdict> {
    return step(
      this.bind(req),
      (state) => {
        if (state === undefined) return UNAUTHENTICATED;
        let loaded: MaybePromise<R | undefined | null>;
        try {
          loaded = load(req);
        } catch {
          return NOT_FOUND;
        }
        return step(
          loaded,
          (resource) => {
            if (resource === undefined || resource === null) return NOT_FOUND;
            const { queries, user } = state;
            if (queries.can(user, action, resource)) {
              state.resource = resource;
              return undefined;
            }
            const d = queries.check(user, action, resource);
            if (d.allowed) {
              // The instant moved across a time bound between the two answers: the later one stands.
              state.resource = resource;
              return undefined;
            }
            const body: ForbiddenBody = {
              error: 'forbidden',
              denial: d.denial as DenialCode,
              ...((explain ?? this.#explain) ? { explanation: queries.explain(user, action, resource) } : {}),
            };
            return { status: 403, body };
          },
          () => NOT_FOUND,
        );
      },
      (e) => {
        throw e;
      },
    );
  }

  /** The verdict of `accessible(type, action)`: binds and stores the request's filter. */
  accessible(req: Req, type: string, action: string): MaybePromise<Verdict> {
    return step(
      this.bind(req),
      (state) => {
        if (state === undefined) return UNAUTHENTICATED;
        state.filter = state.queries.filter(state.user, action, type);
        return undefined;
      },
      (e) => {
        throw e;
      },
    );
  }

  #stateOf(req: Req, what: string, how: string): RequestState {
    const s = this.#state.get(req);
    if (s === undefined) throw new InvalidInputError({ message: `${what}: this request was not bound; put ${how} before the handler`, path: ['request'] });
    return s;
  }

  view(req: Req): UserQueries {
    const s = this.#stateOf(req, 'viewOf(req)', 'bind, authorize(...) or accessible(...)');
    return (s.view ??= s.queries.for(s.user));
  }

  resource<R extends Resource>(req: Req): R {
    const r = this.#stateOf(req, 'resourceOf(req)', 'authorize(action, loadResource)').resource;
    if (r === undefined) throw new InvalidInputError({ message: 'resourceOf(req): no resource was authorized for this request; put authorize(action, loadResource) before the handler', path: ['request'] });
    return r as R;
  }

  filter(req: Req): AccessFilter {
    const f = this.#stateOf(req, 'filterOf(req)', 'accessible(type)').filter;
    if (f === undefined) throw new InvalidInputError({ message: 'filterOf(req): no filter was computed for this request; put accessible(type) before the handler', path: ['request'] });
    return f;
  }
}

export { thenOf };

/** The `explain` of a route's options: an own boolean, or `undefined` (the `purview()` default applies). */
export function explainOf(options: AuthorizeOptions | undefined): boolean | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw new InvalidInputError({ message: 'authorize(action, loadResource, options): options must be an object ({ explain })', path: ['options'] });
  const explain = Object.hasOwn(options, 'explain') ? options.explain : undefined;
  if (explain !== undefined && typeof explain !== 'boolean') throw new InvalidInputError({ message: 'authorize(...): `explain` must be true or false', path: ['options', 'explain'] });
  return explain;
}

/** A route's loader must be a function: checked when the route is declared, not per request. */
export function checkLoader(load: unknown): void {
  if (typeof load !== 'function') throw new InvalidInputError({ message: 'authorize(action, loadResource): loadResource must be a function of the request returning the resource (or undefined when there is none)', path: ['loadResource'] });
}
