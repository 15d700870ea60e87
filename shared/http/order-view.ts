import type { Order } from '../domain/order.ts';
import { deriveAmounts, deriveStatus } from '../domain/status.ts';

/** The order view of API.md (GET /v1/orders/{orderId} and every order-returning route). */
export function orderView(order: Order, now: Date) {
  return {
    orderId: order.orderId,
    provider: order.provider,
    channel: order.channel,
    status: deriveStatus(order, now),
    amount: order.amount,
    currency: order.currency,
    ...deriveAmounts(order, now),
    ...(order.authorization ? { authorizationExpiresAt: order.authorization.expiresAt } : {}),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    affirm: {
      checkoutId: order.checkout.checkoutId,
      redirectUrl: order.checkout.redirectUrl,
      checkoutExpiresAt: order.checkout.expiresAt,
      ...(order.authorization ? { transactionId: order.authorization.transactionId } : {}),
    },
    ...(order.pending
      ? {
          pendingOperation: {
            kind: order.pending.kind,
            amount: order.pending.amount,
            state: order.pending.state,
          },
        }
      : {}),
    shipments: [],
    refunds: order.refunds.map(({ refundId, amount, createdAt, reason }) => ({
      refundId,
      amount,
      createdAt,
      ...(reason ? { reason } : {}),
    })),
    events: order.events,
  };
}
