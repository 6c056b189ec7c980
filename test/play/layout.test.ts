// The playground's graph and layout (src/play/graph-model.ts, layout.ts): pure code, run in Node.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type PolicyInput } from '../../src/index.js';
import { readTestDocument } from '../../src/cli/test-file.js';
import { policyGraph } from '../../src/play/graph-model.js';
import { layoutGraph, MAX_ROW, NODE_HEIGHT, NODE_WIDTH } from '../../src/play/layout.js';
import { runParams } from '../arbitraries/settings.js';

/** A policy of `roles` roles in a tree, `groups` groups nested in earlier ones, `users` users with roles and groups. */
function policy(roles: number, groups: number, users: number, pick: (n: number) => number): PolicyInput {
  return {
    resourceTypes: { lead: { actions: { view: 'read' } } },
    roles: Array.from({ length: roles }, (_, i) => (i === 0 ? { id: 'r0' } : { id: `r${i}`, parent: `r${pick(i)}` })),
    groups: Array.from({ length: groups }, (_, i) => ({
      id: `g${i}`,
      members: { users: [`u${pick(users)}`], groups: i + 1 < groups && pick(3) === 0 ? [`g${i + 1}`] : [], roles: pick(4) === 0 ? [`r${pick(roles)}`] : [] },
    })),
    users: Array.from({ length: users }, (_, i) => ({ id: `u${i}`, role: `r${pick(roles)}` })),
  };
}

function checkLayout(input: PolicyInput): void {
  const graph = policyGraph(createEngine({ policy: input }).policy);
  const { positions, width, height } = layoutGraph(graph);
  expect(positions.size).toBe(graph.nodes.size);
  // no two boxes overlap, all inside the picture
  const boxes = [...positions.values()];
  const seen = new Set<string>();
  for (const p of boxes) {
    expect(p.x).toBeGreaterThanOrEqual(0);
    expect(p.x + NODE_WIDTH).toBeLessThanOrEqual(width);
    expect(p.y + NODE_HEIGHT).toBeLessThanOrEqual(height);
    const cell = `${Math.round(p.x)},${Math.round(p.y)}`;
    expect(seen.has(cell)).toBe(false);
    seen.add(cell);
  }
  const rows = new Map<number, number>();
  for (const p of boxes) rows.set(p.y, (rows.get(p.y) ?? 0) + 1);
  for (const n of rows.values()) expect(n).toBeLessThanOrEqual(MAX_ROW);
  // every edge points down: parents, containing groups and listing groups above
  for (const e of graph.edges) expect(positions.get(e.from)?.y ?? 0).toBeLessThan(positions.get(e.to)?.y ?? 0);
  // users are in the last rows
  const lowestOther = Math.max(...[...graph.nodes.values()].filter((n) => n.kind !== 'user').map((n) => positions.get(n.key)?.y ?? 0));
  for (const n of graph.nodes.values()) if (n.kind === 'user') expect(positions.get(n.key)?.y ?? 0).toBeGreaterThan(lowestOther);
}

describe('the playground graph', () => {
  it('draws the CRM policy: a group and a role of the same id are two nodes, and undeclared tenants are drawn', () => {
    const doc = readTestDocument('test/scenarios/003-crm-groups.yaml') as { policy: PolicyInput };
    const graph = policyGraph(createEngine({ policy: doc.policy }).policy);
    expect(graph.nodes.has('group:sales')).toBe(true);
    expect(graph.nodes.has('role:sales')).toBe(true);
    expect(graph.nodes.has('tenant:default')).toBe(true);
    expect(graph.nodes.size).toBe(20);
    expect(graph.edges.some((e) => e.from === 'group:sales' && e.to === 'group:team-a' && e.kind === 'nests')).toBe(true);
    expect(graph.edges.some((e) => e.from === 'group:sales-and-marketing-all' && e.to === 'role:sales' && e.kind === 'member-subtree')).toBe(true);
    checkLayout(doc.policy);
  });

  it('lays a few hundred nodes out without overlaps, every edge pointing down', () => {
    const t0 = performance.now();
    let seed = 7;
    const pick = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % Math.max(1, n));
    checkLayout(policy(40, 120, 300, pick));
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('holds for any small policy', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 40 }), fc.array(fc.nat(), { minLength: 1 }), (roles, groups, users, picks) => {
        let i = 0;
        const pick = (n: number): number => (picks[i++ % picks.length] ?? 0) % Math.max(1, n);
        checkLayout(policy(roles, groups, users, pick));
      }),
      runParams(60),
    );
  });
});
