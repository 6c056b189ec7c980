/*
 * The contract of purview/express and purview/fastify, run by test/web/express.test.ts and
 * test/web/fastify.test.ts against a real server of each framework listening on 127.0.0.1 port 0,
 * asked with node's fetch. The app is the same in both (see `App` below): each test file builds
 * it with its framework.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, toPredicate, type Engine, type Id, type PolicyInput, type Resource, type UserQueries } from '../../src/index.js';
import { GHOST, scenarioArb, type Scenario } from '../arbitraries/policy.js';
import { runParams } from '../arbitraries/settings.js';
import type { UserViews } from '../../src/web/shared.js';

/** What the app's routes answer from: replaced between property runs (the server stays up). */
export interface World {
  engine: Engine;
  users: Id[];
  actions: string[];
  resources: Resource[];
  /** Set by a handler: the last request that reached a route's handler. */
  reached: string | undefined;
}

/**
 * The app both test files build (every route's handler sets `world.reached`):
 *  GET /check/:a/:r          authorize(world.actions[a], () => world.resources[r]) -> 200 { id, user, revision }
 *  GET /explained/:r         authorize('edit', ..., { explain: true })
 *  GET /none | /null | /throws | /rejects   loaders returning undefined, null, throwing, rejecting
 *  GET /async/:r             authorize('view', async loader)
 *  GET /undeclared           a loader returning a resource of an undeclared type (500, never the handler)
 *  GET /list                 accessible('lead') -> 200 { ids } of world.resources its filter admits
 *  GET /me                   bind -> 200 { user }
 * The user is `world.users[x-user]` (the header as an index), or the header itself when it is not
 * an index; no header is nobody; `throw` makes the user function throw; `x-async: 1` makes it async.
 */
export type StartApp = (world: World) => Promise<{ readonly url: string; close(): Promise<void> }>;

/** The engine the apps are given: the world's current engine (replaced between property runs). */
export function enginesOf(world: World): UserViews {
  return {
    can: (...a) => world.engine.can(...a),
    check: (...a) => world.engine.check(...a),
    explain: (...a) => world.engine.explain(...a),
    filter: (...a) => world.engine.filter(...a),
    for: (u) => world.engine.for(u),
    snapshot: () => world.engine.snapshot(),
  };
}

/** The user function of both apps. */
export function userOf(world: World, header: (name: string) => string | undefined): Id | undefined | Promise<Id | undefined> {
  const h = header('x-user');
  if (h === undefined) return undefined;
  if (h === 'throw') throw new Error('session store down');
  const id = /^\d+$/.test(h) ? world.users[Number(h)] : h;
  return header('x-async') === '1' ? Promise.resolve(id) : id;
}

const policy: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read', edit: 'readWrite' } } },
  users: [{ id: 'ann' }, { id: 'bob' }, { id: 'cy', status: 'inactive' }],
  groups: [{ id: 'sales', members: { users: ['bob'] } }],
};
const leads: Resource[] = [
  { type: 'lead', id: 'l1', owner: { group: 'sales' } },
  { type: 'lead', id: 'l2', owner: { user: 'ann' } },
  { type: 'lead', id: 'l3', owner: { user: 'cy' } },
];

/** A GET on the app: status, JSON body, and which handler it reached. */
export type Get = (path: string, user?: string, extra?: Record<string, string>) => Promise<{ status: number; body: unknown; reached: string | undefined }>;

