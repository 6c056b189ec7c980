import { grantsOf, membershipOf } from '../compile/closure.js';
import type { Compiled, Grants } from '../compile/snapshot.js';
import type { Subject } from './sources/source.js';

/** The subject's sharing-rule and access-group grants, cached on its facts (computed on first use). */
export function subjectGrants(c: Compiled, s: Subject): Grants {
  return grantsOf(c, s, membershipOf(c, s));
}
