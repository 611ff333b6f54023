/**
 * `orderBy: {field, direction}` on connections: the shared direction enum, the input type each
 * list declares for its own field enum, and the step from a client's choice to a keyset order.
 * Every order ends with the id, so ties are broken by it and pages never overlap.
 */
import { Field, InputType, registerEnumType } from 'type-graphql';
import type { KeysetColumn, KeysetOrder } from './keyset';

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(OrderDirection, {
  name: 'OrderDirection',
  valuesConfig: {
    ASC: { description: 'Smallest (or oldest, or alphabetically first) first; rows without the value come first' },
    DESC: { description: 'Largest (or newest) first; rows without the value come last' },
  },
});

export interface OrderBy<F extends string> {
  field: F;
  direction: OrderDirection;
}

/** Declares the `<Name>Order` input type `{field: <Name>OrderField!, direction: OrderDirection! = ASC}`. */
export function OrderByInput<F extends string>(fieldEnum: object, name: string, description: string) {
  @InputType(`${name}Order`, { description })
  class Order implements OrderBy<F> {
    @Field(() => fieldEnum)
    field: F;

    @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
    direction: OrderDirection;
  }
  return Order;
}

/**
 * The keyset order for a client's `orderBy` (null: the list's default). `keyOf` gives each field's
 * unique key, ending with the id. The default order keeps unnamed cursors (see KeysetOrder.name).
 */
export function keysetOrder<E, F extends string>(
  orderBy: OrderBy<F> | null | undefined,
  fallback: OrderBy<F>,
  keyOf: (field: F) => readonly KeysetColumn<E>[],
): KeysetOrder<E> {
  const chosen = orderBy ?? fallback;
  const direction = chosen.direction ?? OrderDirection.ASC;
  const isDefault = chosen.field === fallback.field && direction === fallback.direction;
  return { name: isDefault ? null : `${chosen.field}:${direction}`, key: keyOf(chosen.field), descending: direction === OrderDirection.DESC };
}
