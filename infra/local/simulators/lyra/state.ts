/**
 * The Lyra simulator's state machines (providers/lyra.md §3-5, the seed's "paiement à l'expédition").
 *
 * Form payment (a form token):  created -> paid | refused       one attempt per token (server.ts)
 * Initial transaction (VERIFICATION, useCase SHIPMENT_MULTIPLE_AUTHORISATION):
 *   ACCEPTED (PAID) -> CANCELLED (UNPAID), only while no shipment exists
 *   ACCEPTED reads EXPIRED (UNPAID) from 180 days after its creation, on the simulator's clock
 *   REFUSED (UNPAID) when the card is refused
 * Shipment (DEBIT, parent = the initial):  AUTHORISED (PAID) -> CANCELLED (UNPAID) while never refunded
 *   (a cancelled shipment gives its amount back to what may still be shipped; a refund does not)
 * Refund (CREDIT, parent = a shipment or a plain payment's DEBIT):  AUTHORISED (PAID)
 * A payment without useCase makes a plain DEBIT (AUTHORISED) instead of a VERIFICATION.
 *
 * Every refusal is a LyraError; server.ts wraps answers in the V4 envelope. Codes marked [?] are
 * choices where Lyra's real answer is unknown (server.ts's header lists them).
 */

import { randomBytes, randomInt } from 'node:crypto';
import {
  type Body,
  cancelError,
  createPaymentError,
  getError,
  invalidInput,
  isObject,
  orderError,
  refundError,
  SHIPMENT_USE_CASE,
  shipmentError,
} from './checks.ts';
import { type LyraError, lyraError, type TransactionFacts } from './wire.ts';

export const VERIFICATION_DAYS = 180;
const DAY_MS = 86_400_000;
/** Order/Get answers at most this many transactions (PSP_015 beyond, providers/lyra.md §5). */
const ORDER_GET_LIMIT = 30;

/** Test cards (providers/lyra.md §6); any other number is refused. */
const TEST_CARDS: Record<string, { accepted: boolean; brand: string; network: string }> = {
  '4970100000000055': { accepted: true, brand: 'CB', network: 'VISA' },
  '5970100300000067': { accepted: true, brand: 'MASTERCARD', network: 'MASTERCARD' },
  '4970100000000113': { accepted: false, brand: 'CB', network: 'VISA' },
};

export interface SimCard {
  /** effectiveBrand (CB for the CB/Visa test cards). */
  brand: string;
  /** The scheme the 3-D Secure part names. */
  network: string;
  /** Masked as Lyra shows it: 497010XXXXXX0055. */
  pan: string;
  expiryMonth: number;
  expiryYear: number;
}

export interface SimPayment {
  formToken: string;
  shopId: string;
  amount: number;
  currency: string;
  orderId: string | null;
  metadata: Record<string, string> | null;
  useCase: typeof SHIPMENT_USE_CASE | null;
  strongAuthentication: string;
  ipnTargetUrl: string | null;
  /** The CreatePayment body as received (the customer is echoed from it). */
  request: Record<string, unknown>;
  createdAt: string;
  status: 'created' | 'paid' | 'refused';
  transactionUuid?: string;
  browserUserAgent?: string;
}

export interface SimTransaction {
  uuid: string;
  shopId: string;
  formToken: string;
  orderId: string | null;
  amount: number;
  currency: string;
  operationType: 'VERIFICATION' | 'DEBIT' | 'CREDIT';
  detailedStatus: 'ACCEPTED' | 'AUTHORISED' | 'REFUSED' | 'CANCELLED';
  creationDate: string;
  metadata: Record<string, string> | null;
  parentTransactionUuid: string | null;
  sequenceNumber: number;
  useCase: typeof SHIPMENT_USE_CASE | null;
  comment: string | null;
  card: SimCard;
  effectiveStrongAuthentication: string;
  liabilityShift: 'YES' | 'NO';
  errorCode: string | null;
  errorMessage: string | null;
  detailedErrorCode: string | null;
  detailedErrorMessage: string | null;
  legacyTransId: string;
  authorizationNumber: string;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (length: number) =>
  Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
const newUuid = () => randomBytes(16).toString('hex');

const transactionNotFound = (uuid: unknown) =>
  lyraError('PSP_010', 'transaction not found', `No transaction found for uuid ${String(uuid)}`);

const canonical = (value: unknown) =>
  JSON.stringify(isObject(value) ? Object.fromEntries(Object.entries(value).sort()) : (value ?? null));

export class LyraState {
  /** Form payments by form token. */
  readonly payments = new Map<string, SimPayment>();
  /** Every transaction by uuid, in creation order. */
  readonly transactions = new Map<string, SimTransaction>();

