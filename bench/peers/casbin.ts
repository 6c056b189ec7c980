/*
 * casbin (node-casbin) over the same data: the role manager holds the same membership edges as
 * purview's groups, and `enforceSync` answers each request.
 *
 * What it expresses (the "core" subset of the workload): owner access, membership of an owning
 * group (users, roles, roles and subordinates, nested groups, at any depth) capped by the type's
 * group-owner level, and the role hierarchy (a superior gets full access to records owned by users
 * in subordinate roles, for types with `hierarchy`). Sharing rules, access groups and segments are
 * left out of the comparison (see docs/internal/benchmark-log.md, "The peers").
 *
 * Graph encoding, `g` (membership), edges child -> parent:
 *   u:USER -> g:GROUP          the group lists the user
 *   u:USER -> r:ROLE           the user's role; r:ROLE -> g:GROUP when a group lists the role
 *   u:USER -> s:ROLE           the same role, as a subtree node; s:ROLE -> s:PARENT, and
 *                              s:ROLE -> g:GROUP when a group lists it in rolesAndSubordinates
 *   g:CHILD -> g:PARENT        nesting
 * `g2` (hierarchy): u:USER -> b:PARENT_OF_ROLE, b:ROLE -> b:PARENT, so that `g2(owner, "b:" + S)`
 * holds exactly when the owner's role is strictly below role S.
 *
 * The request is (sub, subRole, owner, type, act): `subRole` is the calling user's role (as
 * "b:ROLE"), looked up by the adapter per call, because a casbin matcher cannot join two subjects'
 * attributes through the role graph; `owner` is "u:ID" or "g:ID" from the record.
 */
import { DefaultRoleManager, newEnforcer, newModelFromString, type Enforcer, type Model } from 'casbin';
import type { PolicyInput } from '../../src/model/policy-input.js';
import type { Resource } from '../../src/model/resource.js';
import type { Peer } from './peer.js';

const RANK: Readonly<Record<string, number>> = { none: 0, read: 1, readWrite: 2, full: 3 };

const MODEL = `
[request_definition]
r = sub, subRole, owner, type, act

[policy_definition]
p = type, act, src

[role_definition]
g = _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.type == p.type && r.act == p.act && ((p.src == "owner" && r.owner == r.sub) || (p.src == "group" && g(r.sub, r.owner)) || (p.src == "hierarchy" && g2(r.owner, r.subRole)))
`;

/** An in-memory adapter that hands casbin its rules as arrays (no CSV parsing, no duplicate scans). */
class ArrayAdapter {
  constructor(private readonly rules: ReadonlyMap<string, string[][]>) {}

  async loadPolicy(model: Model): Promise<void> {
    for (const [ptype, rules] of this.rules) {
      const ast = model.model.get(ptype.charAt(0))?.get(ptype);
      if (ast === undefined) throw new Error(`casbin model has no ${ptype}`);
      for (const r of rules) ast.policy.push(r);
    }
  }
  async savePolicy(): Promise<boolean> {
    return false;
  }
  async addPolicy(): Promise<void> {}
  async removePolicy(): Promise<void> {}
  async removeFilteredPolicy(): Promise<void> {}
}

/** The longest path (in edges) in a DAG given as child -> parents, plus one. */
function longestChain(edges: ReadonlyMap<string, readonly string[]>): number {
  const memo = new Map<string, number>();
  const depth = (start: string): number => {
    // Iterative post-order DFS.
    const stack: { id: string; i: number }[] = [{ id: start, i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; i: number };
      const parents = edges.get(top.id) ?? [];
      if (top.i < parents.length) {
        const p = parents[top.i++] as string;
        if (!memo.has(p)) stack.push({ id: p, i: 0 });
        continue;
      }
      let best = 0;
      for (const p of parents) best = Math.max(best, 1 + (memo.get(p) ?? 0));
      memo.set(top.id, best);
      stack.pop();
    }
    return memo.get(start) ?? 0;
  };
  let max = 0;
  for (const id of edges.keys()) max = Math.max(max, depth(id));
  return max + 1;
}

