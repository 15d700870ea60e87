/**
 * The Lyra simulator's wire shapes (providers/lyra.md, shared/fixtures/lyra/): the V4 envelope,
 * the error answer, and the objects it answers and sends (V4/Transaction, V4/PaymentTransaction,
 * V4/Payment, V4/OrderTransactions). Every nested object carries its `_type`, as recorded; fields
 * the simulator has no value for are null, as in the recordings.
 */

import type { SimPayment, SimTransaction } from './state.ts';

/** The platform version the simulator claims (the seed's examples show 6.12.0). */
export const APPLICATION_VERSION = '6.12.0';
export const APPLICATION_PROVIDER = 'PAYZEN';
/** The contract number shown in transactionDetails.mid (the recordings' demo shop). */
const MID = '6969696';

/**
 * A Lyra error: `errorCode` PREFIX_NNN, messages as the platform words them. A class, because the
 * transactions the services answer carry errorCode fields too (null).
 */
export class LyraError {
  constructor(
    readonly errorCode: string,
    readonly errorMessage: string,
    readonly detailedErrorMessage: string | null,
    readonly detailedErrorCode: string | null = null,
  ) {}
}

export const lyraError = (
  errorCode: string,
  errorMessage: string,
  detailedErrorMessage: string | null = null,
): LyraError => new LyraError(errorCode, errorMessage, detailedErrorMessage);

export const isLyraError = (value: unknown): value is LyraError => value instanceof LyraError;

/** `2019-05-28T13:02:49+00:00`: the recordings' dates (UTC, seconds, explicit offset). */
export function lyraDate(date: Date | string): string {
  return `${new Date(date).toISOString().slice(0, 19)}+00:00`;
}

/** The error answer: `ticket` is the string "null" here (JSON null at envelope level), as recorded. */
export function errorAnswer(error: LyraError) {
  return {
    errorCode: error.errorCode,
    errorMessage: error.errorMessage,
    detailedErrorCode: error.detailedErrorCode,
    detailedErrorMessage: error.detailedErrorMessage,
    ticket: 'null',
    _type: 'V4/WebService/WebServiceError',
  };
}

/** The V4 envelope, keys in the recorded order, `mode` and `serverUrl` as newer answers show them. */
export function envelope(
  webService: string | null,
  answer: object,
  context: { now: Date; serverUrl: string },
): object {
  const failed = isLyraError(answer);
  return {
    webService,
    version: 'V4',
    applicationVersion: APPLICATION_VERSION,
    status: failed ? 'ERROR' : 'SUCCESS',
    answer: failed ? errorAnswer(answer) : answer,
    ticket: null,
    serverDate: lyraDate(context.now),
    applicationProvider: APPLICATION_PROVIDER,
    metadata: null,
    mode: 'TEST',
    serverUrl: context.serverUrl,
    _type: 'V4/WebService/Response',
  };
}

const nullFields = (names: string[]) => Object.fromEntries(names.map((name) => [name, null]));

/** Keeps the fields of `names` found in `given` (strings and numbers as sent), null for the rest. */
function pick(given: unknown, names: string[]): Record<string, unknown> {
  const source = (typeof given === 'object' && given !== null ? given : {}) as Record<string, unknown>;
  return {
    ...nullFields(names),
    ...Object.fromEntries(names.flatMap((n) => (n in source ? [[n, source[n]]] : []))),
  };
}

const BILLING = [
  'address',
  'category',
  'cellPhoneNumber',
  'city',
  'country',
  'district',
  'firstName',
  'identityCode',
  'language',
  'lastName',
  'phoneNumber',
  'state',
  'streetNumber',
  'title',
  'zipCode',
];
const SHIPPING = [
  'address',
  'address2',
  'category',
  'city',
  'country',
  'deliveryCompanyName',
  'district',
  'firstName',
  'identityCode',
  'lastName',
  'legalName',
  'phoneNumber',
  'shippingMethod',
  'shippingSpeed',
  'state',
  'streetNumber',
  'zipCode',
];

/** The customer as the recordings show it, from what CreatePayment was given and the shopper's browser. */
function customerView(payment: SimPayment) {
  const customer = (payment.request.customer ?? {}) as Record<string, unknown>;
  return {
    billingDetails: { ...pick(customer.billingDetails, BILLING), _type: 'V4/Customer/BillingDetails' },
    email: customer.email ?? null,
    reference: customer.reference ?? null,
    shippingDetails: { ...pick(customer.shippingDetails, SHIPPING), _type: 'V4/Customer/ShippingDetails' },
    extraDetails: {
      browserAccept: null,
      fingerPrintId: null,
      ipAddress: null,
      browserUserAgent: payment.browserUserAgent ?? null,
      _type: 'V4/Customer/ExtraDetails',
    },
    shoppingCart: {
      ...pick(customer.shoppingCart, ['insuranceAmount', 'shippingAmount', 'taxAmount', 'cartItemInfo']),
      _type: 'V4/Customer/ShoppingCart',
    },
    _type: 'V4/Customer/Customer',
  };
}

function orderDetails(payment: SimPayment) {
  return {
    orderTotalAmount: payment.amount,
    orderEffectiveAmount: payment.amount,
    orderCurrency: payment.currency,
    mode: 'TEST',
    orderId: payment.orderId,
    metadata: payment.metadata,
    _type: 'V4/OrderDetails',
  };
}