  constructor(
    private readonly now: () => Date,
    private readonly shop: { shopId: string; currencies: readonly string[] },
  ) {}

  /** Charge/CreatePayment: validates, stores the payment, returns it (its formToken is the answer). */
  createPayment(body: Body): SimPayment | LyraError {
    const invalid = createPaymentError(body, this.shop);
    if (invalid) return invalid;

    const payment: SimPayment = {
      formToken: this.formToken(body),
      shopId: this.shop.shopId,
      amount: body.amount as number,
      currency: body.currency as string,
      orderId: (body.orderId as string | undefined) ?? null,
      metadata: (body.metadata as Record<string, string> | undefined) ?? null,
      useCase: body.useCase === SHIPMENT_USE_CASE ? SHIPMENT_USE_CASE : null,
      strongAuthentication: (body.strongAuthentication as string | undefined) ?? 'AUTO',
      ipnTargetUrl: (body.ipnTargetUrl as string | undefined) ?? null,
      request: body,
      createdAt: this.now().toISOString(),
      status: 'created',
    };
    this.payments.set(payment.formToken, payment);
    return payment;
  }

  /**
   * The shopper pays in the form: one transaction, accepted or refused by the test card. Returns
   * an error (CLIENT_ / INT_ codes, as the form shows them) when the form cannot take the payment.
   */
  pay(
    formToken: string,
    card: { pan: string; expiryMonth: number; expiryYear: number },
    browserUserAgent?: string,
  ): { payment: SimPayment; transaction: SimTransaction } | LyraError {
    const payment = this.payments.get(formToken);
    if (!payment) return lyraError('PSP_903', 'formToken not found or expired', null);
    if (payment.status !== 'created')
      return lyraError('CLIENT_502', 'payment already made', 'One payment attempt per form token');
    const known = TEST_CARDS[card.pan];
    const accepted = known?.accepted ?? false;
    const network =
      known?.network ??
      (card.pan.startsWith('4') ? 'VISA' : card.pan.startsWith('5') ? 'MASTERCARD' : 'UNKNOWN');
    const authenticated = payment.strongAuthentication !== 'DISABLED';
    const transaction: SimTransaction = {
      uuid: newUuid(),
      shopId: payment.shopId,
      formToken,
      orderId: payment.orderId,
      amount: payment.amount,
      currency: payment.currency,
      operationType: payment.useCase ? 'VERIFICATION' : 'DEBIT',
      detailedStatus: accepted ? (payment.useCase ? 'ACCEPTED' : 'AUTHORISED') : 'REFUSED',
      creationDate: this.now().toISOString(),
      metadata: payment.metadata,
      parentTransactionUuid: null,
      sequenceNumber: 1,
      useCase: payment.useCase,
      comment: null,
      card: {
        brand: known?.brand ?? network,
        network,
        pan: `${card.pan.slice(0, 6)}XXXXXX${card.pan.slice(-4)}`,
        expiryMonth: card.expiryMonth,
        expiryYear: card.expiryYear,
      },
      effectiveStrongAuthentication: authenticated ? 'ENABLED' : 'DISABLED',
      liabilityShift: authenticated && accepted ? 'YES' : 'NO',
      errorCode: accepted ? null : 'ACQ_001',
      errorMessage: accepted ? null : 'payment refused',
      detailedErrorCode: accepted ? null : '05',
      detailedErrorMessage: accepted ? null : 'Do not honor',
      legacyTransId: String(randomInt(100_000, 1_000_000)),
      authorizationNumber: randomBytes(3).toString('hex'),
    };
    this.transactions.set(transaction.uuid, transaction);
    payment.status = accepted ? 'paid' : 'refused';
    payment.transactionUuid = transaction.uuid;
    if (browserUserAgent) payment.browserUserAgent = browserUserAgent;
    return { payment, transaction };
  }

