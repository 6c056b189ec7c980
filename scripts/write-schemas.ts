// Writes the JSON Schemas shipped in the package (schema/*.schema.json) from the same vocabulary
// the loaders read (src/model/input-fields.ts, src/cli/test-file-fields.ts). Part of `npm run
// build`; the files are generated, never edited (and not kept in git).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policySchema } from '../src/schema/policy-schema.js';
import { testFileSchema } from '../src/cli/test-file-schema.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema');
mkdirSync(out, { recursive: true });
for (const [name, schema] of [
  ['policy.schema.json', policySchema()],
  ['test-file.schema.json', testFileSchema()],
] as const) {
  writeFileSync(join(out, name), `${JSON.stringify(schema, null, 2)}\n`);
}
