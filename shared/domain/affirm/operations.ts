/**
 * The life of one provider write (capture, refund, void) on an Affirm order:
 *
 *   start     conditional write of `pending` (reserves the amount; one operation per order)
 *   execute   call Affirm with reference_id = operationId and an Idempotency-Key derived from it
 *   complete  Affirm said yes: apply the amounts, clear `pending`      (conditional write)
 *   abandon   Affirm said no (4xx): clear `pending`, nothing moved      (conditional write)
 *   unresolved  no answer (5xx, timeout, reset): keep `pending`, mark it unresolved
 *
 * The next request on the order settles an unresolved (or crashed, lease-expired)
 * operation first, by reading Affirm's transaction: if the effect is there it is
 * recorded; if not, a retry carrying the same Idempotency-Key re-sends it (same provider
 * key), and any other request abandons it. Money therefore never moves twice for one
 * operation and never moves without being recorded.
 */

import {
  ConcurrentUpdateError,
  ExpiredError,
  type HubError,
  ProviderRejectedError,
  ProviderUnavailableError,
  StateConflictError,
} from '../../errors.ts';
import { newId } from '../../ids.ts';
import { change, event, isPast, type OperationKind, type Order, type PendingOperation } from '../order.ts';
import { updateOrder } from '../order-access.ts';
import type { AffirmDeps } from './checkout.ts';
import { type AffirmEventRef, AffirmFailure, type AffirmTransaction } from './types.ts';

/** Longer than the function timeout: a running operation's owner is surely gone after this. */
export const OPERATION_LEASE_MS = 60_000;

export interface OperationSpec {
  kind: OperationKind;
  amount: number;
  reason?: string;
}

/** Starts an operation on an order that has none pending, executes it, and returns the order after it. */
export async function runOperation(
  deps: AffirmDeps,
  order: Order,
  spec: OperationSpec,
  requestKey: string | undefined,
  now: Date,
): Promise<Order> {
  const operation: PendingOperation = {
    ...spec,
    operationId: newId(spec.kind === 'refund' ? 'rf' : 'op'),
    startedAt: now.toISOString(),
    state: 'running',
    leaseUntil: lease(now),
    ...(requestKey ? { requestKey } : {}),
  };
  const started = await claim(deps, order, operation, now);
  return execute(deps, started, operation, now);
}

export interface Settled {
  order: Order;
  /** True when the settled operation was this very request, retried: it is now finished. */
  resumed: boolean;
}

/** Brings an order with an unfinished operation back to a known state before anything else is done to it. */
export async function settlePending(
  deps: AffirmDeps,
  order: Order,
  requestKey: string | undefined,
  now: Date,
): Promise<Settled> {
  const pending = order.pending;
  if (!pending) return { order, resumed: false };
  if (pending.state === 'running' && !isPast(pending.leaseUntil, now)) throw inProgress();

  const operation: PendingOperation = { ...pending, state: 'running', leaseUntil: lease(now) };
  const claimed = await claim(deps, order, operation, now);
  const sameRequest = requestKey !== undefined && pending.requestKey === requestKey;
  const landed = await findLandedEffect(deps, claimed, operation, now);
  if (landed) return { order: await complete(deps, claimed, operation, landed, now), resumed: sameRequest };
  if (sameRequest) return { order: await execute(deps, claimed, operation, now), resumed: true };
  return { order: await abandon(deps, claimed, operation, now, 'not_found_at_provider'), resumed: false };
}

async function execute(
  deps: AffirmDeps,
  order: Order,
  operation: PendingOperation,
  now: Date,
): Promise<Order> {
  let ref: AffirmEventRef;
  try {
    ref = await callAffirm(deps, order, operation);
  } catch (error) {
    if (!(error instanceof AffirmFailure)) {
      await markUnresolved(deps, order, operation, now);
      throw error;
    }
    if (error.reason === 'in_progress') {
      // Affirm is still working on this Idempotency-Key: the outcome is unknown, not refused.
      await markUnresolved(deps, order, operation, now);
      throw inProgress();
    }
    if (error.reason === 'already_captured' || error.reason === 'already_voided') {
      const landed = await findLandedEffect(deps, order, operation, now);
      if (landed) return complete(deps, order, operation, landed, now);
    }
    await abandon(deps, order, operation, now, error.providerCode);
    throw refusal(operation, error);
  }
  return complete(deps, order, operation, ref, now);
}

function callAffirm(deps: AffirmDeps, order: Order, operation: PendingOperation): Promise<AffirmEventRef> {
  const transactionId = order.authorization?.transactionId ?? '';
  const input = { transactionId, orderId: order.orderId, operationId: operation.operationId };
  switch (operation.kind) {
    case 'capture':
      return deps.affirm.capture({ ...input, amount: operation.amount });
    case 'refund':
      return deps.affirm.refund({ ...input, amount: operation.amount });
    case 'void':
      return deps.affirm.void(input);
  }
}

/**
 * Reads Affirm's transaction to see whether the operation took effect. A refund is
 * recognised by the reference_id the hub sent (its operationId); failing that, by
 * Affirm's refunded total exceeding the hub's, which is read as "ours landed" because
 * re-sending a refund that did land would pay the customer twice.
 */
