/**
 * The guard every resolver goes through. Root fields (Query, Mutation, Subscription) declare the
 * role they need with `@RequireRole(...)`; a global middleware checks it before the resolver runs.
 * A root field that declares nothing is refused (and a test walks the schema to catch it), so
 * forgetting the guard fails closed. Scope-tag visibility is applied by services through
 * `ctx.scope` (see access-scope.ts).
 */
import type { GraphQLField } from 'graphql';
import { Extensions, type MiddlewareFn } from 'type-graphql';
import type { RequestContext } from '../context';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { Role, roleSatisfies } from './role';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);
export const REQUIRED_ROLE_EXTENSION = 'requiredRole';

export function RequireRole(role: Role): MethodDecorator & PropertyDecorator {
  return Extensions({ [REQUIRED_ROLE_EXTENSION]: role });
}

export function requiredRoleOf(field: GraphQLField<unknown, unknown>): Role | undefined {
  return field.extensions?.[REQUIRED_ROLE_EXTENSION] as Role | undefined;
}

export function assertRole(ctx: Pick<RequestContext, 'principal'>, required: Role): void {
  if (!ctx.principal) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'An API key is required');
  if (!roleSatisfies(ctx.principal.role, required)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `This operation needs the ${required} role; this API key has ${ctx.principal.role}`);
  }
}

export const authGuard: MiddlewareFn<RequestContext> = async ({ context, info }, next) => {
  if (ROOT_TYPES.has(info.parentType.name)) {
    const field = info.parentType.getFields()[info.fieldName];
    const required = requiredRoleOf(field);
    if (!required) throw new Error(`${info.parentType.name}.${info.fieldName} declares no required role (@RequireRole)`);
    assertRole(context, required);
  }
  return next();
};
