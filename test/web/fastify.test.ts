/*
 * purview/fastify (issue 14) against real Fastify 5 and Fastify 4 servers (`fastify4` is the
 * devDependency alias npm:fastify@4): `app.listen({ port: 0, host:
 * '127.0.0.1' })`, asked with node's fetch. The contract (routes and expectations) is
 * test/web/contract.ts.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import Fastify4 from 'fastify4';
import { purview } from '../../src/web/fastify.js';
import type { Resource } from '../../src/index.js';
import { enginesOf, listed, userOf, webContract, type World } from './contract.js';

type Req = FastifyRequest<{ Params: { a?: string; r?: string } }>;

const start = (make: () => FastifyInstance) => async (world: World): Promise<{ url: string; close(): Promise<void> }> => {
  const header = (req: FastifyRequest, name: string): string | undefined => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const pv = purview<Req>({ engine: enginesOf(world), user: (req) => userOf(world, (n) => header(req, n)) });
  const app = make();
  const at = (r: string | undefined): Resource | undefined => world.resources[Number(r)];
  const resourceBody = (req: Req) => {
    const v = pv.viewOf(req);
    return { id: pv.resourceOf(req).id, user: v.user, revision: v.revision };
  };
  app.get('/check/:a/:r', { preHandler: (req: Req, reply, done) => pv.authorize(world.actions[Number(req.params.a)] as string, (q) => at(q.params.r))(req, reply, done) }, async (req: Req) => {
    world.reached = '/check';
    return resourceBody(req);
  });
  app.get('/explained/:r', { preHandler: pv.authorize('edit', (req) => at(req.params.r), { explain: true }) }, async (req: Req) => {
    world.reached = '/explained';
    return resourceBody(req);
  });
  const loaders: Record<string, () => Resource | undefined | null | Promise<Resource>> = {
    '/none': () => undefined,
    '/null': () => null,
    '/throws': () => {
      throw new Error('db down');
    },
    '/rejects': () => Promise.reject(new Error('db down')),
    '/undeclared': () => ({ type: 'nope', id: 'x', owner: { user: 'bob' } }),
  };
  for (const [path, load] of Object.entries(loaders)) {
    app.get(path, { preHandler: pv.authorize('view', load) }, async () => {
      world.reached = path;
      return { reached: true };
    });
  }
  app.get('/async/:r', { preHandler: pv.authorize('view', async (req) => at(req.params.r)) }, async (req: Req) => {
    world.reached = '/async';
    return resourceBody(req);
  });
  app.get('/list', { preHandler: pv.accessible('lead') }, async (req: Req) => {
    world.reached = '/list';
    return listed(world, pv.viewOf(req), pv.filterOf(req));
  });
  app.get('/me', { preHandler: pv.bind }, async (req: Req) => {
    world.reached = '/me';
    return { user: pv.viewOf(req).user };
  });
  app.setErrorHandler((_e, _req, reply) => reply.code(500).send({ error: 'internal' }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
};

webContract('fastify 5', start(() => Fastify()));
webContract('fastify 4', start(() => Fastify4() as unknown as FastifyInstance));
