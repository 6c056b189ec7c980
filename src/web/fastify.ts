/**
 * purview/fastify: authorization hooks for Fastify 4 and 5.
 *
 * `fastify` is an optional peer dependency: this entry imports its types only, never its code.
 * @packageDocumentation
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessFilter, Resource, UserQueries } from '../index.js';
import { checkLoader, explainOf, thenOf, WebCore, type AuthorizeOptions, type MaybePromise, type ResourceLoader, type Verdict, type WebOptions } from './shared.js';

export type { AuthorizeOptions, ForbiddenBody, MaybePromise, NotFoundBody, ResourceLoader, UnauthenticatedBody, UserViews, WebOptions } from './shared.js';

/**
 * A Fastify hook (`onRequest` or `preHandler`), callback style: it sends the answer itself, or
 * calls `done()` to go on, or `done(error)` for what the engine refused. Synchronous when the
 * app's `user` and `loadResource` are (no promise per request).
 */
export type PurviewHook<Req extends FastifyRequest = FastifyRequest> = (req: Req, reply: FastifyReply, done: (error?: Error) => void) => void;

/** What {@link purview} returns: hook factories and the accessors of what they found. */
export interface FastifyPurview<Req extends FastifyRequest = FastifyRequest> {
  /** A hook that binds the request's user (401 when nobody is signed in); optional, `authorize` and `accessible` bind by themselves. */
  readonly bind: PurviewHook<Req>;
  /**
   * A `preHandler` that loads the request's resource and checks `action` on it: 401 when nobody is
   * signed in; 404 (`{ error: 'not-found' }`) when `loadResource` returns nothing or throws; 403
   * (`{ error: 'forbidden', denial }`, with `explanation` only when asked for) when denied; else
   * on to the handler, which reads the resource with `resourceOf(req)`. A resource the engine
   * refuses (an undeclared type or action) is thrown to Fastify's error handler (a 500 by default).
   * @example
   * ```ts
   * app.get('/leads/:id', { preHandler: pv.authorize('view', (req) => leads.get(req.params.id)) }, async (req) => pv.resourceOf(req));
   * ```
   */
  authorize<R extends Resource>(action: string, loadResource: ResourceLoader<Req, R>, options?: AuthorizeOptions): PurviewHook<Req>;
  /** A `preHandler` that computes the request's filter for records of `type` (action default `view`); read it with `filterOf(req)`. */
  accessible(type: string, action?: string): PurviewHook<Req>;
  /** The request's user view (after `bind`, `authorize` or `accessible`). */
  viewOf(req: Req): UserQueries;
  /** The resource `authorize` loaded and allowed. */
  resourceOf<R extends Resource = Resource>(req: Req): R;
  /** The filter `accessible` computed. */
  filterOf(req: Req): AccessFilter;
}

function answer(reply: FastifyReply, done: (error?: Error) => void, verdict: Verdict): void {
  if (verdict === undefined) done();
  else reply.code(verdict.status).send(verdict.body);
}

function hook<Req extends FastifyRequest>(verdictOf: (req: Req) => MaybePromise<Verdict>): PurviewHook<Req> {
  return (req, reply, done) => {
    let v: MaybePromise<Verdict>;
    try {
      v = verdictOf(req);
    } catch (e) {
      done(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const then = thenOf(v);
    if (then === undefined) answer(reply, done, v as Verdict);
    else then((x) => answer(reply, done, x as Verdict), (e) => done(e instanceof Error ? e : new Error(String(e))));
  };
}

/**
 * Binds purview to a Fastify app: `user` tells who is asking, from the request.
 * @example
 * ```ts
 * import { purview } from 'purview/fastify';
 * const pv = purview({ engine, user: (req) => req.headers['x-user-id'] as string | undefined });
 * app.get('/leads/:id', { preHandler: pv.authorize('view', (req) => leads.get((req.params as { id: string }).id)) }, async (req) => pv.resourceOf(req));
 * ```
 */
export function purview<Req extends FastifyRequest = FastifyRequest>(options: WebOptions<Req>): FastifyPurview<Req> {
  const core = new WebCore<Req>(options);
  return Object.freeze({
    bind: hook<Req>((req) => {
      const v = core.bind(req);
      const done = (bound: unknown): Verdict => (bound === undefined ? { status: 401, body: { error: 'unauthenticated' } } : undefined);
      const then = thenOf(v);
      return then === undefined ? done(v) : (then((x) => done(x), (e) => Promise.reject(e)) as PromiseLike<Verdict>);
    }),
    authorize: <R extends Resource>(action: string, loadResource: ResourceLoader<Req, R>, o?: AuthorizeOptions) => {
      checkLoader(loadResource);
      const explain = explainOf(o);
      return hook<Req>((req) => core.authorize(req, action, loadResource, explain));
    },
    accessible: (type: string, action = 'view') => hook<Req>((req) => core.accessible(req, type, action)),
    viewOf: (req: Req) => core.view(req),
    resourceOf: <R extends Resource = Resource>(req: Req) => core.resource<R>(req),
    filterOf: (req: Req) => core.filter(req),
  });
}
