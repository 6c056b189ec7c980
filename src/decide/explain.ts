import { nameText, quoteText as quote } from '../text/one-line.js';
import type { Decision, DenialCode, MembershipPath, Reason } from './decision.js';

/** An optional field, own properties only: a decision may come from anywhere (JSON, another process). */
/** The most reasons the text shows. */
const MAX_REASONS = 50;

function opt<T, K extends keyof T>(o: T, key: K): T[K] | undefined {
  return Object.prototype.propertyIsEnumerable.call(o, key) ? o[key] : undefined;
}

const DENIALS: Readonly<Record<DenialCode, string>> = {
  'unknown-user': 'the user does not exist',
  'inactive-user': 'the user is inactive',
  tenant: "the resource's tenant is not one the user may act in",
  capability: "the user's access levels do not include this action on this type",
  ceiling: "the tenant's ceiling (or an ancestor's) does not allow this action",
  'record-access': 'no source grants enough access to this record',
};

const SOURCES: Readonly<Record<Reason['source'], string>> = {
  owner: 'owns the record',
  'group-owner': 'is a member of the group that owns the record',
  hierarchy: "is above the owner's role in the hierarchy",
  default: 'organization-wide default',
  'sharing-rule': 'sharing rule',
  'access-group': 'access group',
  parent: 'parent',
  'record-share': 'record share',
};

/** How deeply the text nests the reasons of parents (a decision from elsewhere may nest further). */
const MAX_PARENT_DEPTH = 20;

function own<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Renders a membership path as `user "u1" → member of group "team-a" → member of group "sales"`. */
export function formatPath(path: MembershipPath): string {
  return path
    .map((s) => {
      if (s.kind === 'user') return opt(s, 'via') === 'owned-by' ? `owned by user ${quote(s.id)}` : `user ${quote(s.id)}`;
      if (s.kind === 'group') {
        const until = opt(s, 'until');
        return until === undefined ? `member of group ${quote(s.id)}` : `member of group ${quote(s.id)} until ${nameText(String(until))}`;
      }
      if (s.via === 'has-role') return `has role ${quote(s.id)}`;
      if (s.via === 'under') return `under role ${quote(s.id)}`;
      return `superior of role ${quote(s.id)}`;
    })
    .join(' → ');
}

function reasonLine(r: Reason, indent: string): string {
  let head = own(SOURCES, r.source) ?? `source ${nameText(String(r.source))}`;
  const rule = opt(r, 'rule');
  const accessGroup = opt(r, 'accessGroup');
  const ownerPath = opt(r, 'ownerPath');
  const parent = opt(r, 'parent');
  if (rule !== undefined) head += ` ${quote(rule)}`;
  if (accessGroup !== undefined) head += ` ${quote(accessGroup)} (${opt(r, 'via') === 'segment' ? 'segment matches' : 'listed on the record'})`;
  if (parent !== undefined) head += ` ${nameText(String(parent.type))} ${quote(String(parent.id))} (the record has its parent's access)`;
  const share = opt(r, 'share');
  if (typeof share === 'number') head += ` #${String(share)} on the record`;
  const until = opt(r, 'until');
  if (until !== undefined) head += `, until ${nameText(String(until))}`;
  const lines = [`${indent}- ${nameText(r.level)}: ${head}`, `${indent}    ${formatPath(r.path)}`];
  if (ownerPath !== undefined && ownerPath.length > 0) lines.push(`${indent}    owner: ${formatPath(ownerPath)}`);
  return lines.join('\n');
}

/**
 * The lines of a list of reasons, a `parent` reason followed by its parent's reasons indented below
 * it. Iterative, at most `budget` reasons in all and MAX_PARENT_DEPTH levels deep; `shown` is how
 * many of the top-level reasons were rendered.
 */
function reasonLines(reasons: readonly Reason[], budget: number): { lines: string[]; shown: number } {
  // `shown` counts the top-level reasons rendered; nested ones count against the budget too.
  let used = 0;
  const lines: string[] = [];
  let shown = 0;
  const stack: { list: readonly Reason[]; i: number; depth: number }[] = [{ list: reasons, i: 0, depth: 0 }];
  while (stack.length > 0 && used < budget) {
    const top = stack[stack.length - 1] as { list: readonly Reason[]; i: number; depth: number };
    if (top.i >= top.list.length) {
      stack.pop();
      continue;
    }
    const r = top.list[top.i++] as Reason;
    const indent = '    '.repeat(top.depth);
    lines.push(reasonLine(r, indent));
    used++;
    if (top.depth === 0) shown++;
    const parent = opt(r, 'parent');
    const nested = parent === undefined ? undefined : opt(parent, 'reasons');
    if (nested !== undefined && Array.isArray(nested) && nested.length > 0) {
      if (top.depth + 1 >= MAX_PARENT_DEPTH) lines.push(`${indent}    ... (the parent's reasons nest deeper; every one is in check().reasons)`);
      else stack.push({ list: nested, i: 0, depth: top.depth + 1 });
    }
  }
  return { lines, shown };
}

/**
 * Renders a decision as readable text: the verdict, the level needed and reached, and each
 * reason as a tree with its membership path. Every id is quoted, and every other name from the
 * policy (action, type, level) is printed as it is only when plain, else quoted, with invisible
 * and line-breaking characters escaped (src/text/one-line.ts): so the number of lines is set by the
 * decision's structure, and no name can forge a line.
 * @example
 * ```ts
 * console.log(explainDecision(engine.check('u1', 'edit', lead)));
 * // ALLOW user "u1" edit lead "l1" in tenant "default" (needs readWrite, reached full; revision 0) ...
 * ```
 */
export function explainDecision(d: Decision): string {
  const verdict = d.allowed ? 'ALLOW' : 'DENY';
  const lines = [
    `${verdict} user ${quote(d.user)} ${nameText(d.action)} ${nameText(d.resource.type)} ${quote(d.resource.id)} in tenant ${quote(d.resource.tenant)} (needs ${nameText(d.required)}, reached ${nameText(d.level)}; revision ${String(d.revision)})`,
  ];
  const denial = opt(d, 'denial');
  if (denial !== undefined) lines.push(`denied: ${own(DENIALS, denial) ?? nameText(String(denial))}`);
  if (d.reasons.length > 0) {
    lines.push('reasons:');
    // A bounded text: thousands of rules over a deep chain would otherwise render millions of
    // steps. The decision itself keeps every reason.
    const { lines: rendered, shown } = reasonLines(d.reasons, MAX_REASONS);
    lines.push(...rendered);
    if (d.reasons.length > shown) lines.push(`- ... and ${d.reasons.length - shown} more reasons (every one is in check().reasons)`);
  } else if (denial === undefined || denial === 'record-access') {
    lines.push('reasons: none');
  }
  return lines.join('\n');
}
