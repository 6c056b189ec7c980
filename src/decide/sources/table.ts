import { accessGroupSource } from './access-group.js';
import { defaultSource } from './default.js';
import { groupOwnerSource } from './group-owner.js';
import { hierarchySource } from './hierarchy.js';
import { ownerSource } from './owner.js';
import { recordShareSource } from './record-share.js';
import { sharingRuleSource } from './sharing-rule.js';
import type { AccessSource } from './source.js';

/**
 * The sources of record-level access, in the order `can` tries them (cheapest first) and `check`
 * lists reasons of equal level. Every query reads this one table.
 */
export const SOURCES: readonly AccessSource[] = Object.freeze([defaultSource, ownerSource, hierarchySource, groupOwnerSource, sharingRuleSource, accessGroupSource, recordShareSource]);
