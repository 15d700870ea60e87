/**
 * Which store location owns a new order, whatever its provider. A location key's own location
 * decides: it may repeat it in `metadata.storeLocation` but not name another store, or a Denver
 * key could book sales as Boston's. An admin key chooses (`admin` when it names none).
 */

import { type FieldError, ValidationError } from '../errors.ts';
import type { Caller } from './caller.ts';

export function orderLocation(
  caller: Caller,
  storeLocation: string | undefined,
): { value: string; error?: FieldError } {
  if (caller.role === 'admin') return { value: storeLocation ?? 'admin' };
  if (storeLocation === undefined || storeLocation === caller.location) return { value: caller.location };
  return {
    value: caller.location,
    error: {
      path: 'metadata.storeLocation',
      message: `must be this API key's location (${caller.location}) or be omitted`,
    },
  };
}

/** The order ids of storefront checkouts (Snipcart: `snip-<sessionId>`), opened only by the storefront. */
export const STOREFRONT_ORDER_PREFIX = 'snip-';

/**
 * A caller may not take an order id reserved for a storefront's checkout: a key that created
 * `snip-<sessionId>` first would block that cart's payment for good.
 */
export function requireOwnOrderId(orderId: string, storefront = false): void {
  if (storefront || !orderId.startsWith(STOREFRONT_ORDER_PREFIX)) return;
  throw new ValidationError('The request body is not valid.', [
    {
      path: 'orderId',
      message: `ids starting with ${STOREFRONT_ORDER_PREFIX} are reserved for storefront checkouts`,
    },
  ]);
}
