/*
 * The policy graph: what is drawn from a raw policy (nodes, edges, tenants), what is marked
 * (cycles, groups no user reaches, missing and duplicate ids), and the Mermaid and DOT text,
 * including ids that try to break out of labels. Where Graphviz is installed, the DOT output is
 * also parsed and drawn by it.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GroupCycleError, InvalidInputError, RoleCycleError, createEngine, policyGraph, type PolicyInput } from '../../src/index.js';
import { displayText } from '../../src/render/escape.js';
import { buildPolicyGraph, type PolicyGraph } from '../../src/render/graph-model.js';
import { policyArb } from '../arbitraries/policy.js';
import { runParams } from '../arbitraries/settings.js';

const CRM: PolicyInput = {
  resourceTypes: { lead: { actions: { view: 'read' } } },
  roles: [{ id: 'ceo' }, { id: 'sales', parent: 'ceo' }, { id: 'assistant', parent: 'sales' }],
  users: [
    { id: 'carol', role: 'ceo' },
    { id: 'p1', role: 'sales' },
    { id: 'p2', role: 'assistant' },
  ],
  groups: [
    { id: 'team-a', name: 'Team A', members: { users: ['p1', 'p2'] } },
    { id: 'sales', name: 'Sales', members: { groups: ['team-a'] } },
    { id: 'by-role', members: { roles: ['sales'], rolesAndSubordinates: ['sales'] } },
  ],
};

/** `kind:id` of every node, in order. */
const nodeKeys = (g: PolicyGraph): string[] => g.nodes.map((n) => `${n.kind}:${n.id}`);
/** `from -kind-> to` of every edge, with ids. */
const edgeKeys = (g: PolicyGraph): string[] =>
  g.edges.map((e) => `${g.nodes[e.from]!.kind}:${g.nodes[e.from]!.id} -${e.kind}-> ${g.nodes[e.to]!.kind}:${g.nodes[e.to]!.id}`);

/** A cycle as a set of "a>b" steps, so that two listings of one cycle compare equal whatever node they start at. */
const steps = (ids: readonly string[]): string[] => ids.slice(1).map((id, i) => `${ids[i]}>${id}`).sort();

