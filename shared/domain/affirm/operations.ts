/**
 * The life of one provider write (capture, refund, void) on an Affirm order:
 *
 *   claim       conditional write of a `running` operation (reserves the amount; one at a time per order)
 *   execute     call Affirm with reference_id = operationId and an Idempotency-Key derived from it
 *   complete    Affirm said yes: apply the amounts, operation `succeeded`          (conditional write)
 *   abandon     Affirm said no (4xx), or shows no trace of it: operation `failed`  (conditional write)
 *   unresolved  no answer (5xx, timeout, reset): the operation keeps its reservation
 *
 * Before anything else is done to an order, an unresolved (or crashed, lease-expired)
 * operation is settled by reading Affirm's transaction: if the effect is there it is
 * recorded; if not, the request that started it (same Idempotency-Key) sends it again with
 * the same provider key, and any other request abandons it. Every operation stays on the
 * order with the caller's key, so a retry finds its own operation, whoever finished it,
 * and answers with it: money never moves twice for one request, and never moves without
 * being recorded.
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
import {
  change,
  event,
  isPast,
  NOT_FOUND_AT_PROVIDER,
  type Operation,
  type OperationKind,
  type Order,
  type OrderChange,
  operationOfRequest,
  pendingOperation,
  withOperation,
} from '../order.ts';
import { updateOrder } from '../order-access.ts';
import type { AffirmDeps } from './checkout.ts';
import { type AffirmEventRef, AffirmFailure, type AffirmTransaction } from './types.ts';

/** Longer than the function timeout: a running operation's owner is surely gone after this. */
export const OPERATION_LEASE_MS = 60_000;

/** How far before its start a provider event may be dated and still be taken for the operation (clock skew). */
const CLOCK_SKEW_MS = 60_000;

export interface OperationSpec {
  kind: OperationKind;
  amount: number;
  reason?: string;
}

/** The order after a request, and the operation the request performed or found done for it. */
export interface OperationOutcome {
  order: Order;
  operation?: Operation;
}

/**
 * What `prepare` leaves for the request: either its answer (`done`: its own operation is
 * finished), or the order with nothing in flight, plus the request's own earlier operation
 * when Affirm showed no trace of it (`retry`: to be sent again under the same operation id).
 */
export type Prepared = { done: OperationOutcome } | { order: Order; retry?: Operation };

/**
 * Brings the order to a known state before a request of `kind` acts on it: finishes the
 * request's own operation if it has one, and settles any other operation still in flight.
 */
export async function prepare(
  deps: AffirmDeps,
  order: Order,
  requestKey: string | undefined,
  kind: OperationKind,
  now: Date,
): Promise<Prepared> {
  const ownOf = (current: Order) => {
    const own = operationOfRequest(current, requestKey);
    return own?.kind === kind ? own : undefined;
  };
  const own = ownOf(order);
  if (own?.state === 'succeeded') return { done: { order, operation: own } };

  let current = order;
  const pending = pendingOperation(order);
  if (pending) {
    if (pending.state === 'running' && pending.leaseUntil && !isPast(pending.leaseUntil, now))
      throw inProgress();
    const operation: Operation = { ...pending, state: 'running', leaseUntil: lease(now) };
    const claimed = await claim(deps, order, operation, now);
    const isOwn = pending.operationId === own?.operationId;
    const landed = await findLandedEffect(deps, claimed, operation, now);
    if (landed) {
      current = await complete(deps, claimed, operation, landed, now);
      if (isOwn) return { done: outcome(current, operation) };
    } else if (isOwn) {
      return { done: outcome(await execute(deps, claimed, operation, now), operation) };
    } else {
      current = await abandon(deps, claimed, operation, now, NOT_FOUND_AT_PROVIDER);
    }
  }
  const ownNow = ownOf(current);
  const retry = ownNow?.state === 'failed' && ownNow.failure === NOT_FOUND_AT_PROVIDER ? ownNow : undefined;
  return retry ? { order: current, retry } : { order: current };
}

/**
 * Starts an operation on an order with nothing in flight (after `prepare`), executes it,
 * and returns the order after it. `operationId` reuses the id of the request's own earlier
 * attempt, so that Affirm sees the same Idempotency-Key and replays rather than repeats.
 */
export async function runOperation(
  deps: AffirmDeps,
  order: Order,
  spec: OperationSpec,
  requestKey: string | undefined,
  now: Date,
  operationId: string = newId(spec.kind === 'refund' ? 'rf' : 'op'),
): Promise<OperationOutcome> {
  const operation: Operation = {
    ...spec,
    operationId,
    startedAt: now.toISOString(),
    state: 'running',
    leaseUntil: lease(now),
    ...(requestKey ? { requestKey } : {}),
  };
  const started = await claim(deps, order, operation, now);
  return outcome(await execute(deps, started, operation, now), operation);
}

function outcome(order: Order, operation: Operation): OperationOutcome {
  const stored = order.operations.find((op) => op.operationId === operation.operationId);
  return stored ? { order, operation: stored } : { order };
}

