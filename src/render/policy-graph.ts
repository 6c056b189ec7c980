import { InvalidInputError } from '../errors/errors.js';
import { renderDot } from './dot.js';
import { buildPolicyGraph } from './graph-model.js';
import { renderMermaid } from './mermaid.js';

/** Options of {@link policyGraph}. */
export interface PolicyGraphOptions {
  /** `mermaid` (the default) for a Mermaid flowchart, `dot` for Graphviz. */
  readonly format?: 'mermaid' | 'dot';
  /** Also draw users, with their group memberships and roles (default false: there can be many). */
  readonly users?: boolean;
}

/**
 * Draws a policy: the role tree and the group nesting (with the roles that groups list), and on
 * request the users, as Mermaid or DOT text. The policy is plain data, as in a policy file, or an
 * engine's `policy`; it is NOT validated, so that a policy the engine rejects can be looked at
 * too: group-nesting and role-parent cycles are drawn in red, groups that no user reaches (no
 * members after expansion) dashed grey, ids referenced but not defined dashed red. A summary of
 * all three opens the text as comments. Ids are escaped, whatever they hold.
 * @example
 * ```ts
 * import { policyGraph } from 'purview';
 * const text = policyGraph(policyInput, { format: 'mermaid' });
 * // %% purview policy graph: 2 roles, 2 groups
 * // ...
 * // flowchart BT
 * //   n0("ceo")
 * ```
 */
export function policyGraph(policy: unknown, input: PolicyGraphOptions = {}): string {
  // Own properties only: an inherited `format` or `users` must never count.
  const options = Object.setPrototypeOf({ ...input }, null) as PolicyGraphOptions;
  const format = options.format ?? 'mermaid';
  if (format !== 'mermaid' && format !== 'dot') {
    throw new InvalidInputError({ message: `unknown graph format ${JSON.stringify(String(format))}; expected "mermaid" or "dot"`, path: ['format'] });
  }
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
    throw new InvalidInputError({ message: 'expected a policy object (roles, groups, users, ...)', path: ['policy'] });
  }
  const graph = buildPolicyGraph(policy, { users: options.users === true });
  return format === 'dot' ? renderDot(graph) : renderMermaid(graph);
}
