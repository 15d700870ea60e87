/**
 * The rules of a store/telesales checkout that the body schema cannot check on its own: the
 * store location a key may book, and items that must add up to the amount.
 */

import { type FieldError, ValidationError } from '../../errors.ts';
import { orderLocation } from '../store-location.ts';
import type { CreateStoreCheckoutCommand } from './checkout.ts';

/**
 * Checks what the body schema cannot see on its own, before anything is reserved or sent,
 * and returns the store location of the new checkout. Both rules live here rather than in
 * the request schema: the location rule needs the caller, and the amount rule is one the hub
 * keeps for every checkout it opens whatever the entry point. Running after the
 * Idempotency-Key check also keeps API.md's promise that a reused key with a different body
 * is 422 IDEMPOTENCY_KEY_REUSED, which a schema refinement (run first) would turn into a 400.
 */
export function checkedLocation(command: CreateStoreCheckoutCommand): string {
  // Affirm records the order's store location too.
  const location = orderLocation(command.caller, command.storeLocation);
  const errors = [...(location.error ? [location.error] : []), ...itemsTotalErrors(command)];
  if (errors.length > 0) throw new ValidationError('The request body is not valid.', errors);
  return location.value;
}

/**
 * When items are listed (even an empty list), their unitPrice x quantity plus taxAmount plus
 * shippingAmount must equal `amount`, or the customer would see one total and pay another.
 * Without items there is nothing to check. The sum is taken in BigInt: 500 items of
 * 10_000 x MAX_MINOR_AMOUNT reach 5e17, far past Number.MAX_SAFE_INTEGER, where a double
 * would round. The amounts themselves are integers (the body schema made sure).
 */
function itemsTotalErrors(command: CreateStoreCheckoutCommand): FieldError[] {
  if (!command.items) return [];
  const total =
    command.items.reduce((sum, item) => sum + BigInt(item.unitPrice) * BigInt(item.quantity), 0n) +
    BigInt(command.taxAmount ?? 0) +
    BigInt(command.shippingAmount ?? 0);
  if (total === BigInt(command.amount)) return [];
  return [
    {
      path: 'amount',
      message: `must equal the items (unitPrice x quantity) plus taxAmount plus shippingAmount, which add up to ${total}`,
    },
  ];
}
