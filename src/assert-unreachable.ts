/**
 * The `default:` of an exhaustive switch. `value` is `never` when every case is handled, so adding a
 * member to the union (a new Apple error kind, say) fails the type check here until it is mapped;
 * at run time a value from outside the union (bad data) still fails loudly instead of falling through.
 */
export function assertUnreachable(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${String(value)}`);
}
