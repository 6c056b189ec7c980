/*
 * Every policy test file in test/scenarios passes through run-tests, and its expectations agree
 * with the reference evaluator (test/reference), so the scenarios test the engine against the
 * SPEC rather than against itself.
 */
import { policyAt } from '../reference/at-instant.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/cli/report.js';
import { runTestFile } from '../../src/cli/run-tests.js';
import { linkParents } from '../../src/cli/link-parents.js';
import { loadTestFile, type Assertion, type TestFile } from '../../src/cli/test-file.js';
import type { PolicyInput } from '../../src/model/policy-input.js';
import { refCheck, refEffectiveOwners, refGroupsOf, refMembersOf, refWhoCan, refPermittedFields } from '../reference/evaluator.js';

const DIR = fileURLToPath(new URL('../scenarios', import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/** Asks the reference evaluator the assertion's question; returns a message when it disagrees. */
function referenceDisagrees(t: TestFile, a: Assertion): string | undefined {
  // The reference sees the policy as it stands at the assertion's instant (or now).
  const policy = policyAt(t.policy as PolicyInput, a.asOf === undefined ? Date.now() : Date.parse(a.asOf));
  const linked = linkParents(t.resources);
  const res = (id: string) => linked.get(id)!;
  let got: readonly string[];
  switch (a.kind) {
    case 'check': {
      const d = refCheck(policy, a.user, a.action, res(a.resource));
      const verdict = d.allowed ? 'allow' : 'deny';
      if (verdict === a.expect && (a.denial === undefined || a.denial === d.denial)) return undefined;
      return `assertions[${a.index}]: reference says ${verdict}${d.denial === undefined ? '' : ` (${d.denial})`}`;
    }
    case 'groupsOf':
      got = refGroupsOf(policy, a.user);
      break;
    case 'membersOf':
      got = refMembersOf(policy, a.group);
      break;
    case 'effectiveOwners':
      got = refEffectiveOwners(policy, res(a.resource));
      break;
    case 'whoCan':
      got = refWhoCan(policy, a.action, res(a.resource));
      break;
    case 'permittedFields': {
      const f = refPermittedFields(policy, a.user, res(a.resource));
      if (sameSet(f.read, a.expect.read) && sameSet(f.write, a.expect.write)) return undefined;
      return `assertions[${a.index}]: reference says read [${f.read.join(', ')}], write [${f.write.join(', ')}]`;
    }
  }
  return sameSet(got, a.expect) ? undefined : `assertions[${a.index}]: reference says [${[...got].sort().join(', ')}]`;
}

describe('scenario files', () => {
  it('covers every seed document (000..004) and the group cycle', () => {
    for (const seed of ['000', '001', '002', '003', '004']) expect(FILES.some((f) => f.startsWith(seed))).toBe(true);
    expect(FILES).toContain('003-crm-group-cycle.yaml');
  });

  for (const name of FILES) {
    describe(name, () => {
      const file = loadTestFile(join(DIR, name));

      it('passes', () => {
        const result = runTestFile(file);
        const failed = result.outcomes.filter((o) => !o.passed);
        expect(failed, renderReport([result])).toEqual([]);
      });

      if (file.expectError === undefined) {
        it('has 8-25 assertions, including denials', () => {
          expect(file.assertions.length).toBeGreaterThanOrEqual(8);
          expect(file.assertions.length).toBeLessThanOrEqual(25);
          expect(file.assertions.some((a) => a.kind === 'check' && a.expect === 'deny')).toBe(true);
          expect(file.assertions.some((a) => a.kind === 'check' && a.expect === 'allow')).toBe(true);
        });

        it('agrees with the reference evaluator', () => {
          const disagreements = file.assertions.map((a) => referenceDisagrees(file, a)).filter((m) => m !== undefined);
          expect(disagreements).toEqual([]);
        });
      }
    });
  }
});
