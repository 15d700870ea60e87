/**
 * A payment debited per shipment is refunded per shipment: each refund is a CREDIT of one
 * shipment's DEBIT at the provider, so a refund is spread over the shipments, oldest first, one
 * saga operation (a "part") each.
 *
 * Each part chooses its shipment and amount on the order as it stands when the part begins,
 * never from a plan made on an earlier read: refunds run alone on such an order (the connector's
 * exclusive kind), so after the saga settled whatever was in flight, each shipment's refunded
 * amount is exact, and two refunds in a row, or a retry after another refund, never aim at room
 * already taken. A part whose outcome was unknown is finished first: the saga reads the provider
 * and re-sends it only if it never landed (nothing else could have taken its room meanwhile).
 *
 * Parts are keyed `<request key>#<n>`, so a retry with the same Idempotency-Key finds what it
 * already did and does only the rest; a request without a key gets a one-off key. The answer's
 * `operation` is the whole refund: its first part's id, the amount of all its parts.
 */

import { randomBytes } from 'node:crypto';
import { HubError, StateConflictError } from '../errors.ts';
import { learnProviderRefs } from './learnt-refs.ts';
import type { OperationOutcome, SagaDeps } from './operations.ts';
import { performOperation } from './operations.ts';
import { type Operation, type Order, type ShipmentRecord, UNKNOWN_PROVIDER_REF } from './order.ts';
import { loadVisibleOrder, startingWith } from './order-access.ts';
import type { TransactionCommand } from './transactions.ts';

type RefundCommand = TransactionCommand & { amount?: number; reason?: string };

/** More parts than shipments can only mean a bug: stop rather than loop. */
const partsAtMost = (order: Order) => order.shipments.length + 3;

export async function refundAcrossShipments(
  deps: SagaDeps,
  read: Order,
  command: RefundCommand,
  now: Date,
): Promise<OperationOutcome> {
  // A shipment whose debit's transaction the hub never learnt has no room until it is learnt.
  const loaded = await learnProviderRefs(deps, read, now);
  const base = command.requestKey ?? `once_${randomBytes(9).toString('base64url')}`;
  const reload = () => loadVisibleOrder(deps.orders, command.orderId, command.caller);
  // In part order (`#<n>`): parts begin in the same millisecond, and a re-read order lists
  // operations of the same start in storage order, which is not theirs.
  const partsOf = (order: Order) =>
    order.operations
      .filter((op) => op.kind === 'refund' && op.requestKey?.startsWith(`${base}#`))
      .sort((a, b) => partNumber(a) - partNumber(b));
  const doneOf = (order: Order) =>
    partsOf(order)
      .filter((op) => op.state === 'succeeded')
      .reduce((sum, op) => sum + op.amount, 0);

  // What this request refunds in all: fixed on the first read (a retry counts its done parts back in).
  const inFlight = partsOf(loaded)
    .filter((op) => op.state === 'running' || op.state === 'unresolved')
    .reduce((sum, op) => sum + op.amount, 0);
  // What the shipments can still take: a debit whose transaction the hub never learnt takes none.
  const room = Math.min(
    loaded.refundableAmount,
    loaded.shipments.reduce((sum, shipment) => sum + Math.max(0, roomOf(loaded, shipment)), 0),
  );
  const asked = command.amount ?? room + inFlight + doneOf(loaded);
  if (asked === 0 || asked - doneOf(loaded) - inFlight > room)
    throw exceeds(room + inFlight, loaded.currency);

  let order = loaded;
  let outcome: OperationOutcome = { order };
  for (let round = 0; doneOf(order) < asked; round++) {
    if (round >= partsAtMost(order)) throw new Error('a refund did not converge over the shipments');
    const parts = partsOf(order);
    // An unfinished part of this request first (its outcome unknown, or never seen by the provider).
    const unfinished =
      parts.find((op) => op.state !== 'succeeded' && op.state !== 'failed') ?? parts.find(isResendable);
    const requestKey = unfinished?.requestKey ?? `${base}#${parts.length}`;
    try {
      outcome = await performOperation(
        deps,
        { orderId: command.orderId, kind: 'refund', requestKey, load: startingWith(order, reload) },
        (current) => nextPart(current, asked - doneOf(current), command.reason),
        now,
      );
    } catch (error) {
      throw partlyDone(error, doneOf(order));
    }
    order = outcome.order;
    const own = order.operations.find((op) => op.requestKey === requestKey);
    if (own?.state === 'failed' && !isResendable(own)) break;
  }
  return { order, ...summaryOf(partsOf(order)) };
}

/** A part's number, from its key `<request key>#<n>`. */
function partNumber(part: Operation): number {
  const key = part.requestKey ?? '';
  return Number(key.slice(key.lastIndexOf('#') + 1));
}

/** The next part: the oldest shipment with room left, for as much of what is left as it holds. */
function nextPart(order: Order, left: number, reason: string | undefined) {
  if (left <= 0) return undefined;
  const target = order.shipments.find((shipment) => roomOf(order, shipment) > 0);
  if (!target?.providerRef || left > order.refundableAmount)
    throw exceeds(order.refundableAmount, order.currency);
  return {
    kind: 'refund' as const,
    amount: Math.min(roomOf(order, target), left),
    targetRef: target.providerRef,
    ...(reason ? { reason } : {}),
  };
}

/** What can still be refunded of a debited shipment: its amount, less refunds done or in flight on it. */
function roomOf(order: Order, shipment: ShipmentRecord): number {
  if (shipment.status !== 'debited' || !shipment.providerRef || shipment.providerRef === UNKNOWN_PROVIDER_REF)
    return 0;
  const inFlight = order.operations
    .filter(
      (op) =>
        op.kind === 'refund' &&
        op.targetRef === shipment.providerRef &&
        (op.state === 'running' || op.state === 'unresolved'),
    )
    .reduce((sum, op) => sum + op.amount, 0);
  return shipment.amount - (shipment.refundedAmount ?? 0) - inFlight;
}

const isResendable = (op: Operation) => op.state === 'failed' && op.failure === 'not_found_at_provider';

/** The request's refund as one operation: the first part's id, the parts' total, the last part's state. */
function summaryOf(parts: Operation[]): { operation?: Operation } {
  const first = parts[0];
  const last = parts.at(-1);
  if (!first || !last) return {};
  const succeeded = parts.filter((op) => op.state === 'succeeded');
  const amount = succeeded.reduce((sum, op) => sum + op.amount, 0);
  return { operation: { ...last, operationId: first.operationId, amount: amount || last.amount } };
}

/**
 * A later part refused after earlier parts of the same request moved money: the request is not
 * refused, it is unfinished. Never a final answer (a caller told "refused" asks again with a new
 * key, and the parts already done would be refunded twice): a retryable 502, and the retry with
 * the same key finds the parts done and does only the rest.
 */
function partlyDone(error: unknown, done: number): unknown {
  if (done === 0 || !(error instanceof HubError) || error.retryable) return error;
  return new HubError(
    'PROVIDER_UNAVAILABLE',
    `Part of the refund (${done} minor units) was made, the rest was refused (${error.code}); retry with the same Idempotency-Key to finish it.`,
    { retryable: true, cause: error },
  );
}

function exceeds(refundable: number, currency: string): StateConflictError {
  return new StateConflictError(
    'AMOUNT_EXCEEDS_CAPTURED',
    `At most ${refundable} ${currency} minor units can still be refunded.`,
  );
}
