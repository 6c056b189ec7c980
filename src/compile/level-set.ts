import { capSetOfRef, type CapSet } from '../access/capabilities.js';
import type { LevelRef } from '../model/access-level.js';
import type { Frame } from './snapshot.js';

/** The capability set of a level reference, or undefined without levels. */
export function levelSet(frame: Frame, ref: LevelRef | undefined): CapSet | undefined {
  if (ref === undefined || frame.levels === undefined) return undefined;
  return capSetOfRef(frame.table, frame.levels, ref, []);
}
