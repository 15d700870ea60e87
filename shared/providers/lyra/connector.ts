/**
 * Lyra's side of the operation saga (PaymentConnector), for a payment on shipment: one debit per
 * shipment from the initial (VERIFICATION) transaction, refunds per shipment transaction, and a
 * void that cancels the initial transaction before any shipment, or else only stops shipments.
 *
 * Lyra has no idempotency key. What makes a lost answer safe is reading: a debit is recognised
 * in Order/Get by the operation id it carries in `metadata.hubOperationId`, and, if Lyra does not
 * echo metadata, by its amount among the order's debits no shipment claims yet; a refund by its
 * amount among the shipment's CREDIT children no refund claims yet. findLanded only reads.
 */

import type { LyraGateway, LyraPayment, LyraTransaction } from '../../domain/lyra/types.ts';
import { type Operation, type Order, UNKNOWN_PROVIDER_REF } from '../../domain/order.ts';
import { type PaymentConnector, type ProviderEffect, ProviderRefusal } from '../../domain/ports.ts';
import { isRefused } from './mapping.ts';

/** The metadata key a debit carries: the hub's operation id. */
export const HUB_OPERATION_ID = 'hubOperationId';

/**
 * How long after a write was last sent Lyra's books showing no trace of it count as "it never
 * landed" (UnknownOutcomePolicy). Lyra has no idempotency key and documents no bound on how late
 * a request it received may still be applied [?]: 5 minutes is thirty times the hub's timeout.
 * Shorter, a slow Lyra applying a refund the hub had dropped or sent again moves money twice or
 * unrecorded (found by a black-box test with a 20 s delay); longer, that one order's refunds and
 * voids wait, and its shipments too when the unknown write is a refund or void (those run alone;
 * beside an unknown shipment, other shipments go on, each on its own reservation).
 */
export const LYRA_QUIET_MS = 5 * 60_000;

/** A void after shipments: nothing is sent to Lyra, the hub only stops further shipments. */
export const SHIPMENTS_STOPPED_REF = 'hub:shipments-stopped';

/** A write Lyra said it did, whose transaction the hub could not identify (ProviderEffect's convention). */
export const UNKNOWN_REF = UNKNOWN_PROVIDER_REF;

/**
 * The order's Lyra data, checked at run time. Until 'lyra' joins the Order union the compiler
 * cannot narrow `order.payment` to it, hence the cast through unknown.
 */
export function lyraPaymentOf(order: Order): LyraPayment {
  if ((order.provider as string) !== 'lyra')
    throw new ProviderRefusal('not_allowed', 'not_lyra', 'The order is not a Lyra order.');
  return (order as unknown as { payment: LyraPayment }).payment;
}

function initialUuidOf(payment: LyraPayment): string {
  if (!payment.initialTransactionUuid)
    throw new ProviderRefusal(
      'not_allowed',
      'no_initial_transaction',
      'The order has no Lyra authorization.',
    );
  return payment.initialTransactionUuid;
}

/** Whether a shipment was debited: a void then stops shipments instead of cancelling the initial transaction. */
function hasDebits(order: Order): boolean {
  return order.capturedAmount > 0 || order.shipments.some((shipment) => shipment.status === 'debited');
}

function declined(transaction: LyraTransaction, what: string): ProviderRefusal {
  return new ProviderRefusal(
    'declined',
    transaction.detailedStatus || 'REFUSED',
    `Lyra refused the ${what} (${transaction.detailedStatus || 'refused'}).`,
  );
}

export function createLyraConnector(gateway: LyraGateway): PaymentConnector {
  return {
    provider: 'lyra',
    // A payment on shipment has no capture: each shipment is a debit.
    capabilities: { capture: 'none', debit: true, unknownOutcome: { quietMs: LYRA_QUIET_MS } },
    // Debits run concurrently (twenty shipments may race, each on its own reservation). A refund
    // runs alone, because a lost one is recognised by its amount among the shipment's refunds;
    // a void too, because it changes what may be debited.
    exclusiveKinds: new Set(['refund', 'void']),

    async execute(order, operation) {
      switch (operation.kind) {
        case 'debit':
          return debit(gateway, order, operation);
        case 'refund':
          return refund(gateway, order, operation);
        case 'void':
          return cancelInitial(gateway, order);
        case 'capture':
          throw new ProviderRefusal(
            'not_allowed',
            'unsupported',
            'A Lyra payment on shipment has no capture.',
          );
      }
    },

    async findLanded(order, operation) {
      switch (operation.kind) {
        case 'debit':
          return landedDebit(gateway, order, operation);
        case 'refund':
          return landedRefund(gateway, order, operation);
        case 'void':
          return landedVoid(gateway, order);
        case 'capture':
          return undefined;
      }
    },

    identify: (order, operation) => identify(gateway, order, operation),
  };
}

