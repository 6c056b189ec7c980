/**
 * purview/express: authorization middleware for Express 4 and 5.
 *
 * `express` (and, for TypeScript, `@types/express`) is an optional peer dependency: this entry
 * imports its types only, never its code.
 * @packageDocumentation
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidInputError, type AccessFilter, type Resource, type UserQueries } from '../index.js';
import { checkLoader, explainOf, thenOf, WebCore, type AuthorizeOptions, type MaybePromise, type ResourceLoader, type Verdict, type WebOptions } from './shared.js';

export type { AuthorizeOptions, ForbiddenBody, MaybePromise, NotFoundBody, ResourceLoader, UnauthenticatedBody, UserViews, WebOptions } from './shared.js';

/** What {@link purview} returns: middleware factories and the accessors of what they found. */
export interface ExpressPurview<Req extends Request = Request> {
  /**
   * Middleware that binds the request's user (`engine.for(user)`, one snapshot for the whole
   * request); answers 401 when nobody is signed in. Optional: `authorize` and `accessible` bind
   * by themselves.
   */
  readonly bind: RequestHandler;
  /**
   * Middleware that loads the request's resource and checks `action` on it: 401 when nobody is
   * signed in; 404 (`{ error: 'not-found' }`) when `loadResource` returns nothing or throws; 403
   * (`{ error: 'forbidden', denial }`, with `explanation` only when asked for) when denied; else
   * on to the handler, which reads the resource with `resourceOf(req)`. A resource the engine
   * refuses (an undeclared type or action) goes to `next(error)`: your error handler, a 500 by
   * default; never the handler.
   * @example
   * ```ts
   * app.get('/leads/:id', pv.authorize('view', (req) => leads.get(req.params.id)), (req, res) => res.json(pv.resourceOf(req)));
   * ```
   */
  authorize<R extends Resource>(action: string, loadResource: ResourceLoader<Req, R>, options?: AuthorizeOptions): RequestHandler;
  /**
   * `authorize(action, loadResource)` and the route's handler in one middleware: the same answers
   * (401, 403, 404, errors to `next`), then `handler(req, res, next)` directly, without another
   * pass through Express's router (the cheapest way; see docs/performance.md).
   * @example
   * ```ts
   * app.get('/leads/:id', pv.guard('view', (req) => leads.get(req.params.id), (req, res) => res.json(pv.resourceOf(req))));
   * ```
   */
  guard<R extends Resource>(action: string, loadResource: ResourceLoader<Req, R>, handler: (req: Req, res: Response, next: NextFunction) => unknown, options?: AuthorizeOptions): RequestHandler;
  /**
   * Middleware that computes the request's filter: which records of `type` its user may `action`
   * (default `view`), read with `filterOf(req)` and handed to `toSql` or a query builder.
   * @example
   * ```ts
   * app.get('/leads', pv.accessible('lead'), async (req, res) => res.json(await listLeads(pv.filterOf(req))));
   * ```
   */
  accessible(type: string, action?: string): RequestHandler;
  /** The request's user view (after `bind`, `authorize` or `accessible`). */
  viewOf(req: Req): UserQueries;
  /** The resource `authorize` loaded and allowed. */
  resourceOf<R extends Resource = Resource>(req: Req): R;
  /** The filter `accessible` computed. */
  filterOf(req: Req): AccessFilter;
}

/** Sends a verdict, or goes on. */
function answer(res: Response, next: NextFunction, verdict: Verdict): void {
  if (verdict === undefined) next();
  else res.status(verdict.status).json(verdict.body);
}

/**
 * Middleware around a verdict that may be synchronous: no promise per request when the app's
 * functions are synchronous. `then` is what runs when the verdict lets the request through
 * (`next()` by default; a guarded handler).
 */
function middleware<Req extends Request>(verdictOf: (req: Req) => MaybePromise<Verdict>, then?: (req: Req, res: Response, next: NextFunction) => unknown): RequestHandler {
  const pass = (req: Req, res: Response, next: NextFunction, verdict: Verdict): void => {
    if (verdict !== undefined || then === undefined) return answer(res, next, verdict);
    try {
      const out = then(req, res, next);
      // An async handler's rejection goes to next (Express 4 would leave it unhandled).
      const t = thenOf(out);
      // A rejection with a falsy value (`throw undefined`) is still an error: next(undefined) would
      // pass the request on to the next route.
      if (t !== undefined) t(() => undefined, (e: unknown) => next(e ?? new Error('the handler rejected with ' + String(e))));
    } catch (e) {
      next(e);
    }
  };
  return ((req: Req, res: Response, next: NextFunction): void => {
    let v: MaybePromise<Verdict>;
    try {
      v = verdictOf(req);
    } catch (e) {
      next(e);
      return;
    }
    const t = thenOf(v);
    if (t === undefined) pass(req, res, next, v as Verdict);
    else t((x) => pass(req, res, next, x as Verdict), next);
  }) as unknown as RequestHandler;
}

/**
 * Binds purview to an Express app: `user` tells who is asking, from the request.
 * @example
 * ```ts
 * import { purview } from 'purview/express';
 * const pv = purview({ engine, user: (req) => req.header('x-user-id') });
 * app.get('/leads/:id', pv.authorize('view', (req) => leads.get(req.params.id)), (req, res) => res.json(pv.resourceOf(req)));
 * app.get('/leads', pv.accessible('lead'), (req, res) => res.json(listLeads(pv.filterOf(req))));
 * ```
 */
export function purview<Req extends Request = Request>(options: WebOptions<Req>): ExpressPurview<Req> {
  const core = new WebCore<Req>(options);
  const unauthenticated = (bound: unknown): Verdict => (bound === undefined ? { status: 401, body: { error: 'unauthenticated' } } : undefined);
  return Object.freeze({
    bind: middleware<Req>((req) => {
      const v = core.bind(req);
      const then = thenOf(v);
      return then === undefined ? unauthenticated(v) : (then((x) => unauthenticated(x), (e) => Promise.reject(e)) as PromiseLike<Verdict>);
    }),
    authorize: <R extends Resource>(action: string, loadResource: ResourceLoader<Req, R>, o?: AuthorizeOptions) => {
      checkLoader(loadResource);
      const explain = explainOf(o);
      return middleware<Req>((req) => core.authorize(req, action, loadResource, explain));
    },
    guard: <R extends Resource>(action: string, loadResource: ResourceLoader<Req, R>, handler: (req: Req, res: Response, next: NextFunction) => unknown, o?: AuthorizeOptions) => {
      checkLoader(loadResource);
      if (typeof handler !== 'function') throw new InvalidInputError({ message: 'guard(action, loadResource, handler): handler must be a function (req, res, next)', path: ['handler'] });
      const explain = explainOf(o);
      return middleware<Req>((req) => core.authorize(req, action, loadResource, explain), handler);
    },
    accessible: (type: string, action = 'view') => middleware<Req>((req) => core.accessible(req, type, action)),
    viewOf: (req: Req) => core.view(req),
    resourceOf: <R extends Resource = Resource>(req: Req) => core.resource<R>(req),
    filterOf: (req: Req) => core.filter(req),
  });
}
