/*
 * Record shares in policy test files: resources may carry `shares`, checked when the file is
 * read, each error naming the file and the path of the share.
 */
import { describe, expect, it } from 'vitest';
import { runTestFile } from '../../src/cli/run-tests.js';
import { parseTestFile } from '../../src/cli/test-file.js';

const head = `policy:
  resourceTypes: { ticket: { actions: { view: read, reply: readWrite } } }
  users: [{ id: ann }, { id: bob }]
resources:
`;
const tail = `assertions:
  - check: { user: bob, action: reply, resource: t1 }
    expect: allow
`;

const file = (shares: string): string => `${head}  - type: ticket
    id: t1
    owner: { user: ann }
    shares: ${shares}
${tail}`;

describe('shares in test files', () => {
  it('a resource with shares is read and decided', () => {
    const t = parseTestFile(file(`[{ to: { user: bob }, level: readWrite, until: '2999-01-01T00:00:00Z' }]`), 'f.yaml');
    expect(runTestFile(t).outcomes.every((o) => o.passed)).toBe(true);
    expect(runTestFile(parseTestFile(file(`[{ to: { user: bob }, level: read }]`), 'f.yaml')).outcomes.every((o) => o.passed)).toBe(false);
    expect(runTestFile(parseTestFile(file('null'), 'f.yaml')).outcomes.every((o) => o.passed)).toBe(false);
  });

  const bad: [string, RegExp][] = [
    ['{ to: { user: bob } }', /resources\[0\]\.shares: expected a list/],
    ['[{ to: { user: bob }, level: none }]', /resources\[0\]\.shares\[0\]\.level: expected the share's level/],
    ['[{ level: read }]', /resources\[0\]\.shares\[0\]: a share needs `to`/],
    ['[{ to: { user: bob, group: g }, level: read }]', /resources\[0\]\.shares\[0\]\.to: a principal is exactly one of/],
    ['[{ to: { team: x }, level: read }]', /resources\[0\]\.shares\[0\]\.to: a principal is exactly one of/],
    ["[{ to: { user: '' }, level: read }]", /resources\[0\]\.shares\[0\]\.to\.user: expected a user id/],
    ['[{ to: { user: bob }, level: read, note: x }]', /resources\[0\]\.shares\[0\]: unknown key "note"/],
    ['[{ to: { user: bob }, level: read }, { to: { user: bob }, level: read, since: 2026-13-01T00:00:00Z }]', /resources\[0\]\.shares\[1\]\.since: expected an instant/],
    ["[{ to: { user: bob }, level: read, since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }]", /resources\[0\]\.shares\[0\]\.until: until must be after since/],
    ['[{ to: { user: bob }, level: read, until: 2026 }]', /resources\[0\]\.shares\[0\]\.until: expected an instant/],
  ];
  for (const [shares, message] of bad) {
    it(`refuses ${shares}`, () => {
      expect(() => parseTestFile(file(shares), 'f.yaml')).toThrow(message);
    });
  }
});
