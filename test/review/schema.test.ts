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
  // docs/testing-policies.md: "The schemas check shapes: ... the form of ids (1 to 256 characters)",
  // "every policy of the wrong shape is refused by both". purview counts UTF-16 code units
  // (string.length); JSON Schema's maxLength counts code points, so an id of 200 emoji (400 code
  // units) passes the schema and is refused by purview as 400 characters long.
  it('an id of 200 astral characters is refused by the schema as purview refuses it', () => {
    const policy = { users: [{ id: '\u{1F600}'.repeat(200) }] };
    expect(loads(policy)).toBe(false);
    expect(valid(policy)).toBe(false);
  });

  it('a group name of 6,000 astral characters is refused by the schema as purview refuses it', () => {
    const policy = { groups: [{ id: 'g', name: '\u{1F600}'.repeat(6000) }] };
    expect(loads(policy)).toBe(false);
    expect(valid(policy)).toBe(false);
  });
});
