/*
 * Review findings on purview/express (src/web/express.ts), against a real Express 5 server on
 * 127.0.0.1 port 0, asked with node's fetch.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { purview } from '../../src/web/express.js';

const engine = createEngine({ policy: { users: [{ id: 'u1' }], resourceTypes: { lead: { actions: { view: 'read' } } } } });
const lead = { type: 'lead', id: 'l1', owner: { user: 'u1' } };

let server: Server;
let url: string;
beforeAll(async () => {
  const pv = purview({ engine, user: (req: Request) => req.header('x-user') });
  const app = express();
  // A guarded handler that fails with a falsy rejection (`throw undefined` in an async function, a
  // library rejecting with no reason): the request must fail, not go on to the next route.
  app.get('/leads/:id', pv.guard('view', () => lead, async () => {
    throw undefined;
  }));
  app.get('/leads/:id', (_req, res) => {
    res.status(200).json({ reached: 'the next route' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: String(err) });
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('purview/express guard', () => {
  it('a guarded handler rejecting with undefined is an error, never a pass to the next route', async () => {
    const r = await fetch(`${url}/leads/l1`, { headers: { 'x-user': 'u1' } });
    const body = (await r.json()) as unknown;
    // Express 5 itself turns a falsy rejection into new Error('Rejected promise'); guard calls next(undefined).
    expect(body).not.toEqual({ reached: 'the next route' });
    expect(r.status).toBe(500);
  });
});
