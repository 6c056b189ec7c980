import { parseArgs } from 'node:util';
import { displayText, quoteText } from '../render/escape.js';
import { policyGraph } from '../render/policy-graph.js';
import type { CliIO } from './io.js';
import { TestFileError, readTestDocument } from './test-file.js';

/*
 * `purview graph FILE [--format mermaid|dot] [--users]`: draws a policy so that it can be looked
 * at rather than read. FILE is a policy test file (its `policy` is drawn) or a bare policy file.
 * The policy is NOT validated first: a policy with a group cycle is exactly the one worth drawing.
 * The drawing itself is `policyGraph` (src/render); this module reads the file and the arguments.
 */

/** The CLI's exit codes (as in cli.ts): 0 done, 1 the file could not be drawn, 2 a usage error. */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

export const GRAPH_USAGE = `Usage: purview graph FILE [--format mermaid|dot] [--users]

Draws the role tree and the group nesting of a policy as a Mermaid flowchart or a Graphviz DOT
digraph. FILE is a policy test file (YAML or JSON; its "policy" is drawn) or a bare policy file.
The policy is not validated: group-nesting and role-parent cycles are drawn in red, groups that
no user reaches are dashed, and ids referenced but not defined are marked; a summary of all
three opens the output as comments. Arrows point from a member to the group that contains it,
and from a role to its parent role.

Options:
  -f, --format FORMAT   mermaid (the default) or dot
      --users           also draw users, their group memberships and their roles
  -h, --help            show this help

Exit status: 0 when the graph was written, 1 when FILE cannot be read or holds no policy,
2 on a usage error.
`;


function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The policy in a parsed document: a test file's `policy`, or the document itself. Throws `TestFileError`. */
export function policyOfDocument(data: unknown, file: string): Record<string, unknown> {
  if (!isMapping(data)) throw new TestFileError(file, 'expected a mapping: a policy test file, or a policy');
  if (!Object.prototype.hasOwnProperty.call(data, 'policy')) return data;
  const policy = data.policy;
  if (!isMapping(policy)) throw new TestFileError(file, 'policy: expected a mapping');
  return policy;
}

/** The graph of the policy in a parsed document, as text. */
export function graphOfDocument(data: unknown, file: string, options: { format: 'mermaid' | 'dot'; users: boolean }): string {
  return policyGraph(policyOfDocument(data, file), options);
}

function usageError(io: CliIO, message: string): number {
  io.stderr(`purview graph: ${displayText(message)}\n\n${GRAPH_USAGE}`);
  return EXIT_USAGE;
}

/** `purview graph ...`: parses `argv` (the arguments after `graph`), writes the graph, returns the exit code. */
export function runGraph(argv: readonly string[], io: CliIO): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        format: { type: 'string', short: 'f' },
        users: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  if (parsed.values.help === true) {
    io.stdout(GRAPH_USAGE);
    return EXIT_OK;
  }
  const format = parsed.values.format ?? 'mermaid';
  if (format !== 'mermaid' && format !== 'dot') return usageError(io, `unknown format ${quoteText(format)}; expected mermaid or dot`);
  if (parsed.positionals.length !== 1) {
    return usageError(io, parsed.positionals.length === 0 ? 'graph needs a FILE' : `graph takes one FILE, got ${parsed.positionals.length}`);
  }
  const file = parsed.positionals[0] as string;
  let text: string;
  try {
    text = graphOfDocument(readTestDocument(file), file, { format, users: parsed.values.users === true });
  } catch (e) {
    io.stderr(`purview: ${displayText(e instanceof TestFileError ? e.message : `${file}: ${(e as Error).message}`)}\n`);
    return EXIT_FAILED;
  }
  io.stdout(text);
  return EXIT_OK;
}
