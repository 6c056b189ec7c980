import type { Policy } from '../model/policy.js';
import type { ChangeRecord } from '../ports/change-record.js';

/** A change computed and validated but not yet installed. */
export interface PreparedChange {
  /** The revision the change was computed on. */
  readonly base: number;
  readonly revision: number;
  readonly policy: Policy;
  /** The change as the change log keeps it. */
  readonly record: ChangeRecord;
  /** Makes the change current; returns its revision. Throws if another change landed since. */
  install(): number;
}
