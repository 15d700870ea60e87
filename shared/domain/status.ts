import { isPast, type Order } from './order.ts';

export type OrderStatus =
  | 'sent'
  | 'confirmed'
  | 'awaiting_payment'
  | 'authorized'
  | 'partially_captured'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'voided'
  | 'declined'
  | 'expired';

/**
 * Derives the order's status from its amounts and the provider state; status is never
 * stored. Time matters: an authorization or checkout past its expiry reads `expired`
 * even before anything is written.
 */
export function deriveStatus(order: Order, now: Date): OrderStatus {
  const { authorization, checkout } = order;
  if (!authorization) {
    if (checkout.state === 'declined') return 'declined';
    if (checkout.state === 'expired' || isPast(checkout.expiresAt, now)) return 'expired';
    return checkout.state === 'confirmed' ? 'confirmed' : 'sent';
  }
  if (order.voidedAt) return 'voided';
  if (order.refundedAmount > 0) {
    return order.refundedAmount >= order.capturedAmount ? 'refunded' : 'partially_refunded';
  }
  if (order.capturedAmount > 0) {
    return order.capturedAmount >= authorization.amount ? 'captured' : 'partially_captured';
  }
  return isPast(authorization.expiresAt, now) ? 'expired' : 'authorized';
}

/** Amounts of the order view. remainingAmount is what can still be captured. */
export function deriveAmounts(order: Order, now: Date) {
  const authorizedAmount = order.authorization?.amount ?? 0;
  const capturable =
    order.authorization && !order.voidedAt && !isPast(order.authorization.expiresAt, now)
      ? authorizedAmount - order.capturedAmount
      : 0;
  return {
    authorizedAmount,
    capturedAmount: order.capturedAmount,
    refundedAmount: order.refundedAmount,
    remainingAmount: Math.max(0, capturable),
  };
}
