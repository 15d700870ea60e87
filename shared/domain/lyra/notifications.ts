/**
 * What Lyra says about a payment, whoever carries it: its IPN (signed with the REST password),
 * the browser return (signed with the HMAC key; Lyra's words, carried by the browser), or the
 * reconciler's read of the order. One rule set:
 *
 *   the VERIFICATION accepted (PAID / ACCEPTED or AUTHORISED)  -> authorized: the initial
 *       transaction is kept, the authorization lasts 180 days, the CB guarantee 30 days
 *   refused (UNPAID) once the order is closed                 -> refused: nothing can be shipped
 *   anything else (RUNNING, a refusal while the shopper may    -> logged
 *       still try another card: orderCycle OPEN)
 *
 * Never backwards: an authorized payment no longer moves, and an answer older than the last one
 * applied is only logged. A refused payment may still become authorized: Lyra's form lets the
 * shopper try again, and an accepted verification is an authorization that exists at Lyra, which
 * the hub must know of (ignoring it would leave the card held while the merchant sees a refusal). An answer whose amount or currency differs from the
 * order's is not applied (logged as a mismatch): the hub never authorizes what it did not ask.
 * A notification is applied once, however often delivered (its id is recorded with its effect).
 */

import { DuplicateEventError } from '../../errors.ts';
import { change, event, type OrderChange } from '../order.ts';
import type { OrderRepository } from '../ports.ts';
import {
  AUTHORIZATION_DAYS,
  asLyra,
  GUARANTEE_DAYS,
  type LyraOrder,
  updateLyraOrder,
  withPayment,
} from './order.ts';
import type { LyraPaymentAnswer, LyraPaymentState, LyraTransaction } from './types.ts';

export type LyraAnswerSource = 'ipn' | 'browser' | 'reconciler';

export type LyraAnswerOutcome =
  | { outcome: 'applied' | 'logged'; order: LyraOrder }
  | { outcome: 'duplicate' }
  | { outcome: 'unknown_order' };

const DAY_MS = 86_400_000;

/**
 * The initial transaction of a payment on shipment: among the VERIFICATIONs (every transaction when
 * there is none), the accepted one, else the latest attempt (the order's transactions come oldest first).
 */
export function initialTransaction(
  answer: LyraPaymentAnswer,
  /** Transactions of an earlier form of the payment (renewed after a refusal): never its verdict now. */
  superseded: readonly string[] = [],
): LyraTransaction | undefined {
  const current = answer.transactions.filter((t) => !superseded.includes(t.uuid));
  const verifications = current.filter((t) => t.operationType === 'VERIFICATION');
  const candidates = verifications.length > 0 ? verifications : current;
  return candidates.find((t) => verdict(t) === 'authorized') ?? candidates.at(-1);
}

function verdict(transaction: LyraTransaction | undefined): 'authorized' | 'refused' | undefined {
  if (!transaction) return undefined;
  if (transaction.status === 'PAID' && ['ACCEPTED', 'AUTHORISED'].includes(transaction.detailedStatus))
    return 'authorized';
  if (transaction.status === 'UNPAID') return 'refused';
  return undefined;
}

/**
 * The id that makes a redelivered notification a duplicate: the transaction and what it says.
 * Nothing shows whether a retried IPN keeps its serverDate, so the date is not part of it.
 */
export function notificationId(answer: LyraPaymentAnswer, source: LyraAnswerSource): string {
  const t = initialTransaction(answer);
  return `${source}:${t?.uuid ?? answer.orderDetails.orderId}:${t?.status ?? answer.orderStatus}:${t?.detailedStatus ?? ''}`;
}

export async function applyLyraAnswer(
  orders: OrderRepository,
  answer: LyraPaymentAnswer,
  source: LyraAnswerSource,
  now: Date,
): Promise<LyraAnswerOutcome> {
  const orderId = answer.orderDetails.orderId;
  const found = orderId ? await orders.get(orderId) : undefined;
  if (found?.provider !== 'lyra') return { outcome: 'unknown_order' };
  let outcome: 'applied' | 'logged' = 'logged';
  try {
    const order = await updateLyraOrder(orders, asLyra(found), (current) => {
      const decided = decide(current, answer, source, now);
      outcome = decided.moves ? 'applied' : 'logged';
      // The reconciler's read is not a notification: it is applied only when it moves the payment.
      if (source === 'reconciler') return decided.moves ? decided.change : undefined;
      return {
        ...decided.change,
        providerEvent: { provider: 'lyra', eventId: notificationId(answer, source) },
      };
    });
    return { outcome, order };
  } catch (error) {
    if (error instanceof DuplicateEventError) return { outcome: 'duplicate' };
    throw error;
  }
}

function decide(
  order: LyraOrder,
  answer: LyraPaymentAnswer,
  source: LyraAnswerSource,
  now: Date,
): { moves: boolean; change: OrderChange & { next: LyraOrder } } {
  const transaction = initialTransaction(answer, order.payment.supersededTransactions);
  const target = verdict(transaction);
  const { payment } = order;
  const detail = {
    source,
    orderStatus: answer.orderStatus,
    ...(transaction ? { transactionStatus: transaction.detailedStatus } : {}),
  };
  const log = (why: string) => ({
    moves: false,
    change: change(order, {}, now, [event(now, 'payment.notified', { ...detail, applied: why })]),
  });
  if (
    answer.orderDetails.orderTotalAmount !== order.amount ||
    answer.orderDetails.orderCurrency !== order.currency
  )
    return log('amount_or_currency_mismatch');
  if (!target || !transaction) return log('informational');
  // The transaction that authorizes must hold the whole order too, not only the order's total.
  if (
    target === 'authorized' &&
    (transaction.amount !== order.amount || transaction.currency !== order.currency)
  )
    return log('amount_or_currency_mismatch');
  // A refusal while the form is open: the shopper may try another card.
  if (target === 'refused' && answer.orderCycle === 'OPEN') return log('shopper_may_retry');
  const from: LyraPaymentState[] =
    target === 'authorized' ? ['awaiting_payment', 'refused'] : ['awaiting_payment'];
  if (!from.includes(payment.state)) return log('does_not_move_the_payment');
  if (payment.lastIpnAt && answer.serverDate < payment.lastIpnAt) return log('older_than_last');

  if (target === 'refused') {
    return {
      moves: true,
      change: change(order, withPayment(order, { state: 'refused', lastIpnAt: answer.serverDate }), now, [
        event(now, 'payment.refused', detail),
      ]),
    };
  }
  const authorizedAt = Date.parse(transaction.creationDate ?? answer.serverDate) || now.getTime();
  const cb = (transaction.brand ?? '').toUpperCase() === 'CB';
  return {
    moves: true,
    change: change(
      order,
      {
        authorizedAmount: order.amount,
        capturableAmount: order.amount,
        authorizationExpiresAt: new Date(authorizedAt + AUTHORIZATION_DAYS * DAY_MS).toISOString(),
        ...withPayment(order, {
          state: 'authorized',
          initialTransactionUuid: transaction.uuid,
          lastIpnAt: answer.serverDate,
          ...(transaction.brand ? { brand: transaction.brand } : {}),
          ...(cb
            ? {
                guaranteeEndsAt: new Date(
                  Date.parse(order.createdAt) + GUARANTEE_DAYS * DAY_MS,
                ).toISOString(),
              }
            : {}),
        }),
      },
      now,
      [
        event(now, 'authorization.succeeded', {
          ...detail,
          transactionUuid: transaction.uuid,
          amount: order.amount,
        }),
      ],
    ),
  };
}
