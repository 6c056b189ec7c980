/*
 * The migration guides' CRM written three ways (examples/migrating: purview.ts, casl.ts with
 * @casl/ability, casbin.ts with casbin; all in this process, no services) answers every question
 * (each user, the unknown one included, x view/edit/delete x each lead) the same way, and the
 * answers are the ones the guides state. The code shown in docs/migrating-from-casl.md and
 * docs/migrating-from-casbin.md under a `// examples/migrating/FILE` line is that file's code.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Enforcer } from 'casbin';
import { beforeAll, describe, expect, it } from 'vitest';
import { casbinCan, createCasbin } from '../../examples/migrating/casbin.js';
import { caslCan } from '../../examples/migrating/casl.js';
import { actions, askedUsers, leads, type Action } from '../../examples/migrating/org.js';
import { purviewCan } from '../../examples/migrating/purview.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

let enforcer: Enforcer;
beforeAll(async () => {
  enforcer = await createCasbin();
});

const questions = askedUsers.flatMap((user) => actions.flatMap((action) => leads.map((lead) => ({ user, action, lead }))));

/** What each user may do, as the guides state it: "lead-1:ved" is view, edit and delete on lead-1. */
const EXPECTED: Record<string, string[]> = {
  rob: ['lead-1:ved', 'lead-4:ve'],
  rae: ['lead-2:ved', 'lead-4:ve'],
  mia: ['lead-1:ved', 'lead-2:ved', 'lead-5:ved'],
  eve: ['lead-3:ved'],
  eli: ['lead-3:ved'],
  sue: ['lead-1:v', 'lead-2:v', 'lead-4:v', 'lead-6:ved'],
  zed: [],
};

const summary = (can: (user: string, action: Action, lead: (typeof leads)[number]) => boolean, user: string): string[] =>
  leads
    .map((lead) => {
      const letters = actions.filter((a) => can(user, a, lead)).map((a) => a[0]).join('');
      return letters === '' ? '' : `${lead.id}:${letters}`;
    })
    .filter((s) => s !== '');

describe('the migration guides\' CRM', () => {
  it('purview answers as the guides say', () => {
    for (const user of askedUsers) expect(summary(purviewCan, user), user).toEqual(EXPECTED[user]);
  });

  it('CASL gives the same answer as purview to every question', () => {
    const differ = questions.filter((q) => caslCan(q.user, q.action, q.lead) !== purviewCan(q.user, q.action, q.lead));
    expect(questions.length).toBe(7 * 3 * 6);
    expect(differ.map((q) => `${q.user} ${q.action} ${q.lead.id}`)).toEqual([]);
  });

  it('casbin gives the same answer as purview to every question', () => {
    const differ = questions.filter((q) => casbinCan(enforcer, q.user, q.action, q.lead) !== purviewCan(q.user, q.action, q.lead));
    expect(differ.map((q) => `${q.user} ${q.action} ${q.lead.id}`)).toEqual([]);
  });

  it.each(['docs/migrating-from-casl.md', 'docs/migrating-from-casbin.md'])('%s shows the examples\' own code', (guide) => {
    const text = readFileSync(`${root}${guide}`, 'utf8');
    const blocks = [...text.matchAll(/```ts\n\/\/ (examples\/migrating\/[a-z]+\.ts)\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const [, file = '', code = ''] of blocks) {
      const source = readFileSync(`${root}${file}`, 'utf8');
      for (const part of code.split(/^\s*\/\/ \.\.\.\n/m)) expect(source, `${guide}: a block of ${file}`).toContain(part.trim());
    }
  });
});