  /** Charge/CreateShipmentTransaction: a DEBIT on an accepted, unexpired initial transaction. */
  createShipment(body: Body): SimTransaction | LyraError {
    const invalid = shipmentError(body);
    if (invalid) return invalid;
    const initial = this.transactions.get(body.uuid as string);
    if (!initial) return transactionNotFound(body.uuid);
    const cannot = (why: string) => lyraError('PSP_229', 'unable to create a shipping transaction', why);
    if (initial.operationType !== 'VERIFICATION' || initial.useCase !== SHIPMENT_USE_CASE)
      return cannot(`Transaction ${initial.uuid} is not the initial transaction of a payment on shipment`);
    const { detailedStatus } = this.facts(initial);
    if (detailedStatus === 'EXPIRED')
      return cannot(`The initial transaction expired ${VERIFICATION_DAYS} days after its creation`);
    if (detailedStatus !== 'ACCEPTED') return cannot(`The initial transaction is ${detailedStatus}`);
    if (body.currency !== undefined && body.currency !== initial.currency)
      return invalidInput('INT_010', 'invalid currency', 'currency', body.currency);

    const orderId = (body.orderId as string | undefined) ?? initial.orderId;
    const metadata = (body.metadata as Record<string, string> | undefined) ?? null;
    const shipments = this.children(initial, 'DEBIT').filter((t) => t.detailedStatus !== 'CANCELLED');
    const duplicate = shipments.find(
      (s) =>
        s.amount === body.amount && s.orderId === orderId && canonical(s.metadata) === canonical(metadata),
    );
    if (duplicate) {
      return lyraError(
        'PSP_236',
        'a shipping transaction cannot be duplicated',
        `Same amount, orderId and metadata as shipment ${duplicate.uuid}`,
      );
    }
    const shipped = shipments.reduce((sum, s) => sum + s.amount, 0);
    if (shipped + (body.amount as number) > initial.amount) {
      return lyraError(
        'PSP_546',
        'amount is greater than authorized',
        `${shipped} already shipped of ${initial.amount} authorized; ${String(body.amount)} more refused`,
      );
    }
    return this.add({
      ...initial,
      uuid: newUuid(),
      orderId,
      amount: body.amount as number,
      operationType: 'DEBIT',
      detailedStatus: 'AUTHORISED',
      creationDate: this.now().toISOString(),
      metadata,
      parentTransactionUuid: initial.uuid,
      sequenceNumber: this.children(initial, 'DEBIT').length + 2,
      comment: (body.comment as string | undefined) ?? null,
      legacyTransId: String(randomInt(100_000, 1_000_000)),
      authorizationNumber: randomBytes(3).toString('hex'),
    });
  }

  /** Transaction/CancelOrRefund (and Transaction/Refund): a CREDIT under a DEBIT, never above what it debited. */
  refund(body: Body, service: 'CancelOrRefund' | 'Refund'): SimTransaction | LyraError {
    const invalid = refundError(body, service);
    if (invalid) return invalid;
    const debit = this.transactions.get(body.uuid as string);
    if (!debit) return transactionNotFound(body.uuid);
    if (debit.operationType === 'VERIFICATION')
      return lyraError('PSP_231', 'an initial shipping payment transaction cannot be modified', null);
    if (debit.operationType !== 'DEBIT' || debit.detailedStatus !== 'AUTHORISED')
      return lyraError(
        'PSP_011',
        'incorrect transaction status',
        `The transaction is ${this.facts(debit).detailedStatus} ${debit.operationType}`,
      );
    if (body.currency !== undefined && body.currency !== debit.currency)
      return invalidInput('INT_010', 'invalid currency', 'currency', body.currency);
    const refunded = this.refunded(debit);
    const amount = (body.amount as number | undefined) ?? debit.amount - refunded;
    if (amount > debit.amount)
      return lyraError(
        'PSP_510',
        'refund amount is greater than the initial amount',
        `${amount} > ${debit.amount}`,
      );
    if (amount <= 0 || refunded + amount > debit.amount) {
      return lyraError(
        'PSP_511',
        'sum of refunds exceeds the initial amount',
        `${refunded} already refunded of ${debit.amount}; ${amount} more refused`,
      );
    }
    return this.add({
      ...debit,
      uuid: newUuid(),
      amount,
      operationType: 'CREDIT',
      detailedStatus: 'AUTHORISED',
      creationDate: this.now().toISOString(),
      metadata: null,
      parentTransactionUuid: debit.uuid,
      sequenceNumber: 1,
      comment: (body.comment as string | undefined) ?? null,
      legacyTransId: String(randomInt(100_000, 1_000_000)),
      authorizationNumber: randomBytes(3).toString('hex'),
    });
  }

