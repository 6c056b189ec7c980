/** A user's status: an inactive user is denied everything but keeps its memberships. */
export type UserStatus = 'active' | 'inactive';

/** An organization-wide default for a resource type. */
export type OrgDefault = 'private' | 'publicRead' | 'publicReadWrite' | 'publicFull';
