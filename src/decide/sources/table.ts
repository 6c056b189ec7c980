import type { TypeNode } from '../../compile/snapshot.js';
import { accessGroupSource } from './access-group.js';
import { defaultSource } from './default.js';
import { groupOwnerSource } from './group-owner.js';
import { hierarchySource } from './hierarchy.js';
import { ownerSource } from './owner.js';
import { parentSource } from './parent.js';
import { recordShareSource } from './record-share.js';
import { sharingRuleSource } from './sharing-rule.js';
import type { AccessSource } from './source.js';

/**
 * The sources of a record's own access, in the order `can` tries them (cheapest first) and `check`
 * lists reasons of equal level: every source but `parent`.
 */
export const OWN_SOURCES: readonly AccessSource[] = Object.freeze([defaultSource, ownerSource, hierarchySource, groupOwnerSource, sharingRuleSource, accessGroupSource, recordShareSource]);

/** The source of a record of a controlled type: its parent's access, decided by the own sources on the top of its chain. */
export const PARENT_SOURCE: AccessSource = parentSource(OWN_SOURCES);

const CONTROLLED_SOURCES: readonly AccessSource[] = Object.freeze([PARENT_SOURCE]);

/** Every source of record-level access. Every query reads this one table, through {@link sourcesOf}. */
export const SOURCES: readonly AccessSource[] = Object.freeze([...OWN_SOURCES, PARENT_SOURCE]);

/**
 * The sources that decide a record of `type`: the own sources, or for a controlled type only
 * `parent` (so that no own source can give a controlled record anything).
 */
export function sourcesOf(type: TypeNode): readonly AccessSource[] {
  return type.controlledBy === undefined ? OWN_SOURCES : CONTROLLED_SOURCES;
}
