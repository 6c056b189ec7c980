/**
 * The HTTP application: three routes over the leads, each guarded by the engine.
 *
 *   GET /leads       the leads the user may view (engine.filter compiled with toPredicate)
 *   GET /leads/:id   one lead, when engine.can(user, 'view', lead)
 *   PUT /leads/:id   changes title and/or status, when engine.can(user, 'edit', lead)
 *
 * The user comes from the `x-user` header. That stands in for real authentication (a session, a
 * verified token); never trust such a header from the open internet.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toPredicate, type Engine } from '../../src/index.js';
import { LEAD_STATUSES, asResource, type Lead, type LeadStatus } from './policy.js';

export const USER_HEADER = 'x-user';

/** Bodies larger than this are refused. */
const MAX_BODY_BYTES = 16 * 1024;

/** What a request asks for, decided from its method and path alone. */
export type Route =
  | { readonly kind: 'list' }
  | { readonly kind: 'get'; readonly id: string }
  | { readonly kind: 'update'; readonly id: string }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'bad-path' }
  | { readonly kind: 'method-not-allowed'; readonly allow: string };

/** Routes a request (pure). */
export function route(method: string, url: string): Route {
  const path = url.split('?')[0] ?? '';
  if (path === '/leads') return method === 'GET' ? { kind: 'list' } : { kind: 'method-not-allowed', allow: 'GET' };
  const m = /^\/leads\/([^/]+)$/.exec(path);
  if (m === null) return { kind: 'not-found' };
  let id: string;
  try {
    id = decodeURIComponent(m[1] as string);
  } catch {
    return { kind: 'bad-path' };
  }
  if (method === 'GET') return { kind: 'get', id };
  if (method === 'PUT') return { kind: 'update', id };
  return { kind: 'method-not-allowed', allow: 'GET, PUT' };
}

/** A response before it is written. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The changes a PUT body asks for, or a message saying what is wrong with it (pure). */
export function readChanges(text: string): { title?: string; status?: LeadStatus } | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the body is not JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object';
  const out: { title?: string; status?: LeadStatus } = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'title' && typeof value === 'string' && value.length > 0 && value.length <= 200) out.title = value;
    else if (key === 'status' && (LEAD_STATUSES as readonly unknown[]).includes(value)) out.status = value as LeadStatus;
    else return `unexpected ${JSON.stringify(key)}: a lead takes a title (1-200 characters) and a status (${LEAD_STATUSES.join(', ')})`;
  }
  return out;
}

/** The leads, in memory. */
export type LeadStore = Map<string, Lead>;

/** Answers a routed request as `user` (pure apart from the store it updates). */
export function answer(engine: Engine, leads: LeadStore, r: Route, user: string | undefined, body: string): Reply {
  switch (r.kind) {
    case 'not-found':
      return { status: 404, body: { error: 'not found' } };
    case 'bad-path':
      return { status: 400, body: { error: 'malformed path' } };
    case 'method-not-allowed':
      return { status: 405, body: { error: 'method not allowed' }, headers: { allow: r.allow } };
    default:
      break;
  }
  // An unknown or missing user is not a user of this application.
  if (user === undefined || !engine.policy.users.has(user)) return { status: 401, body: { error: 'unauthenticated' } };
  if (r.kind === 'list') {
    // One filter per request, not one check per lead: with a database, toSql would make it a WHERE clause.
    const visible = toPredicate(engine.filter(user, 'view', 'lead'));
    return { status: 200, body: [...leads.values()].filter((l) => visible(asResource(l))) };
  }
  const lead = leads.get(r.id);
  if (lead === undefined) return { status: 404, body: { error: 'no such lead' } };
  const action = r.kind === 'get' ? 'view' : 'edit';
  const decision = engine.check(user, action, asResource(lead));
  if (!decision.allowed) return { status: 403, body: { error: 'forbidden', action, denial: decision.denial } };
  if (r.kind === 'get') return { status: 200, body: lead };
  const changes = readChanges(body);
  if (typeof changes === 'string') return { status: 400, body: { error: changes } };
  const updated: Lead = { ...lead, ...changes };
  leads.set(updated.id, updated);
  return { status: 200, body: updated };
}

/** Reads a request body up to the limit; resolves to undefined when it is larger. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

/** The request listener for `http.createServer`. */
export function createHandler(engine: Engine, leads: LeadStore): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const header = req.headers[USER_HEADER];
    const user = typeof header === 'string' && header.length > 0 ? header : undefined;
    readBody(req)
      .then((body) => {
        if (body === undefined) return send(res, { status: 413, body: { error: 'body too large' } });
        send(res, answer(engine, leads, route(req.method ?? 'GET', req.url ?? '/'), user, body));
      })
      .catch(() => {
        if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error' } });
        else res.destroy();
      });
  };
}