async function debit(gateway: LyraGateway, order: Order, operation: Operation): Promise<ProviderEffect> {
  const payment = lyraPaymentOf(order);
  if (payment.shipmentsStopped)
    throw new ProviderRefusal(
      'not_allowed',
      'shipments_stopped',
      'Further shipments were stopped on this order.',
    );
  const initial = initialUuidOf(payment);
  const { transaction } = await gateway.createShipment({
    initialTransactionUuid: initial,
    amount: operation.amount,
    currency: order.currency,
    orderId: order.orderId,
    operationId: operation.operationId,
  });
  if (transaction && transaction.uuid !== initial) {
    if (isRefused(transaction)) throw declined(transaction, 'shipment debit');
    return { providerRef: transaction.uuid, amount: transaction.amount };
  }
  // Lyra said SUCCESS without the debit: find its uuid by reading, as after a lost answer.
  return (await readAfterSuccess(() => landedDebit(gateway, order, operation))) ?? unknownEffect(operation);
}

async function refund(gateway: LyraGateway, order: Order, operation: Operation): Promise<ProviderEffect> {
  lyraPaymentOf(order);
  const target = operation.targetRef;
  if (!target)
    throw new ProviderRefusal(
      'invalid_request',
      'no_target',
      'A Lyra refund names the shipment transaction it refunds.',
    );
  // REFUND_ONLY (gateway.ts), not AUTO: AUTO cancels or lowers a shipment not yet captured,
  // which leaves no CREDIT transaction to find after a lost answer and puts the amount back into
  // Lyra's "remaining to be shipped" while the hub counts it refunded. With REFUND_ONLY a refund
  // is always a CREDIT (as Lyra's PrestaShop plugin expects [S]); a shipment not captured yet is
  // refused by Lyra until it is.
  const { transaction } = await gateway.cancelOrRefund({
    transactionUuid: target,
    amount: operation.amount,
    currency: order.currency,
    operationId: operation.operationId,
  });
  if (transaction && transaction.uuid !== target) {
    if (isRefused(transaction)) throw declined(transaction, 'refund');
    return { providerRef: transaction.uuid, amount: transaction.amount };
  }
  return (await readAfterSuccess(() => landedRefund(gateway, order, operation))) ?? unknownEffect(operation);
}

async function cancelInitial(gateway: LyraGateway, order: Order): Promise<ProviderEffect> {
  const payment = lyraPaymentOf(order);
  // Lyra cancels the initial transaction only while no shipment exists [C]; after one, a void
  // is the hub refusing further shipments, with no call at all.
  if (hasDebits(order)) return { providerRef: SHIPMENTS_STOPPED_REF };
  const initial = initialUuidOf(payment);
  await gateway.cancel({ transactionUuid: initial });
  return { providerRef: initial };
}

