/**
 * Capture, refund and void of an authorized order (manage-transaction), for every provider.
 * Every rule is checked against the stored order before the provider is called, and again by
 * the reservation's condition; the provider's own refusals are still mapped, because it is
 * the final authority on its payment.
 */

import { ExpiredError, HubError, StateConflictError } from '../errors.ts';
import type { Caller } from './caller.ts';
import { type OperationOutcome, performOperation, type SagaDeps } from './operations.ts';
import { isPast, type OperationKind, type Order } from './order.ts';
import { loadVisibleOrder, requireOrderCurrency, startingWith, visibleOrder } from './order-access.ts';
import type { RidingWriteFor } from './ports.ts';
import { refundAcrossShipments } from './shipment-refunds.ts';

export interface TransactionCommand {
  orderId: string;
  caller: Caller;
  /** The caller's Idempotency-Key, scoped to the caller: a retry with it finds the operation it started. */
  requestKey?: string;
  /** A write to ride in the step that finishes the request (its Idempotency-Key's stored answer). */
  riding?: RidingWriteFor;
  /** The currency the caller named, if any: it must be the order's. */
  currency?: string;
  /** The order as the caller already read it for this request (one read fewer). */
  loaded?: Order;
}

function run(
  deps: SagaDeps,
  command: TransactionCommand,
  kind: OperationKind,
  now: Date,
  decide: Parameters<typeof performOperation>[2],
  /** The order the caller already read for this request: the saga's first look uses it. */
  loaded?: Order,
): Promise<OperationOutcome> {
  const read = () => loadVisibleOrder(deps.orders, command.orderId, command.caller);
  const request = {
    orderId: command.orderId,
    kind,
    ...(command.requestKey ? { requestKey: command.requestKey } : {}),
    ...(command.riding ? { riding: command.riding } : {}),
    load: loaded ? startingWith(loaded, read) : read,
  };
  return performOperation(deps, request, decide, now);
}

/**
 * Captures the authorized amount. Capturing a captured order returns it unchanged. A provider
 * that captures only the whole authorization (Affirm without split capture) refuses any other
 * amount with SPLIT_CAPTURE_NOT_ENABLED, before or after the capture alike.
 */
export function captureOrder(
  deps: SagaDeps,
  command: TransactionCommand & { amount?: number },
  now: Date,
): Promise<OperationOutcome> {
  return run(deps, command, 'capture', now, (order, connector) => {
    requireOrderCurrency(order, command.currency);
    requireAuthorization(order);
    if (connector.capabilities.capture === 'none')
      throw invalidState('This payment is debited per shipment; it has no capture.');
    const amount = command.amount ?? order.authorizedAmount;
    if (amount !== order.authorizedAmount) {
      throw new HubError(
        'SPLIT_CAPTURE_NOT_ENABLED',
        `The provider captures the whole authorized amount (${order.authorizedAmount}); partial capture is not enabled.`,
      );
    }
    if (order.voidedAt) throw invalidState('The authorization was voided.');
    if (order.capturedAmount >= order.authorizedAmount) return undefined;
    requireLive(order, now);
    return { kind: 'capture', amount };
  });
}

/**
 * Refunds part or all of what was captured, as many times as needed, never more than
 * captured minus refunded (minus refunds in flight). Without an amount, refunds everything
 * still refundable.
 */
export async function refundOrder(
  deps: SagaDeps,
  command: TransactionCommand & { amount?: number; reason?: string },
  now: Date,
): Promise<OperationOutcome> {
  const order = command.loaded
    ? visibleOrder(command.loaded, command.caller)
    : await loadVisibleOrder(deps.orders, command.orderId, command.caller);
  requireOrderCurrency(order, command.currency);
  if (deps.connectors(order.provider).capabilities.debit) {
    requireAuthorization(order);
    if (order.capturedAmount === 0)
      throw invalidState('Nothing has been debited yet; void the order instead.');
    return refundAcrossShipments(deps, order, command, now);
  }
  return run(
    deps,
    command,
    'refund',
    now,
    (order, _connector, retry) => {
      requireAuthorization(order);
      if (order.capturedAmount === 0) {
        throw invalidState(
          order.voidedAt
            ? 'The authorization was voided; there is nothing to refund.'
            : 'Nothing has been captured yet; void the authorization instead.',
        );
      }
      const refundable = order.refundableAmount;
      // A retry re-sends its first attempt's amount: the same operation must carry the same body.
      const amount = retry?.amount ?? command.amount ?? refundable;
      if (amount > refundable || refundable === 0) {
        throw new StateConflictError(
          'AMOUNT_EXCEEDS_CAPTURED',
          `At most ${refundable} ${order.currency} minor units can still be refunded.`,
        );
      }
      return { kind: 'refund', amount, ...(command.reason ? { reason: command.reason } : {}) };
    },
    order,
  );
}

/**
 * Voids what has not been captured: the whole authorization before capture. Voiding a voided
 * order returns it unchanged. The void reserves all that is capturable, so nothing can be
 * captured or debited while it is in flight.
 */
export function voidOrder(deps: SagaDeps, command: TransactionCommand, now: Date): Promise<OperationOutcome> {
  return run(deps, command, 'void', now, (order, connector) => {
    requireAuthorization(order);
    if (order.voidedAt) return undefined;
    // A payment on shipment may be voided after shipments: what is not shipped yet is given up.
    if (order.capturedAmount > 0 && !connector.capabilities.debit)
      throw invalidState('The order was captured; refund it instead of voiding.');
    requireLive(order, now);
    return { kind: 'void', amount: order.capturableAmount };
  });
}

function requireAuthorization(order: Order): void {
  if (order.authorizedAmount === 0) throw invalidState('The order has not been authorized.');
}

/** Expiry is enforced here, before any call to the provider. */
function requireLive(order: Order, now: Date): void {
  if (order.authorizationExpiresAt && isPast(order.authorizationExpiresAt, now)) {
    throw new ExpiredError(
      'AUTHORIZATION_EXPIRED',
      `The authorization expired at ${order.authorizationExpiresAt}.`,
    );
  }
}

function invalidState(message: string): StateConflictError {
  return new StateConflictError('INVALID_STATE', message);
}
