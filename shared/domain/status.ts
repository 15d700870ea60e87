import { isPast, type Order } from './order.ts';
import { statusBeforeAuthorization } from './payments.ts';

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
 * stored. Before authorization the provider says (checkout sent, payment awaited...); after,
 * the amounts do, the same for every provider. Time matters: an authorization past its expiry
 * with nothing captured reads `expired` even before anything is written.
 */
export function deriveStatus(order: Order, now: Date): OrderStatus {
  if (order.authorizedAmount === 0) return statusBeforeAuthorization(order, now);
  if (order.refundedAmount > 0) {
    return order.refundedAmount >= order.capturedAmount ? 'refunded' : 'partially_refunded';
  }
  if (order.voidedAt && order.capturedAmount === 0) return 'voided';
  if (order.capturedAmount > 0) {
    return order.capturedAmount >= order.authorizedAmount ? 'captured' : 'partially_captured';
  }
  return order.authorizationExpiresAt && isPast(order.authorizationExpiresAt, now) ? 'expired' : 'authorized';
}

/**
 * Amounts of the order view. remainingAmount is the authorization not captured or debited yet,
 * while it can still be (not voided, not expired); an operation in flight still counts in it.
 */
export function deriveAmounts(order: Order, now: Date) {
  const live =
    !order.voidedAt && !(order.authorizationExpiresAt && isPast(order.authorizationExpiresAt, now));
  return {
    authorizedAmount: order.authorizedAmount,
    capturedAmount: order.capturedAmount,
    refundedAmount: order.refundedAmount,
    remainingAmount: live ? Math.max(0, order.authorizedAmount - order.capturedAmount) : 0,
  };
}
