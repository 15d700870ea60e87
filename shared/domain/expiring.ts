/**
 * Authorizations nearing their expiry (Affirm: 30 days): what is still capturable, by when, so
 * that someone captures it (or tells the customer) before the money is lost.
 */

import { type Caller, canSeeLocation } from './caller.ts';
import { isPast, type Order } from './order.ts';
import type { OrderRepository, SweepRepository } from './ports.ts';

export const MAX_WITHIN_DAYS = 60;

/**
 * The caller's orders whose authorization expires within `withinDays` and still holds money to
 * capture: not expired yet, not voided, not fully captured. Soonest first.
 */
export async function expiringAuthorizations(
  deps: { orders: OrderRepository; sweeps: SweepRepository },
  caller: Caller,
  withinDays: number,
  now: Date,
): Promise<Order[]> {
  const until = new Date(now.getTime() + withinDays * 86_400_000);
  const ids = await deps.sweeps.authorizationsExpiringBy(until);
  const orders = await Promise.all(ids.map((id) => deps.orders.get(id)));
  return orders
    .filter((order): order is Order => order !== undefined && canSeeLocation(caller, order.location))
    .filter(
      (order) =>
        order.authorizationExpiresAt !== undefined &&
        !isPast(order.authorizationExpiresAt, now) &&
        !order.voidedAt &&
        order.capturedAmount < order.authorizedAmount,
    )
    .sort((a, b) => String(a.authorizationExpiresAt).localeCompare(String(b.authorizationExpiresAt)));
}
