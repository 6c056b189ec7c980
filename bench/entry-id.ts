/** The id of a member entry (an id, or `{ id, since?, until? }`), for the baselines: they model no time. */
export function entryIdOf(e: string | { readonly id: string }): string {
  return typeof e === 'string' ? e : e.id;
}
