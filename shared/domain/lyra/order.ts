/**
 * A Lyra order as the Lyra use cases see it: the neutral order with `payment` holding the
 * payment on shipment (form token, initial transaction, guarantee), and the per-provider
 * functions shared/domain/payments.ts dispatches to.
 */

import { NotFoundError } from '../../errors.ts';
import { isPast, type Order, type OrderChange } from '../order.ts';
import { updateOrder } from '../order-access.ts';
import type { OrderRepository, RidingWriteFor } from '../ports.ts';
import type { OrderStatus } from '../status.ts';
import type { LyraPayment } from './types.ts';

export type LyraOrder = Order<'lyra'>;

/** The VERIFICATION transaction lasts 180 days: no shipment after (lyra.md, section 3). */
export const AUTHORIZATION_DAYS = 180;
/** On the CB network, the payment guarantee holds for shipments within 30 days of the order. */
export const GUARANTEE_DAYS = 30;
/** How long a payment may stay awaited before the reconciler asks Lyra (a lost IPN), and again after each look. */
export const AWAITED_LOOK_EVERY_MS = 10 * 60_000;
/**
 * After this long, an awaited payment is no longer asked about: the shopper did not pay, and a
 * payment made later still reaches the hub by its IPN (retried by Lyra) or its signed browser
 * return. Lyra does not document the form token's lifetime; a week is well beyond any session.
 */
export const AWAITED_LOOK_FOR_MS = 7 * 24 * 3600_000;

/** Narrows an order reached through Lyra (an IPN, a Lyra route): any other is not found there. */
export function asLyra(order: Order): LyraOrder {
  if (order.provider !== 'lyra') throw new NotFoundError('The Lyra order');
  return order;
}

export function isAuthorized(order: LyraOrder): boolean {
  return order.payment.state === 'authorized';
}

/** The patch that changes the payment's fields. */
export function withPayment(order: LyraOrder, payment: Partial<LyraPayment>): Partial<LyraOrder> {
  return { payment: { ...order.payment, ...payment } };
}

/** updateOrder for Lyra orders: `decide` sees the fresh order as a Lyra order. */
export async function updateLyraOrder(
  orders: OrderRepository,
  order: LyraOrder,
  decide: (current: LyraOrder) => (OrderChange & { next: LyraOrder }) | undefined,
  riding?: RidingWriteFor,
): Promise<LyraOrder> {
  return asLyra(await updateOrder(orders, order, (current) => decide(asLyra(current)), riding));
}

export function isBeingCreated(order: LyraOrder): boolean {
  return order.payment.state === 'creating';
}

/** The status before authorization, from the payment. */
export function statusBeforeAuthorization(order: LyraOrder): OrderStatus {
  switch (order.payment.state) {
    case 'refused':
      return 'declined';
    case 'cancelled':
      return 'voided';
    default:
      return 'awaiting_payment';
  }
}

/** The references that find this order: its pay page's token, and its initial transaction. */
export function providerRefs(order: LyraOrder): string[] {
  const { payToken, initialTransactionUuid } = order.payment;
  return [
    ...(payToken ? [payPageRef(payToken)] : []),
    ...(initialTransactionUuid ? [initialTransactionUuid] : []),
  ];
}

/** The provider reference of a pay page's token. */
export function payPageRef(payToken: string): string {
  return `pay:${payToken}`;
}

/**
 * A payment still awaited is asked about every few minutes (its IPN may be lost), for a week;
 * never once it ended.
 */
export function reconcileDueAt(order: LyraOrder): string | undefined {
  if (order.payment.state !== 'awaiting_payment') return undefined;
  const next = Date.parse(order.payment.lookedAt ?? order.createdAt) + AWAITED_LOOK_EVERY_MS;
  if (next > Date.parse(order.createdAt) + AWAITED_LOOK_FOR_MS) return undefined;
  return new Date(next).toISOString();
}

/** Whether a shipment debited now keeps the CB payment guarantee (within 30 days of the order). */
export function guaranteed(order: LyraOrder, now: Date): boolean {
  const ends = order.payment.guaranteeEndsAt;
  return ends !== undefined && !isPast(ends, now);
}

/** The `lyra` part of the order view (API.md). */
export function lyraView(order: LyraOrder) {
  const { state, initialTransactionUuid, guaranteeEndsAt } = order.payment;
  return {
    state,
    ...(initialTransactionUuid ? { initialTransactionUuid } : {}),
    ...(guaranteeEndsAt ? { guaranteeEndsAt } : {}),
  };
}
