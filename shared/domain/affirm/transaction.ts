/**
 * Capture, refund and void of an authorized Affirm order (manage-transaction).
 * Every rule is checked against the stored order before Affirm is called; Affirm's own
 * refusals are still mapped, because Affirm is the final authority on its loan.
 */

import { ExpiredError, HubError, StateConflictError } from '../../errors.ts';
import type { Caller } from '../caller.ts';
import { type AffirmAuthorization, isPast, type Order, refundableAmount } from '../order.ts';
import { loadVisibleOrder } from '../order-access.ts';
import type { AffirmDeps } from './checkout.ts';
import { runOperation, settlePending } from './operations.ts';

export interface TransactionCommand {
  orderId: string;
  caller: Caller;
  /** The caller's Idempotency-Key, scoped to the caller: a retry with it finishes an interrupted operation. */
  requestKey?: string;
}

/**
 * Captures the authorized amount. Capturing a captured order returns it unchanged.
 * Partial (split) capture is an Affirm option the hub does not enable: an amount other
 * than the authorized one is refused with SPLIT_CAPTURE_NOT_ENABLED.
 */
export async function captureOrder(
  deps: AffirmDeps,
  command: TransactionCommand & { amount?: number },
  now: Date,
): Promise<Order> {
  const settled = await settle(deps, command, now);
  const order = settled.order;
  if (settled.resumed && order.capturedAmount > 0) return order;
  const authorization = requireAuthorization(order);
  if (order.voidedAt) throw invalidState('The authorization was voided.');
  if (order.capturedAmount >= authorization.amount) return order;
  requireLive(authorization, now);
  const amount = command.amount ?? authorization.amount;
  if (amount !== authorization.amount) {
    throw new HubError(
      'SPLIT_CAPTURE_NOT_ENABLED',
      `Affirm captures the whole authorized amount (${authorization.amount}); partial capture is not enabled.`,
    );
  }
  return runOperation(deps, order, { kind: 'capture', amount }, command.requestKey, now);
}

/**
 * Refunds part or all of what was captured, as many times as needed, never more than
 * captured minus refunded. Without an amount, refunds everything still refundable.
 */
export async function refundOrder(
  deps: AffirmDeps,
  command: TransactionCommand & { amount?: number; reason?: string },
  now: Date,
): Promise<Order> {
  const settled = await settle(deps, command, now);
  const order = settled.order;
  if (settled.resumed) return order;
  requireAuthorization(order);
  if (order.voidedAt) throw invalidState('The authorization was voided; there is nothing to refund.');
  if (order.capturedAmount === 0)
    throw invalidState('Nothing has been captured yet; void the authorization instead.');
  const refundable = refundableAmount(order);
  const amount = command.amount ?? refundable;
  if (amount > refundable || refundable === 0) {
    throw new StateConflictError(
      'AMOUNT_EXCEEDS_CAPTURED',
      `At most ${refundable} ${order.currency} minor units can still be refunded.`,
    );
  }
  const spec = { kind: 'refund' as const, amount, ...(command.reason ? { reason: command.reason } : {}) };
  return runOperation(deps, order, spec, command.requestKey, now);
}

/** Voids an authorization that has not been captured. Voiding a voided order returns it unchanged. */
export async function voidOrder(deps: AffirmDeps, command: TransactionCommand, now: Date): Promise<Order> {
  const { order } = await settle(deps, command, now);
  const authorization = requireAuthorization(order);
  if (order.voidedAt) return order;
  if (order.capturedAmount > 0) throw invalidState('The order was captured; refund it instead of voiding.');
  requireLive(authorization, now);
  return runOperation(deps, order, { kind: 'void', amount: authorization.amount }, command.requestKey, now);
}

async function settle(deps: AffirmDeps, command: TransactionCommand, now: Date) {
  const order = await loadVisibleOrder(deps.orders, command.orderId, command.caller);
  return settlePending(deps, order, command.requestKey, now);
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