describe('the graph of a policy', () => {
  it('has roles, groups and their edges, in the policy order; a role and a group may share an id', () => {
    const g = buildPolicyGraph(CRM);
    expect(nodeKeys(g)).toEqual(['role:ceo', 'role:sales', 'role:assistant', 'group:team-a', 'group:sales', 'group:by-role']);
    expect(edgeKeys(g)).toEqual([
      'role:sales -parent-> role:ceo',
      'role:assistant -parent-> role:sales',
      'group:team-a -group-> group:sales',
      'role:sales -role-> group:by-role',
      'role:sales -subtree-> group:by-role',
    ]);
    expect(g.nodes.find((n) => n.id === 'team-a')?.name).toBe('Team A');
    expect(g.cycles).toEqual([]);
    expect(g.unreachable).toEqual([]);
    expect(g.tenants).toEqual([]);
  });

  it('draws users, their memberships and roles only when asked', () => {
    const g = buildPolicyGraph(CRM, { users: true });
    expect(nodeKeys(g).filter((k) => k.startsWith('user:'))).toEqual(['user:carol', 'user:p1', 'user:p2']);
    expect(edgeKeys(g)).toContain('user:p1 -user-> group:team-a');
    expect(edgeKeys(g)).toContain('user:p2 -has-role-> role:assistant');
    expect(buildPolicyGraph(CRM).nodes.some((n) => n.kind === 'user')).toBe(false);
  });

  it('marks a group-nesting cycle, as the engine names it', () => {
    const policy = {
      ...CRM,
      groups: [
        { id: 'sales', members: { groups: ['team-a'] } },
        { id: 'team-a', members: { users: ['p1'], groups: ['sales-leads'] } },
        { id: 'sales-leads', members: { groups: ['sales'] } },
        { id: 'self', members: { groups: ['self'] } },
        { id: 'outside', members: { groups: ['sales'] } },
      ],
    };
    const g = buildPolicyGraph(policy);
    expect(g.cycles).toEqual([
      { kind: 'group', ids: ['sales', 'team-a', 'sales-leads', 'sales'] },
      { kind: 'group', ids: ['self', 'self'] },
    ]);
    expect(g.nodes.filter((n) => n.inCycle).map((n) => n.id)).toEqual(['sales', 'team-a', 'sales-leads', 'self']);
    expect(g.edges.filter((e) => e.inCycle)).toHaveLength(4);
    // The edge from the cycle to the group outside it is not part of the cycle.
    expect(g.edges.find((e) => g.nodes[e.to]!.id === 'outside')?.inCycle).toBe(false);
    let thrown: unknown;
    try {
      createEngine({ policy: { ...policy, groups: policy.groups.slice(0, 3) } });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GroupCycleError);
    expect(steps((thrown as GroupCycleError).cycle)).toEqual(steps(g.cycles[0]!.ids));
  });

  it('marks a role-parent cycle, as the engine names it', () => {
    const policy = { ...CRM, roles: [{ id: 'a', parent: 'b' }, { id: 'b', parent: 'c' }, { id: 'c', parent: 'a' }, { id: 'd', parent: 'a' }] };
    const g = buildPolicyGraph(policy);
    expect(g.cycles).toEqual([{ kind: 'role', ids: ['a', 'b', 'c', 'a'] }]);
    expect(g.nodes.filter((n) => n.inCycle).map((n) => n.id)).toEqual(['a', 'b', 'c']);
    let thrown: unknown;
    try {
      createEngine({ policy: { resourceTypes: CRM.resourceTypes, roles: policy.roles } });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RoleCycleError);
    expect(steps((thrown as RoleCycleError).cycle)).toEqual(steps(g.cycles[0]!.ids));
  });

  it('marks the groups that no user reaches', () => {
    const g = buildPolicyGraph({
      roles: [{ id: 'boss' }, { id: 'staff', parent: 'boss' }, { id: 'vacant' }],
      users: [{ id: 'u1', role: 'staff' }, { id: 'gone', status: 'inactive' }],
      groups: [
        { id: 'empty', members: {} },
        { id: 'no-members-key' },
        { id: 'by-vacant-role', members: { roles: ['vacant'] } },
        { id: 'by-boss-role', members: { roles: ['boss'] } }, // nobody has the role itself
        { id: 'by-boss-subtree', members: { rolesAndSubordinates: ['boss'] } }, // u1 is below boss
        { id: 'inactive-only', members: { users: ['gone'] } }, // inactive users keep memberships
        { id: 'ghost-only', members: { users: ['ghost'] } }, // not a user of the policy
        { id: 'outer', members: { groups: ['by-boss-subtree'] } },
        { id: 'over-empty', members: { groups: ['empty', 'ghost-only'] } },
        { id: 'loop-a', members: { groups: ['loop-b'] } },
        { id: 'loop-b', members: { groups: ['loop-a'] } },
      ],
    });
    expect(g.unreachable).toEqual(['empty', 'no-members-key', 'by-vacant-role', 'by-boss-role', 'ghost-only', 'over-empty', 'loop-a', 'loop-b']);
    expect(g.nodes.filter((n) => n.unreachable).map((n) => n.id)).toEqual(g.unreachable);
  });

  it('agrees with membersOf on random valid policies: unreachable exactly when no members', () => {
    fc.assert(
      fc.property(policyArb(), (policy) => {
        const engine = createEngine({ policy });
        const g = buildPolicyGraph(policy);
        const empty = (policy.groups ?? []).map((x) => x.id).filter((id) => engine.membersOf(id).length === 0);
        expect(g.unreachable).toEqual(empty);
        expect(g.cycles).toEqual([]);
        expect(g.nodes.some((n) => n.missing || n.duplicate)).toBe(false);
        // The engine's normalized policy draws the same graph (its collections are sorted by id).
        const fromEngine = buildPolicyGraph(engine.policy, { users: true });
        const fromInput = buildPolicyGraph(policy, { users: true });
        expect(edgeKeys(fromEngine).sort()).toEqual(edgeKeys(fromInput).sort());
        expect(nodeKeys(fromEngine).sort()).toEqual(nodeKeys(fromInput).sort());
      }),
      runParams(200),
    );
  });

  it('turns references to undefined ids into missing nodes, and marks duplicates', () => {
    const g = buildPolicyGraph({
      roles: [{ id: 'r', parent: 'no-such-role' }],
      groups: [
        { id: 'g', members: { groups: ['no-such-group'], roles: ['r2'] } },
        { id: 'g', members: { users: ['u'] } },
      ],
      users: [{ id: 'u', role: 'r3' }],
    }, { users: true });
    expect(g.nodes.filter((n) => n.missing).map((n) => `${n.kind}:${n.id}`)).toEqual(['role:no-such-role', 'group:no-such-group', 'role:r2', 'role:r3']);
    expect(g.nodes.filter((n) => n.missing).every((n) => n.tenant === undefined)).toBe(true);
    expect(g.nodes.filter((n) => n.duplicate).map((n) => n.id)).toEqual(['g']);
    // The members of both definitions count: u reaches g.
    expect(g.unreachable).toEqual([]);
  });

  it('skips whatever is not shaped like a policy entry, and never reads inherited properties', () => {
    const junk = {
      roles: [null, 3, 'r', { id: '' }, { id: 7 }, { id: 'ok', parent: 9 }],
      groups: { not: 'a list' },
      users: [{ id: 'constructor', role: 'toString' }],
    };
    const g = buildPolicyGraph(junk, { users: true });
    expect(nodeKeys(g)).toEqual(['role:ok', 'user:constructor', 'role:toString']);
    const proto = JSON.parse('{"groups":[{"id":"__proto__","members":{"users":["constructor"],"groups":["toString"]}}],"users":[{"id":"constructor"}]}') as unknown;
    const p = buildPolicyGraph(proto);
    expect(nodeKeys(p)).toEqual(['group:__proto__', 'group:toString']);
    expect(p.unreachable).toEqual([]);
    expect(buildPolicyGraph({}).nodes).toEqual([]);
  });

  it('lists tenants only when something is outside the default tenant', () => {
    expect(buildPolicyGraph(CRM).tenants).toEqual([]);
    const g = buildPolicyGraph({
      tenants: [{ id: 'main' }, { id: 'unused' }, { id: 'sub', parent: 'main' }],
      groups: [{ id: 'g1', tenant: 'sub' }, { id: 'g2' }, { id: 'g3', tenant: 'undeclared' }],
    });
    expect(g.tenants).toEqual([{ id: 'sub', parent: 'main' }, { id: 'default' }, { id: 'undeclared' }]);
  });
});

