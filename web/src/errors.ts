// GraphQL errors as the console shows them: the message, and the fields a refusal concerns.
import type { CombinedError } from 'urql';

export interface Violation {
  field: string;
  message: string;
}

export function errorMessage(error: CombinedError | undefined): string | null {
  if (!error) return null;
  if (error.networkError) return `The server could not be reached: ${error.networkError.message}`;
  return error.graphQLErrors.map((e) => e.message).join('; ') || error.message;
}

export function errorCode(error: CombinedError | undefined): string | undefined {
  return error?.graphQLErrors[0]?.extensions?.code as string | undefined;
}

/** extensions.violations of a refusal: [{ field, message }], the field a dotted path of the input. */
export function violations(error: CombinedError | undefined): Violation[] {
  const list = error?.graphQLErrors.flatMap((e) => (Array.isArray(e.extensions?.violations) ? (e.extensions.violations as Violation[]) : [])) ?? [];
  return list.filter((v) => v && typeof v.field === 'string');
}

/**
 * The refusal as fields: extensions.violations when there are some, else the one field a refusal
 * names in extensions.field (badInput, most Apple Business refusals) with the error's message.
 */
export function fieldViolations(error: CombinedError | undefined): Violation[] {
  const list = violations(error);
  if (list.length) return list;
  return (error?.graphQLErrors ?? []).flatMap((e) => (typeof e.extensions?.field === 'string' ? [{ field: e.extensions.field, message: e.message }] : []));
}

/** The messages of the violations on any of these fields, as one string; undefined when there is none. */
export function fieldMessage(list: readonly Violation[], ...fields: string[]): string | undefined {
  return list.filter((v) => fields.includes(v.field)).map((v) => v.message).join(' ') || undefined;
}
