/**
 * Lyra wire <-> hub domain. Status mappings are exhaustive over what providers/lyra.md lists,
 * with an explicit fallback (`other`) for anything else.
 */

import type * as z from 'zod/mini';
import type {
  LyraCreatePaymentRequest,
  LyraPaymentAnswer,
  LyraTransaction,
  LyraWriteResult,
} from '../../domain/lyra/types.ts';
import { ProviderUnavailableError } from '../../errors.ts';
import { unreadableAnswer } from './errors.ts';
import {
  type CreatePaymentWire,
  type PaymentAnswerWire,
  paymentAnswerWire,
  responseCodeAnswerWire,
  type TransactionWire,
  transactionWire,
} from './schemas.ts';

export function mapOperationType(type: string | null | undefined): LyraTransaction['operationType'] {
  switch (type) {
    case 'DEBIT':
    case 'CREDIT':
    case 'VERIFICATION':
      return type;
    default:
      return 'other';
  }
}

/** Lyra's status families (status_reference [C]). */
export function mapTransactionStatus(status: string | null | undefined): LyraTransaction['status'] {
  switch (status) {
    case 'PAID':
    case 'RUNNING':
    case 'UNPAID':
      return status;
    default:
      return 'other';
  }
}

export function mapOrderCycle(cycle: string): LyraPaymentAnswer['orderCycle'] {
  switch (cycle) {
    case 'OPEN':
    case 'CLOSED':
      return cycle;
    default:
      return 'other';
  }
}

export function mapOrderStatus(status: string): LyraPaymentAnswer['orderStatus'] {
  switch (status) {
    case 'PAID':
    case 'UNPAID':
    case 'RUNNING':
    case 'PARTIALLY_PAID': // [?] listed, no example seen
      return status;
    default:
      return 'other';
  }
}

/**
 * Detailed statuses of a transaction Lyra did not carry out: REFUSED and ERROR (names expected,
 * status table row not seen [?]) and NOT_CREATED (Lyra's WooCommerce SDK, cancelled family).
 * Everything else (ACCEPTED, AUTHORISED, CAPTURED, the WAITING_* family, CANCELLED, EXPIRED,
 * unknown names) counts as carried out: a transaction wrongly taken for refused would be sent
 * again, a debit twice.
 */
const NOT_CARRIED_OUT = new Set(['REFUSED', 'ERROR', 'NOT_CREATED']);

export function isRefused(transaction: LyraTransaction): boolean {
  return NOT_CARRIED_OUT.has(transaction.detailedStatus);
}

/** An ISO 8601 instant (UTC, milliseconds) from Lyra's `2018-12-11T19:03:46+00:00`, or undefined. */
export function isoInstant(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The string entries of a metadata map; undefined when there are none (null, `[]`, not an object). */
function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

export function toLyraTransaction(wire: TransactionWire): LyraTransaction {
  const details = wire.transactionDetails ?? undefined;
  const parent = details?.parentTransactionUuid ?? undefined;
  const brand = details?.cardDetails?.effectiveBrand ?? undefined;
  const metadata = stringMap(wire.metadata);
  const creationDate = isoInstant(wire.creationDate);
  return {
    uuid: wire.uuid,
    amount: wire.amount,
    currency: wire.currency ?? '',
    operationType: mapOperationType(wire.operationType),
    status: mapTransactionStatus(wire.status),
    detailedStatus: wire.detailedStatus ?? '',
    ...(parent ? { parentTransactionUuid: parent } : {}),
    ...(metadata ? { metadata } : {}),
    ...(creationDate ? { creationDate } : {}),
    ...(brand ? { brand } : {}),
  };
}

export function toPaymentAnswer(wire: PaymentAnswerWire): LyraPaymentAnswer | undefined {
  const serverDate = isoInstant(wire.serverDate);
  if (!serverDate) return undefined;
  const details = wire.orderDetails;
  const metadata = stringMap(details.metadata);
  return {
    shopId: wire.shopId,
    orderCycle: mapOrderCycle(wire.orderCycle),
    orderStatus: mapOrderStatus(wire.orderStatus),
    serverDate,
    orderDetails: {
      orderTotalAmount: details.orderTotalAmount,
      ...(typeof details.orderEffectiveAmount === 'number'
        ? { orderEffectiveAmount: details.orderEffectiveAmount }
        : {}),
      orderCurrency: details.orderCurrency,
      ...(details.orderId ? { orderId: details.orderId } : {}),
      ...(details.mode ? { mode: details.mode } : {}),
      ...(metadata ? { metadata } : {}),
    },
    transactions: wire.transactions.map(toLyraTransaction),
  };
}

/**
 * A `kr-answer` string (verified first: verify.ts) read as a V4/Payment; undefined when it is not
 * JSON or not a V4/Payment the hub can read.
 */
export function readKrAnswer(krAnswer: string): LyraPaymentAnswer | undefined {
  let json: unknown;
  try {
    json = JSON.parse(krAnswer);
  } catch {
    return undefined;
  }
  const parsed = paymentAnswerWire().safeParse(json);
  return parsed.success ? toPaymentAnswer(parsed.data) : undefined;
}

/** A SUCCESS answer read with `schema`; an unreadable one is an unknown outcome. */
export function parseAnswer<T>(schema: z.ZodMiniType<T>, answer: unknown): T {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) throw unreadableAnswer();
  return parsed.data;
}

