/**
 * The vault service: Fastify, Drizzle over PostgreSQL, and purview/fastify. Sign in as a user, list
 * the credentials you may see (the filter as a Drizzle condition: purview/drizzle), show one (a
 * check; the secret only when you may reveal it), rotate one (a check, then an UPDATE), and read the
 * audit log (every decision, written by the engine's decision hook).
 */
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { boolean, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { DecisionEvent, Engine } from '../../src/index.js';
import { permitted, resourceFromRow } from '../../src/drizzle/index.js';
import { purview } from '../../src/web/fastify.js';
import { MAPPING } from './policy.js';

export const credentials = pgTable('credentials', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  ownerUserId: text('owner_user_id'),
  ownerGroupId: text('owner_group_id'),
  accessGroups: text('access_groups').array(),
  service: text('service').notNull(),
  secret: text('secret').notNull(),
});
export const auditLog = pgTable('audit_log', {
  seq: serial('seq').primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull(),
  userId: text('user_id').notNull(),
  action: text('action').notNull(),
  resource: text('resource').notNull(),
  allowed: boolean('allowed').notNull(),
  denial: text('denial'),
});

/** A row under its database column names, as the mapping names them (resourceFromRow reads those). */
const COLUMNS = { id: credentials.id, tenant_id: credentials.tenantId, owner_user_id: credentials.ownerUserId, owner_group_id: credentials.ownerGroupId, access_groups: credentials.accessGroups, service: credentials.service };

/** Decisions waiting to be written to audit_log: the hook only buffers (a hook must be cheap). */
export class AuditBuffer {
  private pending: DecisionEvent[] = [];
  constructor(private readonly db: NodePgDatabase) {}
  readonly hook = (e: DecisionEvent): void => void this.pending.push(e);
  async flush(): Promise<void> {
    // A denied request reports two decisions (can(), then check() for the denial code): one row per request.
    const batch = this.pending.splice(0).filter((e, i, all) => {
      const next = all[i + 1];
      return !(e.kind === 'can' && !e.allowed && next?.kind === 'check' && next.user === e.user && next.action === e.action && next.resource.id === e.resource.id);
    });
    if (batch.length === 0) return;
    await this.db.insert(auditLog).values(batch.map((e) => ({ at: new Date(e.at), userId: e.user, action: e.action, resource: `${e.resource.type}:${e.resource.id}`, allowed: e.allowed, denial: e.denial ?? null })));
  }
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

export function createApp(engine: Engine, db: NodePgDatabase, audit: AuditBuffer): FastifyInstance {
  const sessions = new Map<string, string>(); // token -> user id
  const userOf = (req: FastifyRequest): string | undefined => {
    const h = req.headers.authorization;
    return h?.startsWith('Bearer ') === true ? sessions.get(h.slice(7)) : undefined;
  };
  const pv = purview({ engine, user: userOf });
  const load = async (req: FastifyRequest) => {
    const [row] = await db.select(COLUMNS).from(credentials).where(eq(credentials.id, (req as IdRequest).params.id));
    return row === undefined ? undefined : resourceFromRow(row, MAPPING, { type: 'credential' });
  };
  const app = Fastify();

  // Sign in (a stand-in for real authentication): a token for a user the policy knows.
  app.post<{ Body: { user?: unknown } }>('/login', async (req, reply) => {
    const user = typeof req.body?.user === 'string' ? req.body.user : '';
    if (!engine.policy.users.has(user)) return reply.code(401).send({ error: 'unknown-user' });
    const token = randomBytes(16).toString('hex');
    sessions.set(token, user);
    return { token };
  });

  // List: the credentials the user may view (never their secrets), filtered in SQL.
  app.get<{ Querystring: { after?: string } }>('/credentials', { preHandler: pv.accessible('credential') }, async (req) =>
    db
      .select({ id: credentials.id, service: credentials.service, client: credentials.tenantId })
      .from(credentials)
      .where(and(permitted(pv.filterOf(req), MAPPING), gt(credentials.id, req.query.after ?? '')))
      .orderBy(asc(credentials.id))
      .limit(20),
  );

  // Show: an entry the user may view, with its secret only when the user may reveal it.
  app.get('/credentials/:id', { preHandler: pv.authorize('view', load) }, async (req) => {
    const c = pv.resourceOf(req);
    const [row] = await db.select({ id: credentials.id, service: credentials.service, secret: credentials.secret }).from(credentials).where(eq(credentials.id, c.id));
    const reveal = pv.viewOf(req).can('reveal', c);
    return { id: row?.id, service: row?.service, ...(reveal ? { secret: row?.secret } : {}) };
  });

  // Rotate: a new secret for a credential the user may rotate.
  app.post('/credentials/:id/rotate', { preHandler: pv.authorize('rotate', load) }, async (req) => {
    const secret = randomBytes(6).toString('hex');
    await db.update(credentials).set({ secret }).where(eq(credentials.id, pv.resourceOf(req).id));
    return { id: pv.resourceOf(req).id, rotated: true };
  });

  // The audit log: the latest decisions (an administrator's page; no check here, for brevity).
  app.get('/audit', async () => {
    await audit.flush();
    return db.select({ user: auditLog.userId, action: auditLog.action, resource: auditLog.resource, allowed: auditLog.allowed, denial: auditLog.denial }).from(auditLog).orderBy(desc(auditLog.seq)).limit(10);
  });
  return app;
}