export function webContract(name: string, start: StartApp, more?: (get: Get) => void): void {
  const world: World = { engine: createEngine({ policy }), users: ['ann', 'bob', 'cy', GHOST], actions: ['view', 'edit', 'fly'], resources: leads, reached: undefined };
  let url = '';
  let close: () => Promise<void> = () => Promise.resolve();
  beforeAll(async () => {
    const s = await start(world);
    url = s.url;
    close = () => s.close();
  });
  afterAll(() => close());
  const get: Get = async (path, user, extra = {}) => {
    world.reached = undefined;
    const res = await fetch(`${url}${path}`, { headers: { ...(user === undefined ? {} : { 'x-user': user }), ...extra } });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body, reached: world.reached };
  };

  describe(`${name}: authorize`, () => {
    it('lets an allowed request through to the handler, with the resource and the user view', async () => {
      const r = await get('/check/1/0', 'bob');
      expect(r).toEqual({ status: 200, body: { id: 'l1', user: 'bob', revision: 0 }, reached: '/check' });
    });

    it('answers 403 with the denial code only, by default', async () => {
      expect(await get('/check/0/0', 'ann')).toEqual({ status: 403, body: { error: 'forbidden', denial: 'record-access' }, reached: undefined });
      expect(await get('/check/0/2', 'cy')).toEqual({ status: 403, body: { error: 'forbidden', denial: 'inactive-user' }, reached: undefined });
      expect(await get('/check/0/0', 'nobody-known')).toEqual({ status: 403, body: { error: 'forbidden', denial: 'unknown-user' }, reached: undefined });
    });

    it('adds the explanation when the route asks for it', async () => {
      const r = await get('/explained/0', 'ann');
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ error: 'forbidden', denial: 'record-access' });
      expect((r.body as { explanation?: string }).explanation).toMatch(/^DENY user "ann" edit lead "l1"/);
      expect((await get('/explained/0', 'bob')).status).toBe(200);
    });

    it('answers 401 when nobody is signed in or the user function throws', async () => {
      expect(await get('/check/0/0')).toEqual({ status: 401, body: { error: 'unauthenticated' }, reached: undefined });
      expect(await get('/check/0/0', 'throw')).toEqual({ status: 401, body: { error: 'unauthenticated' }, reached: undefined });
      expect(await get('/me')).toEqual({ status: 401, body: { error: 'unauthenticated' }, reached: undefined });
      expect(await get('/me', '1', { 'x-async': '1' })).toEqual({ status: 200, body: { user: 'bob' }, reached: '/me' });
    });

    it('answers 404, never 200, when the loader finds nothing, throws or rejects', async () => {
      for (const path of ['/none', '/null', '/throws', '/rejects', '/check/0/99']) {
        for (const user of ['bob', 'ann']) expect(await get(path, user), `${path} ${user}`).toEqual({ status: 404, body: { error: 'not-found' }, reached: undefined });
      }
    });

    it('takes async users and loaders', async () => {
      expect(await get('/async/0', '1', { 'x-async': '1' })).toEqual({ status: 200, body: { id: 'l1', user: 'bob', revision: 0 }, reached: '/async' });
      expect((await get('/async/1', '1', { 'x-async': '1' })).status).toBe(403);
    });

    it('never reaches the handler when the engine refuses the request (an undeclared type or action)', async () => {
      for (const path of ['/undeclared', '/check/2/0']) {
        const r = await get(path, 'bob');
        expect(r.status, path).toBe(500);
        expect(r.reached).toBeUndefined();
      }
    });
  });

  if (more !== undefined) describe(`${name}: more`, () => more(get));

  describe(`${name}: accessible`, () => {
    it("gives the request's filter: exactly the records can() allows", async () => {
      for (const user of ['ann', 'bob', 'cy', GHOST]) {
        const r = await get('/list', user);
        expect(r.status).toBe(200);
        expect((r.body as { ids: string[] }).ids).toEqual(leads.filter((l) => world.engine.can(user, 'view', l)).map((l) => l.id));
      }
      expect((await get('/list')).status).toBe(401);
    });
  });

  describe(`${name}: random policies`, () => {
    it('answers exactly what can() and check() answer, for every user, action and resource of random policies', async () => {
      const saved = { ...world };
      try {
        await fc.assert(
          fc.asyncProperty(scenarioArb(), async (s: Scenario) => {
            world.engine = createEngine({ policy: s.policy });
            world.users = [...(s.policy.users ?? []).map((u) => u.id), GHOST];
            world.actions = [...new Set(Object.values(s.policy.resourceTypes).flatMap((t) => Object.keys(t.actions ?? {})))];
            world.resources = [...s.resources];
            for (let r = 0; r < world.resources.length; r++) {
              const resource = world.resources[r] as Resource;
              for (let a = 0; a < world.actions.length; a++) {
                const action = world.actions[a] as string;
                for (let u = 0; u < world.users.length; u++) {
                  const user = world.users[u] as string;
                  const got = await get(`/check/${a}/${r}`, String(u));
                  let want: { status: number; body?: unknown };
                  try {
                    const d = world.engine.check(user, action, resource);
                    want = d.allowed ? { status: 200, body: { id: resource.id, user, revision: 0 } } : { status: 403, body: { error: 'forbidden', denial: d.denial } };
                  } catch {
                    want = { status: 500 };
                  }
                  expect(got.status, `${user} ${action} ${resource.type}/${resource.id}`).toBe(want.status);
                  if (want.body !== undefined) expect(got.body).toEqual(want.body);
                  expect(got.reached === undefined).toBe(want.status !== 200);
                }
              }
            }
          }),
          runParams(40),
        );
      } finally {
        Object.assign(world, saved);
      }
    }, 120_000);
  });
}

/** The list route's answer: the ids of the world's resources the request's filter admits. */
export function listed(world: World, view: UserQueries, filter: Parameters<typeof toPredicate>[0]): { ids: string[] } {
  void view;
  return { ids: world.resources.filter(toPredicate(filter)).map((r) => r.id) };
}