  /** Transaction/Cancel: an initial without shipments, or a shipment never refunded. */
  cancel(body: Body): SimTransaction | LyraError {
    const invalid = cancelError(body);
    if (invalid) return invalid;
    const transaction = this.transactions.get(body.uuid as string);
    if (!transaction) return transactionNotFound(body.uuid);
    const { detailedStatus } = this.facts(transaction);
    if (detailedStatus === 'CANCELLED') return lyraError('PSP_105', 'transaction already cancelled', null);
    if (transaction.operationType === 'VERIFICATION' && this.children(transaction, 'DEBIT').length > 0) {
      return lyraError(
        'PSP_231',
        'an initial shipping payment transaction cannot be modified',
        'A shipment exists for this initial transaction',
      );
    }
    const cancellable =
      (transaction.operationType === 'VERIFICATION' && detailedStatus === 'ACCEPTED') ||
      (transaction.operationType === 'DEBIT' &&
        detailedStatus === 'AUTHORISED' &&
        this.refunded(transaction) === 0);
    if (!cancellable)
      return lyraError(
        'PSP_011',
        'incorrect transaction status',
        `The transaction is ${detailedStatus} ${transaction.operationType}`,
      );
    transaction.detailedStatus = 'CANCELLED';
    if (typeof body.comment === 'string') transaction.comment = body.comment;
    return transaction;
  }

  /** Transaction/Get. */
  get(body: Body): SimTransaction | LyraError {
    const invalid = getError(body);
    if (invalid) return invalid;
    return this.transactions.get(body.uuid as string) ?? transactionNotFound(body.uuid);
  }

  /** Order/Get: the order's transactions, oldest first; none is an empty list ([?] the real answer). */
  order(body: Body): SimTransaction[] | LyraError {
    const invalid = orderError(body);
    if (invalid) return invalid;
    const found = [...this.transactions.values()].filter(
      (t) =>
        t.orderId === body.orderId &&
        (body.operationType === undefined || t.operationType === body.operationType),
    );
    if (found.length > ORDER_GET_LIMIT) return lyraError('PSP_015', 'too many results', null);
    return found;
  }

  /** The statuses a read shows (an accepted initial reads EXPIRED after 180 days) and the refunded total. */
  facts(transaction: SimTransaction): TransactionFacts {
    const age = this.now().getTime() - Date.parse(transaction.creationDate);
    const expired =
      transaction.operationType === 'VERIFICATION' &&
      transaction.detailedStatus === 'ACCEPTED' &&
      age >= VERIFICATION_DAYS * DAY_MS;
    const detailedStatus = expired ? 'EXPIRED' : transaction.detailedStatus;
    const paid = detailedStatus === 'ACCEPTED' || detailedStatus === 'AUTHORISED';
    const payment = this.payments.get(transaction.formToken);
    if (!payment) throw new Error(`no payment for transaction ${transaction.uuid}`);
    return {
      status: paid ? 'PAID' : 'UNPAID',
      detailedStatus,
      refunded: this.refunded(transaction),
      payment,
    };
  }

  private refunded(transaction: SimTransaction): number {
    return this.children(transaction, 'CREDIT').reduce((sum, credit) => sum + credit.amount, 0);
  }

  private children(parent: SimTransaction, operationType: SimTransaction['operationType']): SimTransaction[] {
    return [...this.transactions.values()].filter(
      (t) => t.parentTransactionUuid === parent.uuid && t.operationType === operationType,
    );
  }

  private add(transaction: SimTransaction): SimTransaction {
    this.transactions.set(transaction.uuid, transaction);
    return transaction;
  }

  /**
   * An opaque token shaped like the recorded one: random text around a base64 part carrying the
   * payment's terms (as the real token carries its form configuration), about 700 characters.
   */
  private formToken(body: Body): string {
    const terms = { amount: body.amount, currency: body.currency, mode: 'TEST', shopId: this.shop.shopId };
    const payload = Buffer.concat([Buffer.from(JSON.stringify(terms)), randomBytes(384)]).toString(
      'base64url',
    );
    return `${randomText(24)}${payload}${randomText(4)}`;
  }
}