/** A read made after Lyra said the write succeeded: its failure leaves the write a success, uuid unknown. */
async function readAfterSuccess(read: () => Promise<ProviderEffect | undefined>) {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

function unknownEffect(operation: Operation): ProviderEffect {
  return { providerRef: UNKNOWN_REF, amount: operation.amount };
}

/** Lyra transactions the order's records already name (ShipmentRecord.providerRef, RefundRecord.providerRefundId). */
function attributed(order: Order, kind: 'debit' | 'refund'): Set<string> {
  const refs =
    kind === 'debit'
      ? order.shipments.map((shipment) => shipment.providerRef)
      : order.refunds.map((record) => record.providerRefundId);
  const done = order.operations.filter((op) => op.kind === kind && op.state === 'succeeded');
  return new Set(
    [...refs, ...done.map((op) => op.providerRef)].filter(
      (ref): ref is string => ref !== undefined && ref !== UNKNOWN_REF,
    ),
  );
}

/**
 * How long before its operation started a Lyra transaction may be dated and still be taken for it.
 * Wide (15 minutes), because the hub's clock and Lyra's may differ and a landed write taken for a
 * lost one is sent again (Lyra has no idempotency key: a second refund); bounded, because an old
 * unclaimed transaction of the same amount (a refund made in Lyra's back office) must not be taken for a write that never landed.
 */
const SKEW_ALLOWANCE_MS = 15 * 60_000;

const notOlderThan = (transaction: LyraTransaction, operation: Operation) =>
  transaction.creationDate === undefined ||
  Date.parse(transaction.creationDate) >= Date.parse(operation.startedAt) - SKEW_ALLOWANCE_MS;

/**
 * Which transaction each succeeded operation of `kind` stands for although the hub never learnt
 * its uuid (Lyra said SUCCESS, the read-back failed: UNKNOWN_REF), operation id to uuid. Each
 * such operation, in the order they started, takes the oldest candidate that could be its (same
 * amount, `fits`, not older than it by SKEW_ALLOWANCE_MS).
 *
 * What it is for: a later write of the same amount whose answer was lost must not take one of
 * them for its own (the hub would record a refund, or debit, that was never made); and
 * `identify` names them so the hub can record their uuid. They all finished before any
 * operation still in flight started (refunds run alone; a debit is found by its metadata when
 * Lyra echoes it), so their transactions are the older ones: taking the oldest never takes an
 * operation's own transaction away from it, which would send it twice.
 */
function allocateUnlearnt(
  order: Order,
  kind: 'debit' | 'refund',
  candidates: LyraTransaction[],
  fits: (operation: Operation, transaction: LyraTransaction) => boolean,
  except?: Operation,
): Map<string, string> {
  const allocation = new Map<string, string>();
  const taken = new Set<string>();
  const unlearnt = order.operations
    .filter(
      (op) =>
        op.kind === kind &&
        op.operationId !== except?.operationId &&
        op.state === 'succeeded' &&
        op.providerRef === UNKNOWN_REF,
    )
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const oldest = [...candidates].sort(oldestFirst);
  for (const op of unlearnt) {
    const its = oldest.find(
      (t) => !taken.has(t.uuid) && t.amount === op.amount && fits(op, t) && notOlderThan(t, op),
    );
    if (!its) continue;
    taken.add(its.uuid);
    allocation.set(op.operationId, its.uuid);
  }
  return allocation;
}

const oldestFirst = (a: LyraTransaction, b: LyraTransaction) =>
  (a.creationDate ?? '').localeCompare(b.creationDate ?? '');

const effectOf = (transaction: LyraTransaction): ProviderEffect => ({
  providerRef: transaction.uuid,
  amount: transaction.amount,
});

/**
 * The order's debits at Lyra that may be the hub's (not refused, not the initial transaction),
 * and whether Lyra echoes the hub's metadata on them.
 */
async function debitsAtLyra(gateway: LyraGateway, order: Order) {
  const initial = lyraPaymentOf(order).initialTransactionUuid;
  const debits = (await gateway.readOrder(order.orderId, 'DEBIT')).filter(
    (t) =>
      t.operationType !== 'CREDIT' &&
      t.operationType !== 'VERIFICATION' &&
      t.uuid !== initial &&
      !isRefused(t),
  );
  const claimed = attributed(order, 'debit');
  const unclaimed = debits.filter(
    (t) =>
      !claimed.has(t.uuid) && (t.parentTransactionUuid === undefined || t.parentTransactionUuid === initial),
  );
  const marked = debits.some((t) => t.metadata?.[HUB_OPERATION_ID] !== undefined);
  const carrying = (operation: Operation) =>
    debits.find((t) => t.metadata?.[HUB_OPERATION_ID] === operation.operationId);
  return { unclaimed, marked, carrying };
}

/**
 * Whether the debit shows in the order at Lyra. First by the operation id it carried in its
 * metadata. If no debit of the order carries the hub's metadata (Lyra does not echo it: not
 * confirmed either way), by an unclaimed debit of the initial transaction with the same amount
 * dated no earlier than SKEW_ALLOWANCE_MS before the operation started; this errs on the side
 * of "it landed" (sending a debit that did land again would debit the customer twice). Refused
 * debits never count.
 */
async function landedDebit(
  gateway: LyraGateway,
  order: Order,
  operation: Operation,
): Promise<ProviderEffect | undefined> {
  const { unclaimed, marked, carrying } = await debitsAtLyra(gateway, order);
  const ours = carrying(operation);
  if (ours) return effectOf(ours);
  if (marked) return undefined;
  const taken = new Set(allocateUnlearnt(order, 'debit', unclaimed, () => true, operation).values());
  const likely = unclaimed
    .filter((t) => !taken.has(t.uuid) && t.amount === operation.amount && notOlderThan(t, operation))
    .sort(oldestFirst)[0];
  return likely ? effectOf(likely) : undefined;
}

/** The order's CREDIT transactions at Lyra no record of the hub claims (not refused). */
async function creditsAtLyra(gateway: LyraGateway, order: Order): Promise<LyraTransaction[]> {
  const claimed = attributed(order, 'refund');
  return (await gateway.readOrder(order.orderId, 'CREDIT')).filter(
    (t) =>
      t.operationType !== 'DEBIT' &&
      t.operationType !== 'VERIFICATION' &&
      !isRefused(t) &&
      !claimed.has(t.uuid),
  );
}

/** Whether a CREDIT may refund the shipment transaction `target` (one naming no parent may). */
const refundsTarget = (operation: Operation, t: LyraTransaction) =>
  t.parentTransactionUuid === undefined || t.parentTransactionUuid === operation.targetRef;

/**
 * Whether the refund shows: an unclaimed CREDIT of the operation's amount whose parent is the
 * shipment it refunds (or that names no parent), dated no earlier than SKEW_ALLOWANCE_MS before
 * the operation started. Sound because refunds run one at a time on an order and every credit
 * the hub made is claimed by a record, or, when the hub never learnt its uuid, by
 * allocateUnlearnt. A 60 s window once took a landed refund for a lost one when the hub's clock
 * was 90 s ahead of Lyra's, and refunded twice. Errs on the side of "it landed".
 */
async function landedRefund(
  gateway: LyraGateway,
  order: Order,
  operation: Operation,
): Promise<ProviderEffect | undefined> {
  lyraPaymentOf(order);
  if (!operation.targetRef) return undefined;
  const unclaimed = await creditsAtLyra(gateway, order);
  const taken = new Set(allocateUnlearnt(order, 'refund', unclaimed, refundsTarget, operation).values());
  const likely = unclaimed
    .filter(
      (t) =>
        !taken.has(t.uuid) &&
        t.amount === operation.amount &&
        refundsTarget(operation, t) &&
        notOlderThan(t, operation),
    )
    .sort(oldestFirst)[0];
  return likely ? effectOf(likely) : undefined;
}

/**
 * The uuid of a succeeded debit or refund recorded as UNKNOWN_REF, when Lyra's books now name it:
 * a debit by its metadata, else (Lyra not echoing metadata) by allocateUnlearnt, as a refund.
 */
async function identify(
  gateway: LyraGateway,
  order: Order,
  operation: Operation,
): Promise<string | undefined> {
  if (operation.state !== 'succeeded' || operation.providerRef !== UNKNOWN_REF) return undefined;
  if (operation.kind === 'debit') {
    const { unclaimed, marked, carrying } = await debitsAtLyra(gateway, order);
    if (marked) return carrying(operation)?.uuid;
    return allocateUnlearnt(order, 'debit', unclaimed, () => true).get(operation.operationId);
  }
  if (operation.kind === 'refund' && operation.targetRef) {
    const unclaimed = await creditsAtLyra(gateway, order);
    return allocateUnlearnt(order, 'refund', unclaimed, refundsTarget).get(operation.operationId);
  }
  return undefined;
}

/** A void landed when shipments stop (nothing was sent), or when the initial transaction reads CANCELLED. */
async function landedVoid(gateway: LyraGateway, order: Order): Promise<ProviderEffect | undefined> {
  const payment = lyraPaymentOf(order);
  if (hasDebits(order)) return { providerRef: SHIPMENTS_STOPPED_REF };
  const initial = initialUuidOf(payment);
  const transaction = await gateway.getTransaction(initial);
  return transaction.detailedStatus === 'CANCELLED' ? { providerRef: initial } : undefined;
}
