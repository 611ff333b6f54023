// Who is signed in: the key's role and scope, and what that role may do.
import { createContext, useContext } from 'react';
import type { ViewerQuery } from './gql/graphql';

export type Viewer = ViewerQuery['viewer'];
export type Role = Viewer['role'];

const RANK: Record<Role, number> = { READER: 0, OPERATOR: 1, ADMIN: 2 };

export const ViewerContext = createContext<Viewer | null>(null);

export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error('useViewer outside a signed-in console');
  return viewer;
}

/** Whether the signed-in role is at least `role` (the API's own rule: ADMIN > OPERATOR > READER). */
export function useCan(role: Role): boolean {
  return RANK[useViewer().role] >= RANK[role];
}