describe('policyGraph', () => {
  it('is Mermaid by default and DOT on request, and deterministic', () => {
    expect(policyGraph(CRM)).toContain('flowchart BT');
    expect(policyGraph(CRM, { format: 'mermaid' })).toBe(policyGraph(CRM));
    expect(policyGraph(CRM, { format: 'dot' })).toMatch(/^\/\/ purview policy graph: 3 roles, 3 groups\n/);
    expect(policyGraph(CRM, { format: 'dot' })).toContain('digraph policy {');
  });

  it('rejects an unknown format and a policy that is not an object', () => {
    expect(() => policyGraph(CRM, { format: 'svg' as 'dot' })).toThrow(InvalidInputError);
    for (const bad of [null, [], 'policy', 3]) expect(() => policyGraph(bad)).toThrow(InvalidInputError);
  });

  it('draws an engine\'s policy as well as plain data', () => {
    const engine = createEngine({ policy: CRM });
    const text = policyGraph(engine.policy, { format: 'dot' });
    expect(text).toContain('"group:team-a" -> "group:sales";');
  });

  it('writes a small policy as this Mermaid text', () => {
    const policy = {
      roles: [{ id: 'boss' }, { id: 'staff', parent: 'boss' }],
      users: [{ id: 'u1', role: 'staff' }],
      groups: [
        { id: 'a', name: 'Team "A"', members: { users: ['u1'], groups: ['b'] } },
        { id: 'b', members: { groups: ['a'] } },
        { id: 'c', members: { rolesAndSubordinates: ['staff'], groups: ['x'] } },
        { id: 'idle', members: { roles: ['boss'] } },
      ],
    };
    expect(policyGraph(policy, { users: true })).toBe(
      [
        '%% purview policy graph: 2 roles, 4 groups, 1 user',
        '%% arrows point from a member to the group that contains it, and from a role to its parent role',
        '%% group cycle: "a" contains "b" contains "a"',
        '%% groups no user reaches: "idle"',
        '%% referenced but not defined: group "x"',
        'flowchart BT',
        '  n0("boss")',
        '  n1("staff")',
        '  n2["a<br>Team #34;A#34;<br>(in a nesting cycle)"]',
        '  n3["b<br>(in a nesting cycle)"]',
        '  n4["c"]',
        '  n5["idle<br>(no members)"]',
        '  n6(["u1"])',
        '  n7["x<br>(not defined)"]',
        '  n1 --> n0',
        '  n3 ==>|"cycle"| n2',
        '  n6 --> n2',
        '  n2 ==>|"cycle"| n3',
        '  n7 --> n4',
        '  n1 -.->|"role and subordinates"| n4',
        '  n0 -.->|"role"| n5',
        '  n6 -.->|"has role"| n1',
        '  classDef role fill:#e8f0fe,stroke:#3367d6,color:#202124',
        '  classDef group fill:#fef7e0,stroke:#b06000,color:#202124',
        '  classDef user fill:#f1f3f4,stroke:#5f6368,color:#202124',
        '  classDef unreachable fill:#f8f9fa,stroke:#80868b,stroke-dasharray:6 4,color:#5f6368',
        '  classDef missing fill:#ffffff,stroke:#c5221f,stroke-dasharray:3 3,color:#c5221f',
        '  classDef cycle stroke:#c5221f,stroke-width:3px,color:#c5221f',
        '  class n0,n1 role',
        '  class n2,n3,n4,n5,n7 group',
        '  class n6 user',
        '  class n5 unreachable',
        '  class n7 missing',
        '  class n2,n3 cycle',
        '  linkStyle 1,3 stroke:#c5221f,stroke-width:3px',
        '',
      ].join('\n'),
    );
  });

  it('writes tenants as subgraphs and clusters', () => {
    const policy = { tenants: [{ id: 'main' }, { id: 'sub', parent: 'main' }], groups: [{ id: 'g', tenant: 'sub', members: { groups: ['h'] } }, { id: 'h', tenant: 'main' }] };
    const mermaid = policyGraph(policy);
    expect(mermaid).toContain('  subgraph t0["tenant main"]\n    n1["h<br>(no members)"]\n  end\n');
    expect(mermaid).toContain('  subgraph t1["tenant sub, under main"]\n    n0["g<br>(no members)"]\n  end\n');
    const dot = policyGraph(policy, { format: 'dot' });
    expect(dot).toContain('  subgraph "cluster_1" {\n    label="tenant sub, under main";');
  });

  it('writes an empty policy as a valid, empty drawing', () => {
    expect(policyGraph({})).toContain('  empty["no roles or groups"]');
    expect(policyGraph({}, { format: 'dot' })).toContain('"empty" [label="no roles or groups", shape=plaintext];');
  });
});

