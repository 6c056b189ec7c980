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
  'record-share': 'record share',
};

function own<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Renders a membership path as `user "u1" → member of group "team-a" → member of group "sales"`. */
export function formatPath(path: MembershipPath): string {
  return path
    .map((s) => {
      if (s.kind === 'user') return opt(s, 'via') === 'owned-by' ? `owned by user ${quote(s.id)}` : `user ${quote(s.id)}`;
      if (s.kind === 'group') return `member of group ${quote(s.id)}`;
      if (s.via === 'has-role') return `has role ${quote(s.id)}`;
      if (s.via === 'under') return `under role ${quote(s.id)}`;
      return `superior of role ${quote(s.id)}`;
    })
    .join(' → ');
}

function reasonLine(r: Reason): string {
  let head = own(SOURCES, r.source) ?? `source ${nameText(String(r.source))}`;
  const rule = opt(r, 'rule');
  const accessGroup = opt(r, 'accessGroup');
  const ownerPath = opt(r, 'ownerPath');
  if (rule !== undefined) head += ` ${quote(rule)}`;
  if (accessGroup !== undefined) head += ` ${quote(accessGroup)} (${opt(r, 'via') === 'segment' ? 'segment matches' : 'listed on the record'})`;
  const share = opt(r, 'share');
  if (typeof share === 'number') head += ` #${String(share)} on the record`;
  const until = opt(r, 'until');
  if (until !== undefined) head += `, until ${quote(String(until))}`;
  const lines = [`- ${nameText(r.level)}: ${head}`, `    ${formatPath(r.path)}`];
  if (ownerPath !== undefined && ownerPath.length > 0) lines.push(`    owner: ${formatPath(ownerPath)}`);
  return lines.join('\n');
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
    const shown = Math.min(d.reasons.length, MAX_REASONS);
    for (let i = 0; i < shown; i++) lines.push(reasonLine(d.reasons[i] as Reason));
    if (d.reasons.length > shown) lines.push(`- ... and ${d.reasons.length - shown} more reasons (every one is in check().reasons)`);
  } else if (denial === undefined || denial === 'record-access') {
    lines.push('reasons: none');
  }
  return lines.join('\n');
}
