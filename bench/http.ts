/*
 * Benchmark section `http` (issue 14): what purview/express and purview/fastify add per request
 * over a hand-written handler calling can(), with real HTTP requests on loopback (a server on
 * 127.0.0.1 port 0 in this process, node's fetch with keep-alive, one request at a time).
 *
 * Per framework, two routes over the same engine and the same queries:
 *   bare   GET /bare/:action/:i   the handler reads the user header, calls engine.can(); on a deny,
 *                                 engine.check() for the denial code; answers 200 or 403 as JSON
 *   pv      GET /pv/:action/:i    purview({ engine, user }).authorize(action, loader), then a handler
 *                                 answering 200 as JSON (403 is the middleware's)
 *   guard   GET /guard/:action/:i (Express) pv.guard(action, loader, handler): the same in one middleware
 * Two figures per route: the end-to-end latency seen by the client, and the server-side time from
 * the request's first hook (an app-level middleware / `onRequest`) until the response is written
 * (`finish` / `onResponse`), measured inside the real request, the same way for both routes (far
 * less noisy than the round trip). Rounds alternate the routes.
 */
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import type { Engine } from '../src/engine/types.js';
import type { Resource } from '../src/model/resource.js';
import { purview as expressPurview } from '../src/web/express.js';
import { purview as fastifyPurview } from '../src/web/fastify.js';
import { now, stats, type Stats } from './measure.js';
import { ACTIONS, type Queries } from './workload.js';

export interface HttpRouteResult {
  readonly framework: string;
  readonly route: Route;
  readonly outcome: 'allowed' | 'denied';
  /** Client round trip, µs. */
  readonly roundTrip: Stats;
  /** Server-side time of the route, µs. */
  readonly server: Stats;
}

export interface HttpResult {
  readonly requests: number;
  readonly rounds: number;
  readonly routes: readonly HttpRouteResult[];
}

interface Server {
  readonly url: string;
  /** Server-side times (ns) recorded since the last reset. */
  readonly times: number[];
  close(): Promise<void>;
}

const T0 = Symbol('t0');
type Timed = { [T0]?: number };

async function expressServer(engine: Engine, q: Queries): Promise<Server> {
  const times: number[] = [];
  const app = express();
  app.set('etag', false);
  app.set('x-powered-by', false);
  const pv = expressPurview({ engine, user: (req: Request) => req.header('x-user') });
  app.use((_req, res, next) => {
    const t0 = now();
    res.once('finish', () => void times.push(now() - t0));
    next();
  });
  app.get('/bare/:action/:i', (req, res) => {
    const r = q.resources[Number(req.params.i)] as Resource;
    const user = req.header('x-user') as string;
    const action = req.params.action as string;
    if (engine.can(user, action, r)) res.json({ id: r.id });
    else res.status(403).json({ error: 'forbidden', denial: engine.check(user, action, r).denial });
  });
  for (const action of ACTIONS) {
    app.get(`/pv/${action}/:i`, pv.authorize(action, (req) => q.resources[Number(req.params.i)]), (req, res) => void res.json({ id: pv.resourceOf(req).id }));
    app.get(`/guard/${action}/:i`, pv.guard(action, (req) => q.resources[Number(req.params.i)], (req, res) => void res.json({ id: pv.resourceOf(req).id })));
  }
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    times,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function fastifyServer(engine: Engine, q: Queries): Promise<Server> {
  type Req = FastifyRequest<{ Params: { action?: string; i?: string } }>;
  const times: number[] = [];
  const app = Fastify();
  const pv = fastifyPurview<Req>({ engine, user: (req) => req.headers['x-user'] as string | undefined });
  app.addHook('onRequest', async (req) => {
    (req as unknown as Timed)[T0] = now();
  });
  app.addHook('onResponse', async (req) => {
    times.push(now() - ((req as unknown as Timed)[T0] as number));
  });
  app.get('/bare/:action/:i', async (req: Req, reply) => {
    const r = q.resources[Number(req.params.i)] as Resource;
    const user = req.headers['x-user'] as string;
    const action = req.params.action as string;
    if (engine.can(user, action, r)) return { id: r.id };
    return reply.code(403).send({ error: 'forbidden', denial: engine.check(user, action, r).denial });
  });
  for (const action of ACTIONS) {
    app.get(`/pv/${action}/:i`, { preHandler: pv.authorize(action, (req) => q.resources[Number(req.params.i)]) }, async (req: Req) => ({ id: pv.resourceOf(req).id }));
  }
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, times, close: () => app.close() };
}

/** Runs `requests` requests of the given indexes on a route, one at a time; client round trips in ns. */
type Route = 'bare' | 'pv' | 'guard';

async function drive(server: Server, route: Route, q: Queries, indexes: readonly number[], requests: number, expect: number): Promise<number[]> {
  const out: number[] = [];
  for (let k = 0; k < requests; k++) {
    const i = indexes[k % indexes.length] as number;
    const t0 = now();
    const res = await fetch(`${server.url}/${route}/${q.actions[i] as string}/${i}`, { headers: { 'x-user': q.users[i] as string } });
    await res.arrayBuffer();
    out.push(now() - t0);
    if (res.status !== expect) throw new Error(`bench http: ${route} ${i} answered ${res.status}, expected ${expect}`);
  }
  return out;
}

export async function httpBench(engine: Engine, q: Queries, requests = 4_000, rounds = 4, log: (m: string) => void = () => undefined): Promise<HttpResult> {
  const allowed: number[] = [];
  const denied: number[] = [];
  for (let i = 0; i < q.users.length && (allowed.length < requests || denied.length < requests); i++) {
    (engine.can(q.users[i] as string, q.actions[i] as string, q.resources[i] as Resource) ? allowed : denied).push(i);
  }
  const routes: HttpRouteResult[] = [];
  for (const [framework, make, kinds] of [
    ['express 5', expressServer, ['bare', 'pv', 'guard']],
    ['fastify 5', fastifyServer, ['bare', 'pv']],
  ] as const) {
    const server = await make(engine, q);
    try {
      for (const [outcome, indexes, status] of [
        ['allowed', allowed, 200],
        ['denied', denied, 403],
      ] as const) {
        // Warm-up: every route.
        for (const route of kinds) await drive(server, route, q, indexes, 500, status);
        const rt = new Map<Route, number[]>(kinds.map((k) => [k, []]));
        const sv = new Map<Route, number[]>(kinds.map((k) => [k, []]));
        for (let r = 0; r < rounds; r++) {
          // Each round starts at another route, so that drift hits every route alike.
          for (let k = 0; k < kinds.length; k++) {
            const route = kinds[(k + r) % kinds.length] as Route;
            server.times.length = 0;
            (rt.get(route) as number[]).push(...(await drive(server, route, q, indexes, requests, status)));
            (sv.get(route) as number[]).push(...server.times);
          }
        }
        for (const route of kinds) {
          const res: HttpRouteResult = {
            framework,
            route,
            outcome,
            roundTrip: stats((rt.get(route) as number[]).map((x) => x / 1e3)),
            server: stats((sv.get(route) as number[]).map((x) => x / 1e3)),
          };
          routes.push(res);
          log(`http ${framework} ${outcome} ${res.route}: round trip median ${res.roundTrip.median.toFixed(1)} µs, server ${res.server.median.toFixed(2)} µs`);
        }
      }
    } finally {
      await server.close();
    }
  }
  return { requests, rounds, routes };
}