export interface CasbinPeer extends Peer {
  readonly enforcer: Enforcer;
  readonly edges: number;
  readonly hierarchyLevels: { readonly g: number; readonly g2: number };
}

/** Builds a casbin enforcer for the core subset of a policy. */
export async function casbinPeer(policy: PolicyInput): Promise<CasbinPeer> {
  const g: string[][] = [];
  const g2: string[][] = [];
  const gEdges = new Map<string, string[]>();
  const g2Edges = new Map<string, string[]>();
  const edge = (list: string[][], map: Map<string, string[]>, child: string, parent: string): void => {
    list.push([child, parent]);
    const ps = map.get(child);
    if (ps === undefined) map.set(child, [parent]);
    else ps.push(parent);
  };
  const roleParent = new Map<string, string>();
  for (const r of policy.roles ?? []) if (r.parent !== undefined) roleParent.set(r.id, r.parent);
  for (const r of policy.roles ?? []) {
    if (r.parent !== undefined) {
      edge(g, gEdges, `s:${r.id}`, `s:${r.parent}`);
      edge(g2, g2Edges, `b:${r.id}`, `b:${r.parent}`);
    }
  }
  const userRole = new Map<string, string>();
  for (const u of policy.users ?? []) {
    if (u.role === undefined) continue;
    userRole.set(u.id, `b:${u.role}`);
    edge(g, gEdges, `u:${u.id}`, `r:${u.role}`);
    edge(g, gEdges, `u:${u.id}`, `s:${u.role}`);
    const above = roleParent.get(u.role);
    if (above !== undefined) edge(g2, g2Edges, `u:${u.id}`, `b:${above}`);
  }
  for (const grp of policy.groups ?? []) {
    const to = `g:${grp.id}`;
    for (const u of grp.members?.users ?? []) edge(g, gEdges, `u:${u}`, to);
    for (const r of grp.members?.roles ?? []) edge(g, gEdges, `r:${r}`, to);
    for (const r of grp.members?.rolesAndSubordinates ?? []) edge(g, gEdges, `s:${r}`, to);
    for (const c of grp.members?.groups ?? []) edge(g, gEdges, `g:${c}`, to);
  }
  const p: string[][] = [];
  for (const [type, def] of Object.entries(policy.resourceTypes)) {
    const groupRank = RANK[def.groupOwnerLevel ?? 'full'] ?? 3;
    for (const [act, level] of Object.entries(def.actions)) {
      p.push([type, act, 'owner']);
      if ((RANK[level] ?? 3) <= groupRank) p.push([type, act, 'group']);
      if (def.hierarchy ?? true) p.push([type, act, 'hierarchy']);
    }
  }
  const levels = { g: longestChain(gEdges) + 1, g2: longestChain(g2Edges) + 1 };

  const enforcer = await newEnforcer(newModelFromString(MODEL));
  enforcer.setNamedRoleManager('g', new DefaultRoleManager(levels.g));
  enforcer.setNamedRoleManager('g2', new DefaultRoleManager(levels.g2));
  enforcer.setAdapter(new ArrayAdapter(new Map([['p', p], ['g', g], ['g2', g2]])));
  await enforcer.loadPolicy();

  return {
    name: 'casbin',
    enforcer,
    edges: g.length + g2.length,
    hierarchyLevels: levels,
    notes: [
      `node-casbin enforceSync; ${g.length.toLocaleString('en-US')} g edges + ${g2.length.toLocaleString('en-US')} g2 edges, maxHierarchyLevel ${levels.g} / ${levels.g2}`,
      'per call the adapter prefixes ids and looks up the caller\'s role (a Map.get)',
    ],
    can(user: string, action: string, resource: Resource): boolean {
      const o = resource.owner!;
      const owner = 'user' in o ? `u:${o.user}` : `g:${o.group}`;
      return enforcer.enforceSync(`u:${user}`, userRole.get(user) ?? '', owner, resource.type, action);
    },
  };
}