async function execute(deps: AffirmDeps, order: Order, operation: Operation, now: Date): Promise<Order> {
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

function callAffirm(deps: AffirmDeps, order: Order, operation: Operation): Promise<AffirmEventRef> {
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
 * Reads Affirm's transaction to see whether the operation took effect. Nothing proves that
 * Affirm echoes `reference_id` (no recorded answer carries it), so a refund is recognised by
 * its reference_id when present, else by a refund event the hub has not attributed yet, of
 * the operation's amount, dated after the operation started; failing both, by Affirm's
 * refunded total exceeding the hub's. The last two are sound because the hub runs one write
 * at a time per loan, and they err on the side of "it landed": re-sending a refund that did
 * land would pay the customer twice.
 */
async function findLandedEffect(
  deps: AffirmDeps,
  order: Order,
  operation: Operation,
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
    case 'refund':
      return findLandedRefund(order, operation, transaction);
  }
}

function findLandedRefund(
  order: Order,
  operation: Operation,
  transaction: AffirmTransaction,
): AffirmEventRef | undefined {
  const attributed = new Set(order.refunds.map((refund) => refund.providerRefundId));
  const unattributed = transaction.events.filter((e) => e.type === 'refund' && !attributed.has(e.id));
  const ours = unattributed.find((e) => e.referenceId === operation.operationId);
  if (ours) return { eventId: ours.id, amount: ours.amount ?? operation.amount };
  const notBefore = Date.parse(operation.startedAt) - CLOCK_SKEW_MS;
  const likely = unattributed.find(
    (e) =>
      e.referenceId === undefined &&
      e.amount === operation.amount &&
      (e.createdAt === undefined || Date.parse(e.createdAt) >= notBefore),
  );
  if (likely) return { eventId: likely.id, amount: operation.amount };
  return transaction.amountRefunded > order.refundedAmount
    ? { eventId: 'unknown', amount: operation.amount }
    : undefined;
}

async function claim(deps: AffirmDeps, order: Order, operation: Operation, now: Date): Promise<Order> {
  try {
    return await deps.orders.save(change(order, { operations: withOperation(order, operation) }, now, []));
  } catch (error) {
    if (error instanceof ConcurrentUpdateError) throw inProgress();
    throw error;
  }
}

/**
 * Applies `decide` to the operation as currently stored, only while it is still in flight
 * (running or unresolved): once another request has settled it, there is nothing to write.
 */
function whileInFlight(
  deps: AffirmDeps,
  order: Order,
  operation: Operation,
  decide: (current: Order, stored: Operation) => OrderChange,
): Promise<Order> {
  return updateOrder(deps.orders, order, (current) => {
    const stored = current.operations.find((op) => op.operationId === operation.operationId);
    if (!stored || (stored.state !== 'running' && stored.state !== 'unresolved')) return undefined;
    return decide(current, stored);
  });
}

function complete(
  deps: AffirmDeps,
  order: Order,
  operation: Operation,
  ref: AffirmEventRef,
  now: Date,
): Promise<Order> {
  return whileInFlight(deps, order, operation, (current, stored) => {
    const done: Operation = {
      ...stored,
      state: 'succeeded',
      leaseUntil: undefined,
      finishedAt: now.toISOString(),
      providerRef: ref.eventId,
    };
    const operations = withOperation(current, done);
    const detail = { operationId: stored.operationId, amount: stored.amount, providerEventId: ref.eventId };
    switch (stored.kind) {
      case 'capture':
        return change(current, { operations, capturedAmount: current.capturedAmount + stored.amount }, now, [
          event(now, 'capture.succeeded', detail),
        ]);
      case 'void':
        return change(current, { operations, voidedAt: now.toISOString() }, now, [
          event(now, 'void.succeeded', detail),
        ]);
      case 'refund': {
        const refund = {
          refundId: stored.operationId,
          amount: stored.amount,
          createdAt: now.toISOString(),
          providerRefundId: ref.eventId,
          ...(stored.reason ? { reason: stored.reason } : {}),
        };
        return change(
          current,
          { operations, refundedAmount: current.refundedAmount + stored.amount },
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
  operation: Operation,
  now: Date,
  why: string,
): Promise<Order> {
  return whileInFlight(deps, order, operation, (current, stored) => {
    const failed: Operation = {
      ...stored,
      state: 'failed',
      leaseUntil: undefined,
      finishedAt: now.toISOString(),
      failure: why,
    };
    return change(current, { operations: withOperation(current, failed) }, now, [
      event(now, `${stored.kind}.failed`, { operationId: stored.operationId, reason: why }),
    ]);
  });
}

async function markUnresolved(
  deps: AffirmDeps,
  order: Order,
  operation: Operation,
  now: Date,
): Promise<void> {
  try {
    await whileInFlight(deps, order, operation, (current, stored) =>
      change(
        current,
        { operations: withOperation(current, { ...stored, state: 'unresolved', leaseUntil: undefined }) },
        now,
        [event(now, `${stored.kind}.outcome_unknown`, { operationId: stored.operationId })],
      ),
    );
  } catch {
    // If even this write fails, the lease runs out and the next request settles the operation.
  }
}

function refusal(operation: Operation, failure: AffirmFailure): HubError {
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
