/*
 * Review findings on the JSON Schemas (src/schema/policy-schema.ts), validated with Ajv (draft
 * 2020-12, strict), the validator editors and CI tools use, beside purview's own loader. No server.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { policySchema } from '../../src/schema/policy-schema.js';

const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
const valid = ajv.compile(policySchema());

const loads = (policy: unknown): boolean => {
  try {
    createEngine({ policy: policy as never });
    return true;
  } catch {
    return false;
  }
};

describe('policy schema: the length of ids and names', () => {
  // Found in review: purview counts UTF-16 code units (string.length); JSON Schema's maxLength
  // counts code points, and no schema of practical size can count code units. So the schema is
  // looser there, in the documented direction (docs/testing-policies.md: "lengths are UTF-16 code
  // units ... the schema counts code points"): it never refuses what purview accepts, and an id of
  // 200 emoji (400 code units) passes the schema and is refused when the policy loads.
  it('an id of 200 astral characters passes the schema and is refused by purview (the documented looseness)', () => {
    const policy = { users: [{ id: '\u{1F600}'.repeat(200) }] };
    expect(loads(policy)).toBe(false);
    expect(valid(policy)).toBe(true);
  });

  it('an id of 128 astral characters (256 code units) is accepted by both; 257 ASCII characters refused by both', () => {
    expect(loads({ users: [{ id: '\u{1F600}'.repeat(128) }] })).toBe(true);
    expect(valid({ users: [{ id: '\u{1F600}'.repeat(128) }] })).toBe(true);
    expect(loads({ users: [{ id: 'x'.repeat(257) }] })).toBe(false);
    expect(valid({ users: [{ id: 'x'.repeat(257) }] })).toBe(false);
  });

  it('a group name of 6,000 astral characters passes the schema and is refused by purview', () => {
    const policy = { groups: [{ id: 'g', name: '\u{1F600}'.repeat(6000) }] };
    expect(loads(policy)).toBe(false);
    expect(valid(policy)).toBe(true);
  });
});
