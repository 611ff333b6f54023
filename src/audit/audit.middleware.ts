/**
 * Records every Mutation root field once it has run, on HTTP and WebSocket alike (type-graphql
 * middlewares run inside graphql-js execution, which both transports share): SUCCEEDED, or FAILED
 * with the `extensions.code` the client is shown (a masked error is INTERNAL_SERVER_ERROR). It is
 * the outermost middleware, so a role refusal (FORBIDDEN) is recorded too.
 *
 * Requests refused before execution (malformed, over the cost or list limits, no valid key) run no
 * field and are not recorded here; the request log has them.
 */
import { GraphQLError } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import type { RequestContext } from '../context';
import { toClientError } from '../graphql/error-masking';
import { inputTargetIds, payloadTargetIds } from './audit-targets';
import type { MutationAudit } from './audit.service';

/** The code a client sees for this error (nothing is logged here; the transport logs it). */
function clientCode(error: unknown): string {
  const graphQLError = error instanceof GraphQLError ? error : new GraphQLError(String((error as Error)?.message ?? error), { originalError: error as Error });
  return String(toClientError(graphQLError, '').extensions?.code ?? 'INTERNAL_SERVER_ERROR');
}

export const auditMutations: MiddlewareFn<RequestContext> = async ({ context, info, args }, next) => {
  if (info.parentType.name !== 'Mutation') return next();
  const audit = context.services.audit;
  const inputIds = inputTargetIds(args);
  // A deletion removes what links its target to a token: read the tags first.
  const scopeTagIdsBefore = await audit.scopeTagsOf(inputIds);
  const record = (outcome: MutationAudit['outcome'], errorCode: string | null, payloadIds: string[]) =>
    audit
      .recordMutation({
        principal: context.principal,
        operation: info.fieldName,
        targetIds: [...new Set([...inputIds, ...payloadIds])],
        scopeTagIdsBefore,
        outcome,
        errorCode,
        requestId: context.requestId,
        clientAddress: context.clientAddress ?? null,
        transport: context.transport ?? 'HTTP',
      })
      // The mutation has happened: a trail that cannot be written is logged loudly, not turned
      // into a failure the client would retry.
      .catch((err: Error) => context.logger.error({ err: { message: err.message }, operation: info.fieldName }, 'audit event could not be recorded'));
  try {
    const result = await next();
    await record('SUCCEEDED', null, payloadTargetIds(result));
    return result;
  } catch (error) {
    await record('FAILED', clientCode(error), []);
    throw error;
  }
};