/** The transaction's card part, shaped like the recorded cardDetails. */
function cardDetails(transaction: SimTransaction, refunded: number) {
  const { card } = transaction;
  const accepted = transaction.errorCode === null;
  const created = lyraDate(transaction.creationDate);
  return {
    paymentSource: 'EC',
    manualValidation: 'NO',
    expectedCaptureDate: transaction.operationType === 'VERIFICATION' || !accepted ? null : created,
    effectiveBrand: card.brand,
    pan: card.pan,
    expiryMonth: card.expiryMonth,
    expiryYear: card.expiryYear,
    country: 'FR',
    emisorCode: null,
    effectiveProductCode: null,
    legacyTransId: transaction.legacyTransId,
    legacyTransDate: created,
    paymentMethodSource: 'NEW',
    authorizationResponse: {
      amount: transaction.amount,
      currency: transaction.currency,
      authorizationDate: created,
      authorizationNumber: accepted ? transaction.authorizationNumber : null,
      authorizationResult: accepted ? '0' : '5',
      authorizationMode: 'FULL',
      _type: 'V4/PaymentMethod/Details/Cards/CardAuthorizationResponse',
    },
    captureResponse: {
      refundAmount: refunded > 0 ? refunded : null,
      captureDate: null,
      captureFileNumber: null,
      refundCurrency: refunded > 0 ? transaction.currency : null,
      _type: 'V4/PaymentMethod/Details/Cards/CardCaptureResponse',
    },
    threeDSResponse: {
      authenticationResultData: {
        transactionCondition: null,
        enrolled: null,
        status: null,
        eci: null,
        xid: null,
        cavvAlgorithm: null,
        cavv: null,
        signValid: null,
        brand: card.network,
        _type: 'V4/PaymentMethod/Details/Cards/CardAuthenticationResponse',
      },
      _type: 'V4/PaymentMethod/Details/Cards/ThreeDSResponse',
    },
    markAuthorizationResponse: {
      amount: null,
      currency: null,
      authorizationDate: null,
      authorizationNumber: null,
      authorizationResult: null,
      _type: 'V4/PaymentMethod/Details/Cards/MarkAuthorizationResponse',
    },
    _type: 'V4/PaymentMethod/Details/CardDetails',
  };
}

/** What a view needs besides the transaction: its read status (expiry applies) and refunded total. */
export interface TransactionFacts {
  status: string;
  detailedStatus: string;
  refunded: number;
  payment: SimPayment;
}

/**
 * A transaction. `V4/PaymentTransaction` inside a V4/Payment (IPN, browser return), `V4/Transaction`
 * when a service answers one (Transaction/Get, shipments, refunds, Order/Get), with the order's
 * details and customer added.
 */
export function transactionView(
  transaction: SimTransaction,
  facts: TransactionFacts,
  type: 'V4/PaymentTransaction' | 'V4/Transaction',
) {
  const view = {
    shopId: transaction.shopId,
    uuid: transaction.uuid,
    amount: transaction.amount,
    currency: transaction.currency,
    paymentMethodType: 'CARD',
    paymentMethodToken: null,
    status: facts.status,
    detailedStatus: facts.detailedStatus,
    operationType: transaction.operationType,
    effectiveStrongAuthentication: transaction.effectiveStrongAuthentication,
    creationDate: lyraDate(transaction.creationDate),
    errorCode: transaction.errorCode,
    errorMessage: transaction.errorMessage,
    detailedErrorCode: transaction.detailedErrorCode,
    detailedErrorMessage: transaction.detailedErrorMessage,
    metadata: transaction.metadata,
    transactionDetails: {
      liabilityShift: transaction.liabilityShift,
      effectiveAmount: transaction.amount,
      effectiveCurrency: transaction.currency,
      creationContext: 'CHARGE',
      cardDetails: cardDetails(transaction, facts.refunded),
      fraudManagement: null,
      parentTransactionUuid: transaction.parentTransactionUuid,
      mid: MID,
      sequenceNumber: transaction.sequenceNumber,
      useCase: transaction.useCase,
      _type: 'V4/TransactionDetails',
    },
    _type: type,
  };
  if (type === 'V4/PaymentTransaction') return view;
  const { _type, ...rest } = view;
  return {
    ...rest,
    orderDetails: { ...orderDetails(facts.payment), orderId: transaction.orderId },
    customer: customerView(facts.payment),
    comment: transaction.comment,
    _type,
  };
}

/** The V4/Payment of a form payment: what the IPN and the browser return carry in kr-answer. */
export function paymentView(
  payment: SimPayment,
  transactions: { transaction: SimTransaction; facts: TransactionFacts }[],
  serverDate: Date,
) {
  return {
    shopId: payment.shopId,
    orderCycle: 'CLOSED',
    orderStatus: payment.status === 'paid' ? 'PAID' : 'UNPAID',
    serverDate: lyraDate(serverDate),
    orderDetails: orderDetails(payment),
    customer: customerView(payment),
    transactions: transactions.map(({ transaction, facts }) =>
      transactionView(transaction, facts, 'V4/PaymentTransaction'),
    ),
    _type: 'V4/Payment',
  };
}
