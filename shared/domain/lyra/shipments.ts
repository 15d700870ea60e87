/**
 * Flow C, step 3: debit one shipment (create-shipment), through the one saga as a `debit`
 * operation. The rules, checked on the stored order before Lyra is called and again by the
 * reservation's condition:
 *
 *   the payment is authorized (else ORDER_NOT_AUTHORIZED), shipments not stopped by a void
 *   within 180 days of the authorization (else 410 AUTHORIZATION_EXPIRED, no call)
 *   never more than remains authorized, concurrent shipments included (AMOUNT_EXCEEDS_REMAINING)
 *   the caller's shipmentId makes a shipment unique: the same id and amount again answers the
 *   first answer; another amount is SHIPMENT_CONFLICT
 *
 * A shipment the bank refuses is answered, not thrown: `status: refused`, nothing debited.
 */

import { createHash } from 'node:crypto';
import { DeclinedError, ExpiredError, StateConflictError } from '../../errors.ts';
import type { Caller } from '../caller.ts';
import { type OperationOutcome, performOperation, type SagaDeps } from '../operations.ts';
import { isPast, knownProviderRef, type Operation } from '../order.ts';
import { loadVisibleOrder, requireOrderCurrency, startingWith } from '../order-access.ts';
import type { RidingWriteFor } from '../ports.ts';
import { asLyra, guaranteed, isAuthorized, type LyraOrder } from './order.ts';

export interface CreateShipmentCommand {
  orderId: string;
  shipmentId: string;
  amount: number;
  /** The currency the caller named, if any: it must be the order's. */
  currency?: string;
  caller: Caller;
  /** A write to ride in the step that debits the shipment (the Idempotency-Key's stored answer). */
  riding?: RidingWriteFor;
}

export interface ShipmentOutcome {
  order: LyraOrder;
  shipmentId: string;
  amount: number;
  status: 'debited' | 'refused';
  /** The debit's Lyra transaction (absent when refused, or `unknown` when only totals show it). */
  transactionUuid?: string;
  guaranteed: boolean;
  /** True when this shipment was debited (or refused) by an earlier request: answer it again. */
  replayed: boolean;
  /** The attempt answered. */
  operation: Operation;
}

/** The key that makes every request for one shipment the same request, whatever its Idempotency-Key. */
const shipmentKey = (shipmentId: string) => `shipment:${shipmentId}`;

/**
 * The operation id of a shipment's attempt: derived from its id, so that two requests racing for
 * one shipment reserve the same operation and only one of them debits.
 */
function shipmentOperationId(shipmentId: string, attempt: number): string {
  const digest = createHash('sha256').update(shipmentId).digest('base64url').slice(0, 22);
  return attempt === 0 ? `sh_${digest}` : `sh_${digest}_${attempt}`;
}

export async function createShipment(
  deps: SagaDeps,
  command: CreateShipmentCommand,
  now: Date,
): Promise<ShipmentOutcome> {
  const load = async () => asLyra(await loadVisibleOrder(deps.orders, command.orderId, command.caller));
  const before = await load();
  requireOrderCurrency(before, command.currency);
  const attempts = shipmentAttempts(before, command.shipmentId);
  const earlier = attempts.at(-1);
  if (earlier && earlier.amount !== command.amount) {
    throw new StateConflictError(
      'SHIPMENT_CONFLICT',
      `Shipment ${command.shipmentId} was already asked for ${earlier.amount}, not ${command.amount}.`,
    );
  }
  if (earlier && isFinal(earlier)) return answer(before, earlier, command, now, true);

  let outcome: OperationOutcome;
  try {
    outcome = await performOperation(
      deps,
      {
        orderId: command.orderId,
        kind: 'debit',
        requestKey: shipmentKey(command.shipmentId),
        load: startingWith(before, load),
        ...(command.riding ? { riding: command.riding } : {}),
      },
      (order, _connector, retry) => {
        const lyraOrder = asLyra(order);
        if (!isAuthorized(lyraOrder))
          throw new StateConflictError('ORDER_NOT_AUTHORIZED', 'The payment has not been authorized.');
        if (order.voidedAt || lyraOrder.payment.shipmentsStopped)
          throw new StateConflictError(
            'INVALID_STATE',
            'Further shipments were stopped (the order was voided).',
          );
        if (order.authorizationExpiresAt && isPast(order.authorizationExpiresAt, now)) {
          throw new ExpiredError(
            'AUTHORIZATION_EXPIRED',
            `The authorization expired at ${order.authorizationExpiresAt}: no shipment can be debited.`,
          );
        }
        if (command.amount > order.capturableAmount) {
          throw new StateConflictError(
            'AMOUNT_EXCEEDS_REMAINING',
            `At most ${order.capturableAmount} ${order.currency} minor units remain to be debited.`,
          );
        }
        const attempt = shipmentAttempts(lyraOrder, command.shipmentId).length;
        return {
          kind: 'debit',
          amount: command.amount,
          shipmentId: command.shipmentId,
          operationId: retry?.operationId ?? shipmentOperationId(command.shipmentId, attempt),
        };
      },
      now,
    );
  } catch (error) {
    if (!(error instanceof DeclinedError)) throw error;
    // The bank refused this shipment's debit: an answer, not an error (API.md: status refused).
    const after = await load();
    const refused = shipmentAttempts(after, command.shipmentId).at(-1);
    if (!refused) throw error;
    return answer(after, refused, command, now, false);
  }
  const order = asLyra(outcome.order);
  const operation = outcome.operation ?? shipmentAttempts(order, command.shipmentId).at(-1);
  if (!operation)
    throw new StateConflictError('OPERATION_IN_PROGRESS', 'The shipment is being debited.', {
      retryable: true,
    });
  return answer(order, operation, command, now, false);
}

/** The answer for a shipment's attempt on the order (what `riding` stores with the Idempotency-Key). */
export function shipmentAnswer(order: LyraOrder, operation: Operation, now: Date): ShipmentOutcome {
  return answer(order, operation, { shipmentId: operation.shipmentId ?? '' }, now, false);
}

/** The shipment's attempts on the order (debits with its id), oldest first. */
function shipmentAttempts(order: LyraOrder, shipmentId: string): Operation[] {
  return order.operations.filter((op) => op.kind === 'debit' && op.shipmentId === shipmentId);
}

/** An attempt that ended with an answer to give again: debited, or refused by the bank. */
function isFinal(operation: Operation): boolean {
  return (
    operation.state === 'succeeded' || (operation.state === 'failed' && operation.refusal === 'declined')
  );
}

function answer(
  order: LyraOrder,
  operation: Operation,
  command: Pick<CreateShipmentCommand, 'shipmentId'>,
  now: Date,
  replayed: boolean,
): ShipmentOutcome {
  const debited = operation.state === 'succeeded';
  const transactionUuid = debited ? knownProviderRef(operation.providerRef) : undefined;
  return {
    order,
    shipmentId: command.shipmentId,
    amount: operation.amount,
    status: debited ? 'debited' : 'refused',
    ...(transactionUuid ? { transactionUuid } : {}),
    guaranteed: debited && guaranteed(order, new Date(operation.finishedAt ?? now.toISOString())),
    replayed,
    operation,
  };
}
