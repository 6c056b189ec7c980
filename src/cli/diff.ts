import { parseArgs } from 'node:util';
import { streamAccessDiff } from '../diff/access-diff.js';
import { DEFAULT_DIFF_LIMIT, type AccessChange, type AccessDiffStream, type AccessDiffSummary, type DiffDenial, type StructuralChanges } from '../diff/types.js';
import type { Reason } from '../decide/decision.js';
import { createEngine } from '../engine/create-engine.js';
import type { Engine } from '../engine/types.js';
import { PurviewError } from '../errors/errors.js';
import { instantMillis } from '../model/instant.js';
import type { Policy } from '../model/policy.js';
import type { Resource } from '../model/resource.js';
import { displayText, jsonText, nameText, quoteText } from '../render/escape.js';
import { explainableFile } from './explain.js';
import type { CliIO } from './io.js';
import { linkParents } from './link-parents.js';
import { TestFileError, readResourcesDocument, readTestDocument } from './test-file.js';

/*
 * `purview diff OLD NEW [--resources FILE] [--format text|json] [--fail-on gain|loss|any]
 * [--as-of INSTANT] [--limit N]`: the access that changes between two versions of a policy, on
 * the records of a resources file (or of NEW's or OLD's test file). The diff itself is
 * `accessDiff` (src/diff); this module reads the files and the arguments and renders the answer.
 */

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

export const DIFF_USAGE = `Usage: purview diff OLD NEW [--resources FILE] [--format text|json] [--fail-on gain|loss|any]
                    [--as-of INSTANT] [--limit N]

Shows the access that changes between two versions of a policy: for every resource, every action
of its type and every user of either policy, each decision that flips (allow to deny or deny to
allow) with the reasons before and after; then the structural changes (users and groups added
and removed, memberships gained and lost, groups nested elsewhere) and the summary line
"N decisions changed: G gained, L lost". OLD and NEW are policy test files (YAML or JSON; their
"policy" is compared) or bare policy files. The resources are those of --resources FILE (a list
of resources, or a file with a "resources" list such as a test file), else NEW's, else OLD's.

Options:
  -r, --resources FILE  the resources to compare decisions on
  -f, --format FORMAT   text (the default) or json: one object with "changes" (each with user,
                        action, resource, type, before, after, reasonsBefore, reasonsAfter),
                        "structural" and "summary"
      --fail-on WHAT    exit 1 when an access was gained (gain), lost (loss) or either (any)
      --as-of INSTANT   decide both versions at this instant, e.g. 2026-12-31T17:00:00Z (RFC 3339);
                        else at NEW's (or OLD's) top-level asOf, else now
      --limit N         the most decisions to compare (default ${DEFAULT_DIFF_LIMIT})
  -h, --help            show this help

Exit status: 0 when the diff was written (and --fail-on did not match), 1 when --fail-on matched
or a file cannot be read, a policy does not load, or the diff is larger than --limit; 2 on a
usage error.
`;

type FailOn = 'gain' | 'loss' | 'any';

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const hasKey = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** One side as read from its file: the policy, its resources and its top-level asOf, when a test file. */
interface Version {
  readonly file: string;
  readonly policy: Record<string, unknown>;
  /** The raw `resources` list, when the file is a test file with one. */
  readonly resources?: unknown;
  readonly asOf?: string;
}

function readVersion(path: string): Version {
  const data = readTestDocument(path);
  if (!isMapping(data)) throw new TestFileError(path, 'expected a mapping: a policy test file, or a policy');
  if (!hasKey(data, 'policy')) return { file: path, policy: data };
  const policy = data.policy;
  if (!isMapping(policy)) throw new TestFileError(path, 'policy: expected a mapping');
  const asOf = hasKey(data, 'asOf') && typeof data.asOf === 'string' ? data.asOf : undefined;
  return {
    file: path,
    policy,
    ...(hasKey(data, 'resources') && data.resources !== null ? { resources: data.resources } : {}),
    ...(asOf === undefined ? {} : { asOf }),
  };
}

/** A resources list (each checked as a test file's resources are, parents linked by id). Throws `TestFileError`. */
function readResources(list: unknown, file: string): Resource[] {
  const validated = explainableFile({ policy: {}, resources: list }, file);
  try {
    return [...linkParents(validated.resources).values()];
  } catch (e) {
    throw new TestFileError(file, (e as Error).message);
  }
}

function resourcesFile(path: string): Resource[] {
  return readResources(readResourcesDocument(path), path);
}

