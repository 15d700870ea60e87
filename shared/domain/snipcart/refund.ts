/**
 * Flow D, a refund from Snipcart's dashboard: Snipcart calls the order's `links.refunds` URL,
 * whose secret is the only proof it is Snipcart (the refund webhook carries no signature:
 * providers/snipcart.md section 4). The amount is checked against what was actually debited and
 * carried out with the provider over the debited shipments (the saga). A retry of the same call
 * is recognised at the edge (the same paymentId and amount within 10 minutes) and its key ties
 * it to the refund it started.
 */

import { HubError, StateConflictError } from '../../errors.ts';
import type { SagaDeps } from '../operations.ts';
import { refundOrder } from '../transactions.ts';
import { refundSecretMatches, snipcartLink } from './link.ts';

export interface SnipcartRefundCommand {
  orderId: string;
  secret: string;
  /**
   * The amount Snipcart asked for, in the order's minor units: read only once the order (and its
   * currency) is known; undefined when it is not an amount of that currency exactly.
   */
  amountIn(currency: string): number | undefined;
  /** The edge's key for this call (paymentId and amount): a retry finishes the same refund. */
  requestKey?: string;
}

export async function refundFromSnipcart(
  deps: SagaDeps,
  command: SnipcartRefundCommand,
  now: Date,
): Promise<{ refundId: string; amount: number }> {
  const order = await deps.orders.get(command.orderId);
  const link = order ? snipcartLink(order) : undefined;
  // An unknown order and a wrong secret read the same: nothing to learn by probing.
  if (!order || !link || !refundSecretMatches(link, command.secret))
    throw new HubError('INVALID_TOKEN', 'This refund link is not valid.');
  const amount = command.amountIn(order.currency);
  if (amount === undefined)
    throw new HubError('VALIDATION_FAILED', `The amount is not a positive amount of ${order.currency}.`);
  if (order.capturedAmount === 0) {
    throw new StateConflictError(
      'AMOUNT_EXCEEDS_CAPTURED',
      'Nothing has been debited yet (no shipment left): nothing can be refunded.',
    );
  }
  const outcome = await refundOrder(
    deps,
    {
      orderId: order.orderId,
      // Snipcart acts on this order only; the secret stood for its key.
      caller: { keyId: `snipcart:${order.orderId}`, role: 'admin' },
      amount,
      reason: 'Refunded from the Snipcart dashboard',
      ...(command.requestKey ? { requestKey: command.requestKey } : {}),
    },
    now,
  );
  if (!outcome.operation) throw new Error('a refund answered without its operation');
  return { refundId: outcome.operation.operationId, amount: outcome.operation.amount };
}
