import { instantMillis } from '../model/instant.js';
import { parseArgs } from 'node:util';
import { createEngine } from '../engine/create-engine.js';
import type { Engine } from '../engine/types.js';
import type { CliIO } from './io.js';
import { displayText, jsonText, quoteText } from '../render/escape.js';
import { isBarePolicy, readResourcesDocument, readTestDocument } from './test-file.js';
import { TestFileError, validateTestFile, type TestFile } from './test-file.js';

/*
 * `purview explain FILE --user U --action A --resource R [--format text|json]`: one decision on
 * the policy and resources of a policy test file, explained: the verdict, each reason and each
 * membership path (text, as `engine.explain` renders it), or the whole `Decision` as JSON. R is
 * the id of a resource in the file's `resources`.
 */

/** The CLI's exit codes (as in cli.ts): 0 explained, 1 the question could not be answered, 2 a usage error. */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

export const EXPLAIN_USAGE = `Usage: purview explain FILE --user U --action A --resource R [--resources FILE] [--as-of INSTANT] [--format text|json]

Explains one decision: may user U do action A on resource R? FILE is a policy test file (YAML
or JSON, as purview test reads it), and R the id of a resource in its "resources"; the file's assertions
are not run and may be left out. FILE may also be a bare policy file, with the resources in the
file named by --resources (a list of resources, or a file with a "resources" list). The text shows the verdict, the level needed and reached, each
reason and the membership path that proves it (with the instant each time-bound entry on it
stops counting); --format json prints the whole decision. The decision is made at --as-of, else
at the file's top-level asOf, else now.

Options:
  -u, --user U          the user
  -a, --action A        the action
  -r, --resource R      the id of a resource listed in the file
      --resources FILE  the resources, when FILE has none (a bare policy file)
      --as-of INSTANT   decide at this instant, e.g. 2026-12-31T17:00:00Z (RFC 3339)
  -f, --format FORMAT   text (the default) or json
  -h, --help            show this help

Exit status: 0 when the decision was explained (allowed or not), 1 when FILE cannot be read,
its policy does not load, R is not in it or the engine rejects the question (an undeclared
action), 2 on a usage error.
`;

/** What to explain. */
export interface ExplainRequest {
  readonly user: string;
  readonly action: string;
  /** The id of a resource in the file's `resources`. */
  readonly resource: string;
  readonly format: 'text' | 'json';
  /** The instant to decide at (an RFC 3339 date-time); the file's `asOf`, else now, when absent. */
  readonly asOf?: string;
}

/** The question cannot be answered on this file; the message says why. */
export class ExplainError extends Error {
  override readonly name = 'ExplainError';
}

