import { registerEnumType } from 'type-graphql';

/** What an API key may do; each role includes the ones before it. */
export enum Role {
  READER = 'READER',
  OPERATOR = 'OPERATOR',
  ADMIN = 'ADMIN',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'READER: queries and subscriptions; OPERATOR: + sync, assign, profiles; ADMIN: + tokens, VPP, keys, scope tags',
});

const RANK: Record<Role, number> = { [Role.READER]: 1, [Role.OPERATOR]: 2, [Role.ADMIN]: 3 };

export function roleSatisfies(held: Role, required: Role): boolean {
  return RANK[held] >= RANK[required];
}