class DiffError extends Error {
  override readonly name = 'DiffError';
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function load(v: Version): Engine {
  try {
    return createEngine({ policy: v.policy as never });
  } catch (e) {
    throw new DiffError(`${v.file}: the policy does not load: ${errorText(e)}`);
  }
}

/** A reason in a few words: its source, the rule or access group, and its level. */
function reasonText(r: Reason): string {
  let out = r.source;
  if (r.rule !== undefined) out += ` ${quoteText(r.rule)}`;
  if (r.accessGroup !== undefined) out += ` ${quoteText(r.accessGroup)}`;
  if (r.parent !== undefined) out += ` ${nameText(r.parent.type)} ${quoteText(r.parent.id)}`;
  return `${out} ${r.level}`;
}

function sideText(verdict: 'allow' | 'deny', reasons: readonly Reason[], denial: DiffDenial | undefined): string {
  if (verdict === 'deny') return `deny (${denial ?? 'record-access'})`;
  return reasons.length === 0 ? 'allow' : `allow (${reasons.map(reasonText).join(', ')})`;
}

/** One changed decision on one line: `+ user "u1" edit lead "l1": deny (record-access) -> allow (sharing-rule "r1" readWrite)`. */
export function changeLine(c: AccessChange): string {
  const sign = c.after === 'allow' ? '+' : '-';
  return `${sign} user ${quoteText(c.user)} ${nameText(c.action)} ${nameText(c.type)} ${quoteText(c.resource)}: ${sideText(c.before, c.reasonsBefore, c.denialBefore)} -> ${sideText(c.after, c.reasonsAfter, c.denialAfter)}`;
}

const ids = (list: readonly string[]): string => list.map(quoteText).join(', ');

/** The summary line: `N decisions changed: G gained, L lost`. */
export function summaryLine(summary: AccessDiffSummary): string {
  const n = summary.changed;
  return `${n} ${n === 1 ? 'decision' : 'decisions'} changed: ${summary.gained} gained, ${summary.lost} lost`;
}

/** The lines of the structural part of the text report. */
function structureLines(s: StructuralChanges): string[] {
  const structural: string[] = [];
  if (s.usersAdded.length > 0) structural.push(`users added: ${ids(s.usersAdded)}`);
  if (s.usersRemoved.length > 0) structural.push(`users removed: ${ids(s.usersRemoved)}`);
  if (s.groupsAdded.length > 0) structural.push(`groups added: ${ids(s.groupsAdded)}`);
  if (s.groupsRemoved.length > 0) structural.push(`groups removed: ${ids(s.groupsRemoved)}`);
  for (const m of s.memberships) {
    const parts = [...(m.gained.length > 0 ? [`joins ${ids(m.gained)}`] : []), ...(m.lost.length > 0 ? [`leaves ${ids(m.lost)}`] : [])];
    structural.push(`user ${quoteText(m.user)} ${parts.join('; ')}`);
  }
  for (const g of s.groupsMoved) {
    const parts = [...(g.joined.length > 0 ? [`now nested in ${ids(g.joined)}`] : []), ...(g.left.length > 0 ? [`no longer nested in ${ids(g.left)}`] : [])];
    structural.push(`group ${quoteText(g.group)} ${parts.join('; ')}`);
  }
  return [structural.length === 0 ? 'structure: unchanged' : 'structure:', ...structural.map((l) => `  ${l}`)];
}

/** Writes to the CLI's stdout in chunks of about 64 KB, so that a long report is neither one huge string nor a write per line. */
class ChunkedOutput {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly io: CliIO) {}
  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 65_536) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    this.io.stdout(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

/** JSON of `value` laid out as a member `depth` levels deep in `jsonText`'s layout (two spaces a level). */
const nested = (value: unknown, depth: number): string => jsonText(value).replace(/\n/g, `\n${'  '.repeat(depth)}`);

/**
 * Writes the diff as it is made, each change as it comes (never all of them in memory): for people,
 * each change on one line, the structural changes and the summary line; for tools, one JSON
 * object `{ asOf, changes, structural, summary }` laid out as `jsonText` lays out the whole
 * `AccessDiff`. Returns the summary.
 */
export function writeDiff(io: CliIO, diff: AccessDiffStream, format: 'text' | 'json', oldFile: string, newFile: string): AccessDiffSummary {
  const out = new ChunkedOutput(io);
  const it = diff.changes();
  let summary: AccessDiffSummary;
  let any = false;
  if (format === 'json') {
    out.write(`{\n  "asOf": ${jsonText(diff.asOf)},\n  "changes": [`);
    for (let r = it.next(); ; r = it.next()) {
      if (r.done === true) {
        summary = r.value;
        break;
      }
      out.write(`${any ? ',' : ''}\n    ${nested(r.value, 2)}`);
      any = true;
    }
    out.write(`${any ? '\n  ' : ''}],\n  "structural": ${nested(diff.structural, 1)},\n  "summary": ${nested(summary, 1)}\n}\n`);
  } else {
    out.write(`access from ${displayText(oldFile)} to ${displayText(newFile)}, as of ${displayText(diff.asOf)}:\n`);
    for (let r = it.next(); ; r = it.next()) {
      if (r.done === true) {
        summary = r.value;
        break;
      }
      out.write(`  ${changeLine(r.value)}\n`);
      any = true;
    }
    if (!any) out.write('  no decision changes\n');
    out.write(`${[...structureLines(diff.structural), summaryLine(summary)].join('\n')}\n`);
  }
  out.flush();
  return summary;
}

function failed(summary: AccessDiffSummary, on: FailOn | undefined): boolean {
  if (on === undefined) return false;
  if (on === 'gain') return summary.gained > 0;
  if (on === 'loss') return summary.lost > 0;
  return summary.changed > 0;
}

function usageError(io: CliIO, message: string): number {
  io.stderr(`purview diff: ${displayText(message)}\n\n${DIFF_USAGE}`);
  return EXIT_USAGE;
}

/** `purview diff ...`: parses `argv` (the arguments after `diff`), writes the diff, returns the exit code. */
export function runDiff(argv: readonly string[], io: CliIO): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        resources: { type: 'string', short: 'r' },
        format: { type: 'string', short: 'f' },
        'fail-on': { type: 'string' },
        'as-of': { type: 'string' },
        limit: { type: 'string' },
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
    io.stdout(DIFF_USAGE);
    return EXIT_OK;
  }
  if (parsed.positionals.length !== 2) {
    return usageError(io, `diff needs two files, OLD and NEW; got ${parsed.positionals.length}`);
  }
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json') return usageError(io, `unknown format ${quoteText(format)}; expected text or json`);
  const failOn = v['fail-on'];
  if (failOn !== undefined && failOn !== 'gain' && failOn !== 'loss' && failOn !== 'any') {
    return usageError(io, `unknown --fail-on ${quoteText(failOn)}; expected gain, loss or any`);
  }
  const asOfArg = v['as-of'];
  if (asOfArg !== undefined && instantMillis(asOfArg) === undefined) {
    return usageError(io, `--as-of ${quoteText(asOfArg)} is not an instant; write an RFC 3339 date-time such as 2026-12-31T17:00:00Z or 2026-12-31T18:00:00+01:00`);
  }
  let limit = DEFAULT_DIFF_LIMIT;
  if (v.limit !== undefined) {
    if (!/^[0-9]{1,15}$/.test(v.limit)) return usageError(io, `--limit ${quoteText(v.limit)} is not a number; write a whole number such as --limit 5000000`);
    limit = Number(v.limit);
  }
  const [oldPath, newPath] = parsed.positionals as [string, string];
  let diff: AccessDiffStream;
  try {
    const before = readVersion(oldPath);
    const after = readVersion(newPath);
    const resources =
      v.resources !== undefined
        ? resourcesFile(v.resources)
        : after.resources !== undefined
          ? readResources(after.resources, newPath)
          : before.resources !== undefined
            ? readResources(before.resources, oldPath)
            : undefined;
    if (resources === undefined) throw new DiffError('no resources to compare: pass --resources FILE, or give OLD or NEW as a test file with "resources"');
    const oldPolicy: Policy = load(before).policy;
    const newPolicy: Policy = load(after).policy;
    const asOf = asOfArg ?? after.asOf ?? before.asOf;
    try {
      diff = streamAccessDiff(oldPolicy, newPolicy, resources, { limit, ...(asOf === undefined ? {} : { asOf }) });
    } catch (e) {
      if (e instanceof PurviewError) throw new DiffError(errorText(e));
      throw e;
    }
  } catch (e) {
    if (e instanceof TestFileError || e instanceof DiffError) {
      io.stderr(`purview: ${displayText(e.message)}\n`);
      return EXIT_FAILED;
    }
    throw e;
  }
  let summary: AccessDiffSummary;
  try {
    summary = writeDiff(io, diff, format, oldPath, newPath);
  } catch (e) {
    // Records are checked before the first change is written; this is for what cannot be foreseen.
    if (!(e instanceof PurviewError)) throw e;
    io.stderr(`purview: ${displayText(errorText(e))}\n`);
    return EXIT_FAILED;
  }
  return failed(summary, failOn) ? EXIT_FAILED : EXIT_OK;
}