/**
 * The SUCCESS answer of a write (CreateShipmentTransaction, CancelOrRefund, Cancel). Its shape is
 * not confirmed [?] (seed 003 shows a transaction; Monetico's page also names
 * Common/ResponseCodeAnswer), so every documented reading is accepted:
 *   - the transaction itself (V4/Transaction or V4/PaymentTransaction);
 *   - an answer carrying it as `transaction`, or as the one non-VERIFICATION entry of `transactions`;
 *   - a ResponseCodeAnswer: responseCode 0 (or none) is success without the transaction; any
 *     other code is an unknown outcome (its meaning is not documented);
 *   - anything else under SUCCESS: success, the transaction unknown.
 * Without the transaction, the caller must find it by reading (Order/Get).
 */
export function readWriteAnswer(answer: unknown): LyraWriteResult {
  const transaction = transactionIn(answer);
  if (transaction) return { transaction };
  const coded = responseCodeAnswerWire().safeParse(answer);
  if (coded.success) {
    const code = coded.data.responseCode;
    if (code !== undefined && code !== null && String(code) !== '0') {
      throw new ProviderUnavailableError(`Lyra answered responseCode ${String(code).slice(0, 16)}.`, {
        publicDetail: 'Lyra answered with a response code the hub does not know.',
      });
    }
  }
  return {};
}

function transactionIn(answer: unknown): LyraTransaction | undefined {
  const direct = transactionWire().safeParse(answer);
  if (direct.success) return toLyraTransaction(direct.data);
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { transaction, transactions } = answer as { transaction?: unknown; transactions?: unknown };
  const nested = transactionWire().safeParse(transaction);
  if (nested.success) return toLyraTransaction(nested.data);
  if (!Array.isArray(transactions)) return undefined;
  const read = transactions.flatMap((entry) => {
    const parsed = transactionWire().safeParse(entry);
    return parsed.success ? [toLyraTransaction(parsed.data)] : [];
  });
  const created = read.filter((t) => t.operationType !== 'VERIFICATION');
  return created.length === 1 ? created[0] : undefined;
}

/** The CreatePayment body: a payment on shipment (one authentication, debits per shipment). */
export function toCreatePaymentWire(request: LyraCreatePaymentRequest): CreatePaymentWire {
  const { email, reference, firstName, lastName, phoneNumber } = request.customer;
  const billing = {
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    ...(phoneNumber ? { phoneNumber } : {}),
  };
  return {
    amount: request.amount,
    currency: request.currency,
    orderId: request.orderId,
    customer: {
      ...(email ? { email } : {}),
      ...(reference ? { reference } : {}),
      ...(Object.keys(billing).length > 0 ? { billingDetails: billing } : {}),
    },
    formAction: 'PAYMENT',
    useCase: 'SHIPMENT_MULTIPLE_AUTHORISATION',
    ipnTargetUrl: request.ipnTargetUrl,
    ...(request.metadata ? { metadata: request.metadata } : {}),
    strongAuthentication: 'AUTO',
  };
}
