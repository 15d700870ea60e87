/**
 * Snipcart's custom payment gateway on the wire (providers/snipcart.md, test/fixtures/snipcart/),
 * read tolerantly: looseObject keeps unknown fields (the real session carries undocumented ones:
 * state, availablePaymentMethods, authorization...), optional fields may be absent or null, and
 * only what a decision rests on is required. Built on first use (`once`), as Lyra's are.
 *
 * What the hub sends is typed here too (plain types: the hub builds these bodies itself).
 */

import * as z from 'zod/mini';
import { once } from '../../once.ts';

const nullableText = () => z.optional(z.nullable(z.string()));

/** An invoice line. `discountAmount` is only in the webhook example; addresses are not read. */
export const itemWire = once(() =>
  z.looseObject({
    name: nullableText(),
    unitPrice: z.number(),
    quantity: z.number(),
    type: nullableText(),
    amount: z.number(),
  }),
);

/**
 * The invoice of a session or of a payment methods webhook: major-unit amounts, lower-case
 * currency. Whether its items add up to `amount` is not checked (Snipcart's own example does not).
 */
export const invoiceWire = once(() =>
  z.looseObject({
    amount: z.number(),
    currency: z.string().check(z.regex(/^[A-Za-z]{3}$/)),
    email: nullableText(),
    language: nullableText(),
    targetId: nullableText(),
    items: z.optional(z.nullable(z.array(itemWire()))),
  }),
);
export type InvoiceWire = z.infer<ReturnType<typeof invoiceWire>>;

/**
 * GET payment-session's answer. The docs' prose once spells the redirect URL in PascalCase: both
 * spellings are read, camelCase first.
 */
export const sessionWire = once(() =>
  z.looseObject({
    id: z.string().check(z.minLength(1), z.maxLength(256)),
    paymentAuthorizationRedirectUrl: nullableText(),
    PaymentAuthorizationRedirectUrl: nullableText(),
    invoice: invoiceWire(),
  }),
);
export type SessionWire = z.infer<ReturnType<typeof sessionWire>>;

/** POST payment's answer: `{returnUrl}` (no JSON example exists; other fields are kept and ignored). */
export const confirmationAnswerWire = once(() => z.looseObject({ returnUrl: z.string() }));

/** GET requestvalidation's answer: the PHP sample in the docs checks `token` equals the one sent. */
export const requestValidationWire = once(() => z.looseObject({ token: z.string() }));

/** The payment methods webhook's body. The invoice is read apart, so that a token is read even when it is not. */
export const paymentMethodsWebhookWire = once(() =>
  z.looseObject({ invoice: z.optional(z.unknown()), publicToken: nullableText(), mode: nullableText() }),
);

/** The hub's answer to the payment methods webhook: a bare array. */
export const paymentMethodsAnswerWire = once(() =>
  z.array(
    z.looseObject({
      id: z.string().check(z.minLength(1)),
      name: z.string().check(z.minLength(1)),
      checkoutUrl: z.string().check(z.minLength(1)),
      iconUrl: z.optional(z.string()),
    }),
  ),
);

/** What Snipcart posts to `links.refunds`: major units, no currency. */
export const refundWebhookWire = once(() =>
  z.looseObject({
    paymentId: z.string().check(z.minLength(1), z.maxLength(256)),
    amount: z.number(),
    publicToken: nullableText(),
  }),
);

/** The hub's answer to the refund webhook. */
export const refundAnswerWire = once(() => z.looseObject({ refundId: z.string().check(z.minLength(1)) }));

/** POST payment, as the hub sends it. No amounts: Snipcart has them. */
export interface ConfirmationWire {
  paymentSessionId: string;
  state: 'processing' | 'processed' | 'failed' | 'invalidated';
  transactionId: string;
  error?: { code: string; message?: string };
  instructions?: string;
  links?: { refunds: string };
}
