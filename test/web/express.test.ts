/*
 * purview/express (issue 14) against real Express 5 and Express 4 servers (`express4` is the
 * devDependency alias npm:express@4): `app.listen(0, '127.0.0.1')`, asked with node's fetch. The
 * contract (routes and expectations) is test/web/contract.ts.
 */
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import express, { type Request } from 'express';
import express4 from 'express4';
import { purview } from '../../src/web/express.js';
import type { Resource } from '../../src/index.js';
import { enginesOf, listed, userOf, webContract, type Get, type World } from './contract.js';

const start = (make: () => express.Express) => async (world: World): Promise<{ url: string; close(): Promise<void> }> => {
  const pv = purview({ engine: enginesOf(world), user: (req: Request) => userOf(world, (n) => req.header(n)) });
  const app = make();
  const at = (r: string): Resource | undefined => world.resources[Number(r)];
  const reached = (path: string) => (): void => {
    world.reached = path;
  };
  const resourceBody = (req: Request) => {
    const v = pv.viewOf(req);
    return { id: pv.resourceOf(req).id, user: v.user, revision: v.revision };
  };
  app.get('/check/:a/:r', (req, res, next) => pv.authorize(world.actions[Number(req.params.a)] as string, (q) => at(q.params.r as string))(req, res, next), (req, res) => {
    reached('/check')();
    res.json(resourceBody(req));
  });
  app.get('/explained/:r', pv.authorize('edit', (req) => at(req.params.r as string), { explain: true }), (req, res) => {
    reached('/explained')();
    res.json(resourceBody(req));
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
    app.get(path, pv.authorize('view', load), (_req, res) => {
      reached(path)();
      res.json({ reached: true });
    });
  }
  app.get('/async/:r', pv.authorize('view', async (req) => at(req.params.r as string)), (req, res) => {
    reached('/async')();
    res.json(resourceBody(req));
  });
  app.get('/guarded/:r', pv.guard('view', (req) => at(req.params.r as string), (req, res) => {
    reached('/guarded')();
    res.json(resourceBody(req));
  }));
  app.get('/guarded-throws', pv.guard('view', () => at('0'), async () => {
    reached('/guarded-throws')();
    throw new Error('handler down');
  }));
  app.get('/list', pv.accessible('lead'), (req, res) => {
    reached('/list')();
    res.json(listed(world, pv.viewOf(req), pv.filterOf(req)));
  });
  app.get('/me', pv.bind, (req, res) => {
    reached('/me')();
    res.json({ user: pv.viewOf(req).user });
  });
  // Errors as JSON, without the stack.
  app.use((_e: unknown, _req: Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'internal' });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
};

/** pv.guard: authorize and the handler in one middleware, the same answers. */
const guarded = (get: Get): void => {
  it('guard answers as authorize does, then runs the handler; an async handler that rejects reaches the error handler', async () => {
    expect(await get('/guarded/0', 'bob')).toEqual({ status: 200, body: { id: 'l1', user: 'bob', revision: 0 }, reached: '/guarded' });
    expect(await get('/guarded/0', 'ann')).toEqual({ status: 403, body: { error: 'forbidden', denial: 'record-access' }, reached: undefined });
    expect(await get('/guarded/9', 'bob')).toEqual({ status: 404, body: { error: 'not-found' }, reached: undefined });
    expect(await get('/guarded/0')).toEqual({ status: 401, body: { error: 'unauthenticated' }, reached: undefined });
    expect(await get('/guarded-throws', 'bob')).toEqual({ status: 500, body: { error: 'internal' }, reached: '/guarded-throws' });
  });
};

webContract('express 5', start(() => express()), guarded);
webContract('express 4', start(() => express4() as unknown as express.Express), guarded);
