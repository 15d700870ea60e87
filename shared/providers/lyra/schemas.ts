/**
 * Lyra REST V4 on the wire (providers/lyra.md, test/fixtures/lyra/), read tolerantly:
 * looseObject keeps unknown fields, optional fields may be absent or null, and only what a
 * decision rests on is required (a transaction's uuid and amount). Built on first use (`once`),
 * as Affirm's are, so that a function builds only the answers it reads.
 *
 * What the hub sends is typed here too (plain types: the hub builds these bodies itself).
 */

import * as z from 'zod/mini';
import { once } from '../../once.ts';

const nullableText = () => z.optional(z.nullable(z.string()));

/**
 * The V4 envelope: `{webService, version, applicationVersion, status, answer, ticket, serverDate,
 * applicationProvider, metadata, mode?, serverUrl?, _type}`. The 2019 recordings have no `mode`
 * and no `serverUrl`; only `status` and `answer` are read.
 */
export const envelopeWire = once(() =>
  z.looseObject({
    status: z.enum(['SUCCESS', 'ERROR']),
    answer: z.unknown(),
    webService: nullableText(),
    mode: nullableText(),
    serverUrl: nullableText(),
    // JSON null at envelope level, the string "null" inside an error answer.
    ticket: nullableText(),
  }),
);

/** `V4/WebService/WebServiceError`. `detailedErrorCode` was null in the recorded INT_010. */
export const errorAnswerWire = once(() =>
  z.looseObject({
    errorCode: z.string(),
    errorMessage: nullableText(),
    detailedErrorCode: nullableText(),
    detailedErrorMessage: nullableText(),
    ticket: nullableText(),
  }),
);

/** `V4/Charge/PaymentForm`, CreatePayment's answer. The recorded token is about 2,000 characters. */
export const paymentFormWire = once(() => z.looseObject({ formToken: z.string().check(z.minLength(1)) }));

/**
 * A transaction: `V4/PaymentTransaction` (in a V4/Payment) and `V4/Transaction` (Transaction/Get,
 * Order/Get, the writes' answers) carry the same fields the hub reads. `metadata` is read as
 * anything (null in every recording; a PHP platform may send `[]` for an empty map).
 */
export const transactionWire = once(() =>
  z.looseObject({
    uuid: z.string().check(z.minLength(1)),
    amount: z.int(),
    currency: nullableText(),
    status: nullableText(),
    detailedStatus: nullableText(),
    operationType: nullableText(),
    creationDate: nullableText(),
    metadata: z.optional(z.unknown()),
    transactionDetails: z.optional(
      z.nullable(
        z.looseObject({
          parentTransactionUuid: nullableText(),
          cardDetails: z.optional(z.nullable(z.looseObject({ effectiveBrand: nullableText() }))),
        }),
      ),
    ),
  }),
);
export type TransactionWire = z.infer<ReturnType<typeof transactionWire>>;

/** `V4/OrderTransactions`, Order/Get's answer. */
export const orderTransactionsWire = once(() => z.looseObject({ transactions: z.array(transactionWire()) }));

/** `V4/Payment`: the kr-answer of an IPN or a browser return. */
export const paymentAnswerWire = once(() =>
  z.looseObject({
    shopId: z.string(),
    orderCycle: z.string(),
    orderStatus: z.string(),
    serverDate: z.string(),
    orderDetails: z.looseObject({
      orderTotalAmount: z.int(),
      orderEffectiveAmount: z.optional(z.nullable(z.int())),
      orderCurrency: z.string(),
      orderId: nullableText(),
      mode: nullableText(),
      metadata: z.optional(z.unknown()),
    }),
    transactions: z.array(transactionWire()),
  }),
);
export type PaymentAnswerWire = z.infer<ReturnType<typeof paymentAnswerWire>>;

/**
 * `Common/ResponseCodeAnswer`, one documented reading of CreateShipmentTransaction's answer
 * [?]: a response code (0 taken as success) and perhaps no transaction.
 */
export const responseCodeAnswerWire = once(() =>
  z.looseObject({ responseCode: z.optional(z.nullable(z.union([z.int(), z.string()]))) }),
);

/** Charge/CreatePayment, as the hub sends it. */
export interface CreatePaymentWire {
  amount: number;
  currency: string;
  orderId: string;
  customer: {
    email?: string;
    reference?: string;
    billingDetails?: { firstName?: string; lastName?: string; phoneNumber?: string };
  };
  formAction: 'PAYMENT';
  useCase: 'SHIPMENT_MULTIPLE_AUTHORISATION';
  ipnTargetUrl: string;
  metadata?: Record<string, string>;
  strongAuthentication: 'AUTO';
}

/** Charge/CreateShipmentTransaction, as the hub sends it. */
export interface CreateShipmentWire {
  uuid: string;
  amount: number;
  currency: string;
  orderId: string;
  metadata: { hubOperationId: string };
}

/** Transaction/CancelOrRefund, as the hub sends it. */
export interface CancelOrRefundWire {
  uuid: string;
  amount: number;
  currency: string;
  resolutionMode: 'REFUND_ONLY';
  comment: string;
}
