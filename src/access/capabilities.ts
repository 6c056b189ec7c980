import { quote, type ErrorPath } from '../errors/errors.js';
import { TIERS, type AccessLevels, type Capability, type LevelRef, type Tier } from '../model/access-level.js';
import { fail } from '../model/shape.js';
import type { ActionTable } from './action-table.js';

/** A set of (type, action) slots: `set[slot.index] === 1` when allowed. */
export type CapSet = Uint8Array;

/** The slots a capability covers; throws when it names an undeclared type or action. */
export function expandCapability(table: ActionTable, cap: Capability, path: ErrorPath): number[] {
  if (cap === '*') return table.slots.map((s) => s.index);
  const colon = cap.indexOf(':');
  const type = cap.slice(0, colon);
  const action = cap.slice(colon + 1);
  if (type === '*') {
    const out = table.slots.filter((s) => s.action === action).map((s) => s.index);
    if (out.length === 0) fail(path, `capability ${quote(cap)}: no resource type declares action ${quote(action)}`);
    return out;
  }
  const actions = table.byType.get(type);
  if (actions === undefined) fail(path, `capability ${quote(cap)}: resource type ${quote(type)} is not declared`);
  if (action === '*') return [...actions.values()].map((s) => s.index);
  const slot = actions.get(action);
  if (slot === undefined) fail(path, `capability ${quote(cap)}: type ${quote(type)} has no action ${quote(action)}`);
  return [slot.index];
}

/** The set of slots a list of capabilities covers. */
export function capSetOf(table: ActionTable, caps: readonly Capability[], path: ErrorPath): CapSet {
  const set = new Uint8Array(table.slots.length);
  caps.forEach((c, i) => {
    for (const ix of expandCapability(table, c, [...path, i])) set[ix] = 1;
  });
  return set;
}

/** The compiled tiers: each tier's full set and its read-only twin, plus the default level's set. */
export interface CompiledLevels {
  readonly tiers: ReadonlyMap<Tier, CapSet>;
  readonly readOnly: ReadonlyMap<Tier, CapSet>;
}

/** Compiles the tiers: each is its own capabilities plus the tier below; `full` is `*` unless given. */
export function compileLevels(table: ActionTable, levels: AccessLevels): CompiledLevels {
  const tiers = new Map<Tier, CapSet>();
  const readOnly = new Map<Tier, CapSet>();
  let below = new Uint8Array(table.slots.length);
  for (let i = TIERS.length - 1; i >= 0; i--) {
    const tier = TIERS[i] as Tier;
    const given = levels[tier];
    const own =
      given === undefined
        ? tier === 'full'
          ? capSetOf(table, ['*'], ['accessLevels', tier])
          : new Uint8Array(table.slots.length)
        : capSetOf(table, given, ['accessLevels', tier]);
    const set = union(below, own);
    tiers.set(tier, set);
    readOnly.set(tier, readOnlyOf(table, set));
    below = set;
  }
  return { tiers, readOnly };
}

/** The read actions of a set. */
export function readOnlyOf(table: ActionTable, set: CapSet): CapSet {
  const out = new Uint8Array(set.length);
  for (const s of table.slots) if (set[s.index] === 1 && s.read) out[s.index] = 1;
  return out;
}

/** The union of two sets. */
export function union(a: CapSet, b: CapSet): CapSet {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) | (b[i] ?? 0);
  return out;
}

/** The intersection of two sets. */
export function intersect(a: CapSet, b: CapSet): CapSet {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) & (b[i] ?? 0);
  return out;
}

/** Whether every slot of `a` is in `b`. */
export function isSubset(a: CapSet, b: CapSet): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] === 1 && b[i] !== 1) return false;
  return true;
}

/** The set a level reference stands for. */
export function capSetOfRef(table: ActionTable, levels: CompiledLevels, ref: LevelRef, path: ErrorPath): CapSet {
  if (typeof ref === 'object') return capSetOf(table, ref.custom, [...path, 'custom']);
  if (typeof ref === 'number') {
    const tier = TIERS[ref % 5] as Tier;
    return (ref < 5 ? levels.tiers.get(tier) : levels.readOnly.get(tier)) as CapSet;
  }
  const twin = ref.endsWith(':readOnly');
  const tier = (twin ? ref.slice(0, -':readOnly'.length) : ref) as Tier;
  return (twin ? levels.readOnly.get(tier) : levels.tiers.get(tier)) as CapSet;
}
