/**
 * Capture, refund and void of an authorized Affirm order (manage-transaction).
 * Every rule is checked against the stored order before Affirm is called; Affirm's own
 * refusals are still mapped, because Affirm is the final authority on its loan.
 */

import { ExpiredError, HubError, StateConflictError } from '../../errors.ts';
import type { Caller } from '../caller.ts';
import {
  type AffirmAuthorization,
  isPast,
  type Operation,
  type OperationKind,
  type Order,
  refundableAmount,
} from '../order.ts';
import { loadVisibleOrder } from '../order-access.ts';
import type { AffirmDeps } from './checkout.ts';
import { type OperationOutcome, type OperationSpec, prepare, runOperation } from './operations.ts';

export interface TransactionCommand {
  orderId: string;
  caller: Caller;
  /** The caller's Idempotency-Key, scoped to the caller: a retry with it finds the operation it started. */
  requestKey?: string;
}

/**
 * Captures the authorized amount. Capturing a captured order returns it unchanged.
 * Partial (split) capture is an Affirm option the hub does not enable: an amount other
 * than the authorized one is refused with SPLIT_CAPTURE_NOT_ENABLED, before or after the
 * capture alike.
 */
export function captureOrder(
  deps: AffirmDeps,
  command: TransactionCommand & { amount?: number },
  now: Date,
): Promise<OperationOutcome> {
  return perform(deps, command, 'capture', now, (order) => {
    const authorization = requireAuthorization(order);
    const amount = command.amount ?? authorization.amount;
    if (amount !== authorization.amount) {
      throw new HubError(
        'SPLIT_CAPTURE_NOT_ENABLED',
        `Affirm captures the whole authorized amount (${authorization.amount}); partial capture is not enabled.`,
      );
    }
    if (order.voidedAt) throw invalidState('The authorization was voided.');
    if (order.capturedAmount >= authorization.amount) return undefined;
    requireLive(authorization, now);
    return { kind: 'capture', amount };
  });
}

/**
 * Refunds part or all of what was captured, as many times as needed, never more than
 * captured minus refunded. Without an amount, refunds everything still refundable.
 */
export function refundOrder(
  deps: AffirmDeps,
  command: TransactionCommand & { amount?: number; reason?: string },
  now: Date,
): Promise<OperationOutcome> {
  return perform(deps, command, 'refund', now, (order, retry) => {
    requireAuthorization(order);
    if (order.voidedAt) throw invalidState('The authorization was voided; there is nothing to refund.');
    if (order.capturedAmount === 0)
      throw invalidState('Nothing has been captured yet; void the authorization instead.');
    const refundable = refundableAmount(order);
    // A retry re-sends its first attempt's amount: the same operation must carry the same body.
    const amount = retry?.amount ?? command.amount ?? refundable;
    if (amount > refundable || refundable === 0) {
      throw new StateConflictError(
        'AMOUNT_EXCEEDS_CAPTURED',
        `At most ${refundable} ${order.currency} minor units can still be refunded.`,
      );
    }
    return { kind: 'refund', amount, ...(command.reason ? { reason: command.reason } : {}) };
  });
}

/** Voids an authorization that has not been captured. Voiding a voided order returns it unchanged. */
export function voidOrder(
  deps: AffirmDeps,
  command: TransactionCommand,
  now: Date,
): Promise<OperationOutcome> {
  return perform(deps, command, 'void', now, (order) => {
    const authorization = requireAuthorization(order);
    if (order.voidedAt) return undefined;
    if (order.capturedAmount > 0) throw invalidState('The order was captured; refund it instead of voiding.');
    requireLive(authorization, now);
    return { kind: 'void', amount: authorization.amount };
  });
}

/**
 * The shape of every order operation: settle what is in flight (or answer a retry with the
 * operation it already performed), check the rules on the settled order, then run the
 * operation. `decide` returns undefined when nothing needs doing (already captured or voided).
 */
async function perform(
  deps: AffirmDeps,
  command: TransactionCommand,
  kind: OperationKind,
  now: Date,
  decide: (order: Order, retry: Operation | undefined) => OperationSpec | undefined,
): Promise<OperationOutcome> {
  const loaded = await loadVisibleOrder(deps.orders, command.orderId, command.caller);
  const prepared = await prepare(deps, loaded, command.requestKey, kind, now);
  if ('done' in prepared) return prepared.done;
  const { order, retry } = prepared;
  const spec = decide(order, retry);
  if (!spec) return { order };
  return runOperation(deps, order, spec, command.requestKey, now, retry?.operationId);
}

function requireAuthorization(order: Order): AffirmAuthorization {
  if (!order.authorization) throw invalidState('The order has not been authorized.');
  return order.authorization;
}

/** Expiry is enforced here, before any call to Affirm. */
function requireLive(authorization: AffirmAuthorization, now: Date): void {
  if (isPast(authorization.expiresAt, now)) {
    throw new ExpiredError(
      'AUTHORIZATION_EXPIRED',
      `The Affirm authorization expired at ${authorization.expiresAt}.`,
    );
  }
}

function invalidState(message: string): StateConflictError {
  return new StateConflictError('INVALID_STATE', message);
}
