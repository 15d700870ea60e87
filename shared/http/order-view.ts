import { knownProviderRef, type Operation, type Order, pendingOperation } from '../domain/order.ts';
import { providerView } from '../domain/payments.ts';
import { snipcartView } from '../domain/snipcart/link.ts';
import { deriveAmounts, deriveStatus } from '../domain/status.ts';

/** The order view of API.md (GET /v1/orders/{orderId} and every order-returning route). */
export function orderView(order: Order, now: Date) {
  const pending = pendingOperation(order);
  return {
    orderId: order.orderId,
    provider: order.provider,
    channel: order.channel,
    status: deriveStatus(order, now),
    amount: order.amount,
    currency: order.currency,
    ...deriveAmounts(order, now),
    ...(order.authorizationExpiresAt ? { authorizationExpiresAt: order.authorizationExpiresAt } : {}),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    ...providerView(order),
    // The storefront's checkout the order pays (Snipcart), and whether it was told.
    ...(order.storefront ? { snipcart: snipcartView(order.storefront) } : {}),
    ...(pending
      ? { pendingOperation: { kind: pending.kind, amount: pending.amount, state: pending.state } }
      : {}),
    shipments: order.shipments.map(
      ({ shipmentId, amount, createdAt, status, providerRef, refundedAmount }) => ({
        shipmentId,
        amount,
        createdAt,
        status,
        // The provider's transaction of this debit, once the hub knows it (learnt-refs.ts).
        ...(knownProviderRef(providerRef) ? { transactionUuid: providerRef } : {}),
        refundedAmount: refundedAmount ?? 0,
      }),
    ),
    refunds: order.refunds.map(({ refundId, amount, createdAt, reason }) => ({
      refundId,
      amount,
      createdAt,
      ...(reason ? { reason } : {}),
    })),
    events: order.events,
  };
}

/**
 * The answer of capture, refund and void: the order view, plus the operation this request
 * performed (a retry with the same Idempotency-Key names the same one; for a refund, its id
 * is the `refundId`). Absent when nothing needed doing (capturing a captured order).
 */
export function operationView(order: Order, operation: Operation | undefined, now: Date) {
  const view = orderView(order, now);
  if (!operation) return view;
  const { operationId, kind, amount, state } = operation;
  return { ...view, operation: { operationId, kind, amount, state } };
}
