import { bounded, earliestUntil } from '../reason-until.js';
import { groupsOfMembership, membershipOf, upClosure } from '../../compile/closure.js';
import { memberWalk } from '../../compile/members.js';
import type { ByPrincipal, Compiled, CompiledRule } from '../../compile/snapshot.js';
import type { Id } from '../../model/ids.js';
import { levelOfRank } from '../../model/level.js';
import { ownerIn } from './owner-in.js';
import { ownerFacts } from '../record-view.js';
import { subjectGrants } from '../subject.js';
import type { AccessSource, Owners, RecordView } from './source.js';

/** The owner set of one tenant, created on first use. */
function inTenant(owners: Owners, tenant: Id): Set<Id> {
  let s = owners.byTenant.get(tenant);
  if (s === undefined) owners.byTenant.set(tenant, (s = new Set()));
  return s;
}

/** Groups nested inside `root` at any depth, and `root` itself. Iterative. */
function groupsWithin(c: Compiled, root: number): Set<number> {
  const out = new Set<number>([root]);
  const stack = [root];
  while (stack.length > 0) {
    for (const g of c.groups.get(stack.pop() as number)?.groups ?? []) {
      if (!out.has(g)) {
        out.add(g);
        stack.push(g);
      }
    }
  }
  return out;
}

/** The rules whose `from` includes the record's owner, found through the owner's principals. */
function rulesFromOwner(r: RecordView): Set<CompiledRule> {
  const c = r.c;
  const out = new Set<CompiledRule>();
  const add = (list: readonly CompiledRule[] | undefined): void => list?.forEach((x) => out.add(x));
  const idx: ByPrincipal<CompiledRule> = c.rulesFrom;
  const o = ownerFacts(r);
  if (o !== undefined) {
    add(idx.user.get(o.num));
    if (o.role >= 0) {
      add(idx.role.get(o.role));
      const seen = new Set<number>();
      for (let n = o.role; n >= 0 && !seen.has(n); n = c.roles.get(n)?.parent ?? -1) {
        seen.add(n);
        add(idx.roleAndSubordinates.get(n));
      }
    }
    for (const g of groupsOfMembership(membershipOf(c, o))) add(idx.group.get(g));
  } else if (r.ownerGroupNum >= 0) {
    for (const g of upClosure(c, r.ownerGroupNum)) add(idx.group.get(g));
  }
  return out;
}

/** A sharing rule: records of a type owned by `from`, shared with `to` at a level, in the rule's tenant. */
export const sharingRuleSource: AccessSource = {
  name: 'sharing-rule',
  rank(r, s, best, need) {
    const rules = subjectGrants(r.c, s).rules.get(r.type.def.name);
    if (rules === undefined) return 0;
    let top = 0;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      if (rule.rank > best && rule.rank > top && rule.tenant === r.tenant && ownerIn(r, rule.from)) {
        top = rule.rank;
        if (top >= need) return top;
      }
    }
    return top;
  },
  reasons(r, s, proofs, out) {
    for (const rule of subjectGrants(r.c, s).rules.get(r.type.def.name) ?? []) {
      if (rule.tenant !== r.tenant || !ownerIn(r, rule.from)) continue;
      const path = proofs.userPath(rule.to);
      const ownerPath = proofs.ownerPath(rule.from);
      out.push(bounded({ source: 'sharing-rule', level: levelOfRank(rule.rank), path, rule: rule.def.id, ownerPath }, earliestUntil([path, ownerPath], [rule.def.until])));
    }
  },
  clause(f) {
    const c = f.c;
    for (const rule of subjectGrants(f.c, f.s).rules.get(f.req.type.def.name) ?? []) {
      if (rule.rank < f.need || !f.tenants.has(rule.tenant)) continue;
      f.sources.push({ source: 'sharing-rule', level: levelOfRank(rule.rank), rule: rule.def.id });
      // Each distinct `from` is expanded once per tenant, however many rules name it.
      if (!f.firstTime(rule.tenant, rule.from)) continue;
      const users = inTenant(f.ownerUsers, rule.tenant);
      memberWalk(c, (o) => users.add(o.id)).principal(rule.from);
      if (rule.from.kind === 'group') {
        const groups = inTenant(f.ownerGroups, rule.tenant);
        for (const g of groupsWithin(c, rule.from.num)) groups.add(c.ids.groups.idOf(g));
      }
    }
    return false;
  },
  expand(r, need, walk) {
    const type = r.type.def.name;
    const found = [...rulesFromOwner(r)].sort((a, b) => a.num - b.num);
    for (const rule of found) if (rule.rank >= need && rule.type === type && rule.tenant === r.tenant) walk.principal(rule.to);
    return true;
  },
};