async function findLandedEffect(
  deps: AffirmDeps,
  order: Order,
  operation: PendingOperation,
  now: Date,
): Promise<AffirmEventRef | undefined> {
  let transaction: AffirmTransaction;
  try {
    transaction = await deps.affirm.readTransaction(order.authorization?.transactionId ?? '');
  } catch (error) {
    await markUnresolved(deps, order, operation, now);
    if (error instanceof AffirmFailure) {
      throw new ProviderUnavailableError('Affirm could not confirm the outcome of an earlier operation.', {
        cause: error,
      });
    }
    throw error;
  }
  const byType = (type: string) => transaction.events.find((e) => e.type === type);
  switch (operation.kind) {
    case 'capture': {
      const captured = byType('capture');
      if (captured) return { eventId: captured.id, amount: captured.amount ?? operation.amount };
      return ['captured', 'partially_refunded', 'refunded'].includes(transaction.status)
        ? { eventId: 'unknown', amount: operation.amount }
        : undefined;
    }
    case 'void': {
      const voided = byType('void');
      if (voided) return { eventId: voided.id };
      return transaction.status === 'voided' ? { eventId: 'unknown' } : undefined;
    }
    case 'refund': {
      const ours = transaction.events.find(
        (e) => e.type === 'refund' && e.referenceId === operation.operationId,
      );
      if (ours) return { eventId: ours.id, amount: ours.amount ?? operation.amount };
      return transaction.amountRefunded > order.refundedAmount
        ? { eventId: 'unknown', amount: operation.amount }
        : undefined;
    }
  }
}

async function claim(deps: AffirmDeps, order: Order, operation: PendingOperation, now: Date): Promise<Order> {
  try {
    return await deps.orders.save(change(order, { pending: operation }, now, []));
  } catch (error) {
    if (error instanceof ConcurrentUpdateError) throw inProgress();
    throw error;
  }
}

function complete(
  deps: AffirmDeps,
  order: Order,
  operation: PendingOperation,
  ref: AffirmEventRef,
  now: Date,
): Promise<Order> {
  return updateOrder(deps.orders, order, (current) => {
    if (current.pending?.operationId !== operation.operationId) return undefined;
    const detail = {
      operationId: operation.operationId,
      amount: operation.amount,
      providerEventId: ref.eventId,
    };
    switch (operation.kind) {
      case 'capture':
        return change(
          current,
          { pending: undefined, capturedAmount: current.capturedAmount + operation.amount },
          now,
          [event(now, 'capture.succeeded', detail)],
        );
      case 'void':
        return change(current, { pending: undefined, voidedAt: now.toISOString() }, now, [
          event(now, 'void.succeeded', detail),
        ]);
      case 'refund': {
        const refund = {
          refundId: operation.operationId,
          amount: operation.amount,
          createdAt: now.toISOString(),
          providerRefundId: ref.eventId,
          ...(operation.reason ? { reason: operation.reason } : {}),
        };
        return change(
          current,
          { pending: undefined, refundedAmount: current.refundedAmount + operation.amount },
          now,
          [event(now, 'refund.succeeded', detail)],
          refund,
        );
      }
    }
  });
}

function abandon(
  deps: AffirmDeps,
  order: Order,
  operation: PendingOperation,
  now: Date,
  why: string,
): Promise<Order> {
  return updateOrder(deps.orders, order, (current) =>
    current.pending?.operationId !== operation.operationId
      ? undefined
      : change(current, { pending: undefined }, now, [
          event(now, `${operation.kind}.failed`, { operationId: operation.operationId, reason: why }),
        ]),
  );
}

async function markUnresolved(
  deps: AffirmDeps,
  order: Order,
  operation: PendingOperation,
  now: Date,
): Promise<void> {
  try {
    await updateOrder(deps.orders, order, (current) =>
      current.pending?.operationId !== operation.operationId
        ? undefined
        : change(current, { pending: { ...operation, state: 'unresolved' } }, now, [
            event(now, `${operation.kind}.outcome_unknown`, { operationId: operation.operationId }),
          ]),
    );
  } catch {
    // If even this write fails, the lease runs out and the next request settles the operation.
  }
}

function refusal(operation: PendingOperation, failure: AffirmFailure): HubError {
  switch (failure.reason) {
    case 'authorization_expired':
      return new ExpiredError('AUTHORIZATION_EXPIRED', 'The Affirm authorization has expired.');
    case 'refund_exceeded':
      return new StateConflictError(
        'AMOUNT_EXCEEDS_CAPTURED',
        'Affirm refused to refund more than was captured.',
      );
    case 'already_captured':
    case 'already_voided':
    case 'not_refundable':
    case 'not_voidable':
    case 'not_found':
      return new StateConflictError(
        'INVALID_STATE',
        `Affirm refused the ${operation.kind}: ${failure.message}`,
      );
    case 'credentials':
      return new ProviderUnavailableError('Affirm refused the merchant credentials.', { cause: failure });
    default:
      return new ProviderRejectedError(`Affirm refused the ${operation.kind}: ${failure.message}`, {
        cause: failure,
      });
  }
}

function inProgress(): StateConflictError {
  return new StateConflictError('OPERATION_IN_PROGRESS', 'Another operation on this order is in progress.', {
    retryable: true,
  });
}

function lease(now: Date): string {
  return new Date(now.getTime() + OPERATION_LEASE_MS).toISOString();
}