function has(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/**
 * A parsed document as a test file, strictly validated. A file without assertions (a policy and
 * its resources only) is accepted too: explaining needs no assertions, while `validateTestFile`
 * insists that a test file tests something, so such a file is validated as one whose policy is
 * expected not to load, and that expectation is then dropped.
 */
export function explainableFile(data: unknown, file: string): TestFile {
  if (typeof data === 'object' && data !== null && !Array.isArray(data) && !has(data, 'expectError')) {
    const assertions = (data as Record<string, unknown>).assertions;
    const none = !has(data, 'assertions') || assertions === null || (Array.isArray(assertions) && assertions.length === 0);
    if (none) {
      const rest: Record<string, unknown> = { ...data };
      delete rest.assertions;
      const { expectError: _dropped, ...validated } = validateTestFile({ ...rest, expectError: 'PurviewError' }, file);
      return validated;
    }
  }
  return validateTestFile(data, file);
}

/**
 * The document with the resources of `--resources FILE` in it: a bare policy file becomes a test
 * file of that policy and those resources. A file that lists its own resources cannot take others.
 */
export function withResources(doc: unknown, file: string, resourcesPath: string | undefined): unknown {
  const bare = isBarePolicy(doc);
  if (resourcesPath === undefined) {
    if (bare) throw new TestFileError(file, 'this is a policy file, without resources to ask about: name a resources file with --resources FILE (or use a test file)');
    return doc;
  }
  if (!bare && typeof doc === 'object' && doc !== null && has(doc, 'resources') && (doc as Record<string, unknown>).resources !== null) {
    throw new TestFileError(file, 'the file lists its own resources: leave out --resources, or point FILE at a bare policy file');
  }
  // Read as --resources of purview diff reads it: a test file's shared `resources: ./x.yaml` resolved.
  const list = readResourcesDocument(resourcesPath);
  if (!Array.isArray(list)) throw new TestFileError(resourcesPath, 'expected a list of resources, or a mapping with a "resources" list (a test file)');
  return bare ? { policy: doc, resources: list } : { ...(doc as Record<string, unknown>), resources: list };
}

function errorText(e: unknown): string {
  return displayText(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
}

/** Answers the request on a test file: the explanation as text or JSON, without a final newline. Throws `ExplainError`. */
export function explainOnFile(file: TestFile, request: ExplainRequest): string {
  let engine: Engine;
  try {
    engine = createEngine({ policy: file.policy } as Parameters<typeof createEngine>[0]);
  } catch (e) {
    throw new ExplainError(`${file.file}: the policy does not load: ${errorText(e)}`);
  }
  const resource = file.resources.get(request.resource);
  if (resource === undefined) {
    const ids = [...file.resources.keys()];
    const listed = ids.length === 0 ? 'the file lists no resources' : `the file lists ${ids.slice(0, 20).map(quoteText).join(', ')}${ids.length > 20 ? `, and ${ids.length - 20} more` : ''}`;
    throw new ExplainError(`${file.file}: no resource with id ${quoteText(request.resource)} in resources; ${listed}`);
  }
  try {
    // The JSON is the whole Decision, as engine.explain writes it, with invisible characters escaped.
    const asOf = request.asOf ?? file.asOf;
    const options = asOf === undefined ? undefined : { asOf };
    if (request.format === 'json') return jsonText(engine.check(request.user, request.action, resource, options));
    return engine.explain(request.user, request.action, resource, options);
  } catch (e) {
    throw new ExplainError(errorText(e));
  }
}

function usageError(io: CliIO, message: string): number {
  io.stderr(`purview explain: ${displayText(message)}\n\n${EXPLAIN_USAGE}`);
  return EXIT_USAGE;
}

/** `purview explain ...`: parses `argv` (the arguments after `explain`), writes the explanation, returns the exit code. */
export function runExplain(argv: readonly string[], io: CliIO): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        user: { type: 'string', short: 'u' },
        action: { type: 'string', short: 'a' },
        resource: { type: 'string', short: 'r' },
        resources: { type: 'string' },
        format: { type: 'string', short: 'f' },
        'as-of': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  const v = parsed.values;
  if (v.help === true) {
    io.stdout(EXPLAIN_USAGE);
    return EXIT_OK;
  }
  if (parsed.positionals.length !== 1) {
    return usageError(io, parsed.positionals.length === 0 ? 'explain needs a FILE' : `explain takes one FILE, got ${parsed.positionals.length}`);
  }
  const missing = (['user', 'action', 'resource'] as const).filter((k) => v[k] === undefined);
  if (missing.length > 0) return usageError(io, `missing ${missing.map((k) => `--${k}`).join(', ')}`);
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json') return usageError(io, `unknown format ${quoteText(format)}; expected text or json`);
  const asOf = v['as-of'];
  if (asOf !== undefined && instantMillis(asOf) === undefined) {
    return usageError(io, `--as-of ${quoteText(asOf)} is not an instant; write an RFC 3339 date-time such as 2026-12-31T17:00:00Z or 2026-12-31T18:00:00+01:00`);
  }
  const path = parsed.positionals[0] as string;
  let out: string;
  try {
    const file = explainableFile(withResources(readTestDocument(path), path, v.resources), path);
    out = explainOnFile(file, { user: v.user as string, action: v.action as string, resource: v.resource as string, format, ...(asOf === undefined ? {} : { asOf }) });
  } catch (e) {
    if (e instanceof TestFileError || e instanceof ExplainError) {
      io.stderr(`purview: ${displayText(e.message)}\n`);
      return EXIT_FAILED;
    }
    throw e;
  }
  io.stdout(`${out}\n`);
  return EXIT_OK;
}
