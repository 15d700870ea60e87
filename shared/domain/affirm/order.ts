/**
 * An Affirm order as the Affirm use cases see it: the neutral order with `payment` holding
 * the checkout and the loan, and the few helpers that read or change them.
 */

import { NotFoundError } from '../../errors.ts';
import { isPast, type Order, type OrderChange } from '../order.ts';
import { updateOrder } from '../order-access.ts';
import type { OrderRepository, RidingWriteFor } from '../ports.ts';
import type { OrderStatus } from '../status.ts';
import type { AffirmCheckout } from './types.ts';

export type AffirmOrder = Order<'affirm'>;

/** Narrows an order reached through Affirm (its checkout id, an Affirm route): any other is not found there. */
export function asAffirm(order: Order): AffirmOrder {
  if (order.provider !== 'affirm') throw new NotFoundError('The Affirm order');
  return order;
}

export function isAuthorized(order: AffirmOrder): boolean {
  return order.payment.transactionId !== undefined;
}

/** The patch that changes the checkout's fields. */
export function withCheckout(order: AffirmOrder, checkout: Partial<AffirmCheckout>): Partial<AffirmOrder> {
  return { payment: { ...order.payment, checkout: { ...order.payment.checkout, ...checkout } } };
}

/** updateOrder for Affirm orders: `decide` sees the fresh order as an Affirm order. */
export async function updateAffirmOrder(
  orders: OrderRepository,
  order: AffirmOrder,
  decide: (current: AffirmOrder) => (OrderChange & { next: AffirmOrder }) | undefined,
  riding?: RidingWriteFor,
): Promise<AffirmOrder> {
  return asAffirm(await updateOrder(orders, order, (current) => decide(asAffirm(current)), riding));
}

/** An order whose checkout is still being opened is nobody's to see yet. */
export function isBeingCreated(order: AffirmOrder): boolean {
  return order.payment.checkout.state === 'creating';
}

/** The status before authorization, from the checkout. */
export function statusBeforeAuthorization(order: AffirmOrder, now: Date): OrderStatus {
  const { checkout } = order.payment;
  if (checkout.state === 'declined') return 'declined';
  if (checkout.state === 'expired' || isPast(checkout.expiresAt, now)) return 'expired';
  return checkout.state === 'confirmed' ? 'confirmed' : 'sent';
}

/** How long a checkout may stay `sent` before the reconciler asks Affirm about it, and again after each look. */
export const SENT_LOOK_EVERY_MS = 5 * 60_000;

/**
 * When the reconciler should next look at this order's checkout: a confirmed one at once (a
 * telesales checkout waits for the hub to authorize it), a sent one every few minutes until it
 * ends; never an authorized, declined or expired one.
 */
export function reconcileDueAt(order: AffirmOrder): string | undefined {
  if (isAuthorized(order)) return undefined;
  const { checkout } = order.payment;
  if (checkout.state === 'confirmed') return order.updatedAt;
  if (checkout.state !== 'sent') return undefined;
  const since = Date.parse(checkout.lookedAt ?? order.createdAt);
  return new Date(since + SENT_LOOK_EVERY_MS).toISOString();
}

/** The references that find this order (strongly consistent lookup): the checkout id once Affirm gave one. */
export function providerRefs(order: AffirmOrder): string[] {
  return order.payment.checkout.checkoutId ? [order.payment.checkout.checkoutId] : [];
}

/** The `affirm` part of the order view (API.md). */
export function affirmView(order: AffirmOrder) {
  const { checkout, transactionId } = order.payment;
  return {
    checkoutId: checkout.checkoutId,
    redirectUrl: checkout.redirectUrl,
    checkoutExpiresAt: checkout.expiresAt,
    ...(transactionId ? { transactionId } : {}),
  };
}
