/**
 * The most links a chain of parent-controlled types may have (`controlledBy` from a type to the
 * type that controls it, and so on): a policy with a longer chain is refused when it is written,
 * so that reading a record's parents, deciding on them and building a filter over them is bounded.
 */
export const MAX_PARENT_CHAIN = 16;
