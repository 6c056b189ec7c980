/**
 * The CRM service: Express, Kysely over PostgreSQL, and purview/express. Sign in as a user, list
 * the leads you may see (the filter as SQL: purview/kysely), show one (a check), edit one (a check,
 * then an UPDATE), and read the audit log (every decision, written by the engine's decision hook).
 */
import { randomBytes } from 'node:crypto';
import express, { type Request } from 'express';
import type { Kysely } from 'kysely';
import type { DecisionEvent, Engine } from '../../src/index.js';
import { purview } from '../../src/web/express.js';
import { permitted, resourceFromRow } from '../../src/kysely/index.js';
import { MAPPING } from './policy.js';

export interface Db {
  leads: { id: string; tenant_id: string; owner_user_id: string | null; owner_group_id: string | null; access_groups: string[] | null; name: string; stage: string };
  audit_log: { seq?: never; at: Date; user_id: string; action: string; resource: string; allowed: boolean; denial: string | null; revision: number };
}

/** Decisions waiting to be written to audit_log: the hook only buffers (a hook must be cheap). */
export class AuditBuffer {
  private pending: DecisionEvent[] = [];
  constructor(private readonly db: Kysely<Db>) {}
  readonly hook = (e: DecisionEvent): void => void this.pending.push(e);
  async flush(): Promise<void> {
    // A denied request reports two decisions (purview/express answers with can(), then asks
    // check() for the denial code): keep one row per request, the check's.
    const batch = this.pending.splice(0).filter((e, i, all) => {
      const next = all[i + 1];
      return !(e.kind === 'can' && !e.allowed && next?.kind === 'check' && next.user === e.user && next.action === e.action && next.resource.id === e.resource.id);
    });
    if (batch.length === 0) return;
    await this.db
      .insertInto('audit_log')
      .values(batch.map((e) => ({ at: new Date(e.at), user_id: e.user, action: e.action, resource: `${e.resource.type}:${e.resource.id}`, allowed: e.allowed, denial: e.denial ?? null, revision: e.revision })))
      .execute();
  }
}

export function createApp(engine: Engine, db: Kysely<Db>, audit: AuditBuffer): express.Express {
  const sessions = new Map<string, string>(); // token -> user id
  const userOf = (req: Request): string | undefined => {
    const h = req.headers.authorization;
    return h?.startsWith('Bearer ') === true ? sessions.get(h.slice(7)) : undefined;
  };
  const pv = purview({ engine, user: userOf });
  const loadLead = async (req: Request) => {
    const row = await db.selectFrom('leads').selectAll().where('id', '=', String(req.params.id)).executeTakeFirst();
    return row === undefined ? undefined : resourceFromRow(row, MAPPING, { type: 'lead' });
  };
  const app = express();
  app.use(express.json());

  // Sign in (a stand-in for real authentication): a token for a user the policy knows.
  app.post('/login', (req, res) => {
    const user = typeof req.body?.user === 'string' ? (req.body.user as string) : '';
    if (!engine.policy.users.has(user)) return void res.status(401).json({ error: 'unknown-user' });
    const token = randomBytes(16).toString('hex');
    sessions.set(token, user);
    res.json({ token });
  });

  // List: the leads the user may view, 20 at a time after ?after=, filtered in SQL.
  app.get('/leads', pv.accessible('lead'), async (req, res, next) => {
    try {
      const after = typeof req.query.after === 'string' ? req.query.after : '';
      const rows = await db.selectFrom('leads').select(['id', 'name', 'stage']).where(permitted(pv.filterOf(req), MAPPING)).where('id', '>', after).orderBy('id').limit(20).execute();
      res.json(rows);
    } catch (e) {
      next(e);
    }
  });

  // Show: one lead, when the user may view it (404 when there is none, 403 with the denial code).
  app.get('/leads/:id', pv.authorize('view', loadLead), async (req, res) => {
    const lead = pv.resourceOf(req);
    const row = await db.selectFrom('leads').select(['id', 'name', 'stage']).where('id', '=', lead.id).executeTakeFirstOrThrow();
    res.json({ ...row, mayEdit: pv.viewOf(req).can('edit', lead) });
  });

  // Edit: the stage of a lead the user may edit.
  app.patch('/leads/:id', pv.authorize('edit', loadLead), async (req, res, next) => {
    try {
      const stage = typeof req.body?.stage === 'string' ? (req.body.stage as string) : undefined;
      if (stage === undefined) return void res.status(400).json({ error: 'stage is required' });
      const row = await db.updateTable('leads').set({ stage }).where('id', '=', pv.resourceOf(req).id).returning(['id', 'name', 'stage']).executeTakeFirstOrThrow();
      res.json(row);
    } catch (e) {
      next(e);
    }
  });

  // The audit log: the latest decisions (an administrator's page; no check here, for brevity).
  app.get('/audit', async (_req, res, next) => {
    try {
      await audit.flush();
      res.json(await db.selectFrom('audit_log').select(['user_id', 'action', 'resource', 'allowed', 'denial', 'revision']).orderBy('seq', 'desc').limit(10).execute());
    } catch (e) {
      next(e);
    }
  });
  return app;
}