// Ids that try to break out of labels, strings, comments and statements.
const HOSTILE = [
  '"',
  'a"]; n1["pwned',
  '[x]',
  '<b>bold</b>',
  '#35;',
  '%%{init: {"theme":"dark"}}%%',
  '`md`',
  'a|b',
  'line\nbreak',
  'rtl\u202eevil',
  'back\\slash\\',
  '\\N',
  'style: #a;',
  '__proto__',
  'emoji 😀',
  'a:b',
  ' ',
  '} digraph x {',
  '*/ //',
];

const hostilePolicy = {
  tenants: [{ id: 'tenant "q"' }],
  roles: HOSTILE.map((id, i) => ({ id, ...(i > 0 ? { parent: HOSTILE[i - 1] } : {}) })),
  users: HOSTILE.map((id) => ({ id, role: id, tenant: 'tenant "q"' })),
  groups: HOSTILE.map((id, i) => ({ id, name: `name of ${id}`, members: { users: [id], groups: i > 0 ? [HOSTILE[i - 1]] : [HOSTILE[HOSTILE.length - 1]] } })),
};

describe('hostile ids in Mermaid', () => {
  const text = policyGraph(hostilePolicy, { users: true });
  const lines = text.trimEnd().split('\n');

  it('every line is a statement of the expected form', () => {
    const forms = [
      /^%% [^\n%]*$/, // a comment, with no % that could open a directive
      /^flowchart BT$/,
      /^ {2}subgraph t\d+\["[^"]*"\]$/,
      /^ {2}end$/,
      /^ {2,4}n\d+(\("[^"]*"\)|\["[^"]*"\]|\(\["[^"]*"\]\))$/,
      /^ {2}n\d+ (-->|-\.->|==>)(\|"[^"]*"\|)? n\d+$/,
      /^ {2}classDef \w+ [^"]+$/,
      /^ {2}class n\d+(,n\d+)* \w+$/,
      /^ {2}linkStyle \d+(,\d+)* [^"]+$/,
    ];
    for (const line of lines) expect(forms.some((f) => f.test(line)), line).toBe(true);
    expect(lines.filter((l) => l.startsWith('%%')).length).toBeGreaterThan(2);
  });

  it('labels decode to the ids as a person should see them', () => {
    const labels = new Map<number, string>();
    for (const line of lines) {
      const m = /^ {2,4}n(\d+)[([]+"([^"]*)"/.exec(line);
      if (m) labels.set(Number(m[1]), m[2]!.replace(/#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n))).split('<br>')[0]!);
    }
    const g = buildPolicyGraph(hostilePolicy, { users: true });
    expect(labels.size).toBe(g.nodes.length);
    for (const n of g.nodes) expect(labels.get(n.index)).toBe(displayText(n.id));
  });

  it('the whole group ring is one cycle, and the role chain none', () => {
    expect(text).toContain('%% group cycle: ');
    expect(text).not.toContain('%% role cycle');
  });
});

const hasGraphviz = spawnSync('dot', ['-V'], { encoding: 'utf8' }).status === 0;

describe('hostile ids in DOT', () => {
  const text = policyGraph(hostilePolicy, { format: 'dot', users: true });
  const lines = text.trimEnd().split('\n');
  const str = '"(?:[^"\\\\\\n]|\\\\.)*"';

  it('every line is a statement of the expected form, every string closed', () => {
    const forms = [
      /^\/\/ [^\n]*$/,
      /^digraph policy \{$/,
      /^\}$/,
      /^ {2}\}$/,
      /^ {2}(rankdir=BT|node \[.*\]|edge \[.*\]);$/,
      new RegExp(`^ {2}subgraph "cluster_\\d+" \\{$`),
      new RegExp(`^ {4}label=${str};$`),
      /^ {4}(style=rounded|color="#[0-9a-f]{6}");$/,
      new RegExp(`^ {2,4}${str}( \\[\\w+=(${str}|\\w+)(, \\w+=(${str}|\\w+))*\\])?;$`),
      new RegExp(`^ {2}${str} -> ${str}( \\[\\w+=(${str}|\\w+)(, \\w+=(${str}|\\w+))*\\])?;$`),
    ];
    for (const line of lines) expect(forms.some((f) => f.test(line)), line).toBe(true);
  });

  it.skipIf(!hasGraphviz)('Graphviz reads it without complaint and shows every id as its label', () => {
    const r = spawnSync('dot', ['-Tsvg'], { input: text, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const unescape = (s: string): string =>
      s.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const texts = [...r.stdout.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unescape(m[1]!));
    const titles = [...r.stdout.matchAll(/<g id="node\d+" class="node">\s*<title>([^<]*)<\/title>/g)].map((m) => unescape(m[1]!));
    const g = buildPolicyGraph(hostilePolicy, { users: true });
    expect(titles).toHaveLength(g.nodes.length);
    expect(new Set(titles).size).toBe(g.nodes.length);
    for (const n of g.nodes) expect(texts, n.id).toContain(displayText(n.id));
  });
});
