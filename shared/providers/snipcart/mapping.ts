/**
 * Snipcart wire <-> hub domain. Enumerations are mapped by exhaustive switches with an explicit
 * fallback (`other`); amounts by money.ts, exactly; URLs that reach a browser are kept only when
 * they are http(s) (a `javascript:` link on the hub's page would run in it).
 */

import { timingSafeEqual } from 'node:crypto';
import { ProviderRefusal } from '../../domain/ports.ts';
import type {
  SnipcartConfirmation,
  SnipcartInvoice,
  SnipcartItem,
  SnipcartItemType,
  SnipcartMode,
  SnipcartPaymentMethodsRequest,
  SnipcartRefundRequest,
  SnipcartSession,
} from '../../domain/snipcart/types.ts';
import { unreadableAnswer } from './errors.ts';
import { hubCurrency, toMinorUnits, toSignedMinorUnits } from './money.ts';
import {
  type ConfirmationWire,
  confirmationAnswerWire,
  type InvoiceWire,
  invoiceWire,
  paymentMethodsWebhookWire,
  refundWebhookWire,
  requestValidationWire,
  type SessionWire,
} from './schemas.ts';

/**
 * A token the hub may send on: printable ASCII without spaces, at most 4 KiB (a JWT is well
 * under). Anything else is not Snipcart's and is refused without a call.
 */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/;

export function isTokenShaped(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_SHAPE.test(token);
}

/** `mode`: "Live" on the published docs, "test" in Snipcart's draft: compared case-insensitively [UNCONFIRMED]. */
export function mapMode(mode: string | null | undefined): SnipcartMode {
  switch (mode?.toLowerCase()) {
    case 'live':
      return 'live';
    case 'test':
      return 'test';
    default:
      return 'other';
  }
}

/** Physical | Digital | Tax | Shipping | Discount, any case. */
export function mapItemType(type: string | null | undefined): SnipcartItemType {
  const lower = type?.toLowerCase();
  switch (lower) {
    case 'physical':
    case 'digital':
    case 'tax':
    case 'shipping':
    case 'discount':
      return lower;
    default:
      return 'other';
  }
}

/** The URL when it is an absolute http(s) URL; undefined otherwise. */
export function httpUrl(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const { protocol } = new URL(text);
    return protocol === 'https:' || protocol === 'http:' ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An invoice in minor units and an upper-case code. Throws RangeError when an amount cannot be
 * read exactly in a currency the hub knows (money.ts). The items are converted line by line and
 * never summed: the hub charges `amount`, whatever the lines say.
 */
export function toSnipcartInvoice(wire: InvoiceWire): SnipcartInvoice {
  const currency = hubCurrency(wire.currency);
  const items = (wire.items ?? []).map(
    (item): SnipcartItem => ({
      name: item.name ?? '',
      type: mapItemType(item.type),
      quantity: item.quantity,
      unitPrice: toSignedMinorUnits(item.unitPrice, currency),
      amount: toSignedMinorUnits(item.amount, currency),
    }),
  );
  return {
    amount: toMinorUnits(wire.amount, currency),
    currency,
    ...(wire.email ? { email: wire.email } : {}),
    ...(wire.language ? { language: wire.language } : {}),
    ...(wire.targetId ? { targetId: wire.targetId } : {}),
    items,
  };
}

/**
 * A payment session as the domain reads it. An invoice whose amounts cannot be read exactly is a
 * definite refusal (`invalid_request`): asking again gives the same answer, and charging a rounded
 * amount is not an option.
 */
export function toSnipcartSession(wire: SessionWire): SnipcartSession {
  let invoice: SnipcartInvoice;
  try {
    invoice = toSnipcartInvoice(wire.invoice);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ProviderRefusal(
      'invalid_request',
      'unsupported_amount',
      'The Snipcart session has an amount or currency the hub cannot charge exactly.',
    );
  }
  const back = httpUrl(wire.paymentAuthorizationRedirectUrl) ?? httpUrl(wire.PaymentAuthorizationRedirectUrl);
  return { id: wire.id, ...(back ? { paymentAuthorizationRedirectUrl: back } : {}), invoice };
}

function wireState(state: SnipcartConfirmation['state']): ConfirmationWire['state'] {
  switch (state) {
    case 'processing':
    case 'processed':
    case 'failed':
    case 'invalidated':
      return state;
  }
}

/** POST payment's body: no amount, `refundsUrl` as `links.refunds`. */
export function toConfirmationWire(confirmation: SnipcartConfirmation): ConfirmationWire {
  const { paymentSessionId, state, transactionId, error, instructions, refundsUrl } = confirmation;
  return {
    paymentSessionId,
    state: wireState(state),
    transactionId,
    ...(error ? { error: { code: error.code, ...(error.message ? { message: error.message } : {}) } } : {}),
    ...(instructions ? { instructions } : {}),
    ...(refundsUrl ? { links: { refunds: refundsUrl } } : {}),
  };
}

/** POST payment's 2xx answer: an http(s) `returnUrl`, else an unknown outcome (it may have been applied). */
export function readConfirmationAnswer(body: unknown): { returnUrl: string } {
  const parsed = confirmationAnswerWire().safeParse(body);
  const returnUrl = parsed.success ? httpUrl(parsed.data.returnUrl) : undefined;
  if (!returnUrl) throw unreadableAnswer();
  return { returnUrl };
}

/** Whether requestvalidation's answer echoes `token`, compared in constant time. */
export function requestValidationMatches(body: unknown, token: string): boolean {
  const parsed = requestValidationWire().safeParse(body);
  if (!parsed.success) return false;
  const given = Buffer.from(parsed.data.token, 'utf8');
  const sent = Buffer.from(token, 'utf8');
  return given.length === sent.length && timingSafeEqual(given, sent);
}

/**
 * The payment methods webhook's body (`{ invoice, publicToken, mode }`). The token is read from
 * the body, else from the query string (where Snipcart puts it is [UNCONFIRMED]; the body wins, as
 * in every working integration); it is still to be validated (validatePublicToken). Undefined when
 * the body is not such an object or no well-shaped token is found. The invoice is informational
 * (the hub charges the session's amount): undefined when it cannot be read exactly.
 */
export function readPaymentMethodsRequest(
  body: unknown,
  queryToken?: string,
): SnipcartPaymentMethodsRequest | undefined {
  const parsed = paymentMethodsWebhookWire().safeParse(body);
  if (!parsed.success) return undefined;
  const publicToken = parsed.data.publicToken || queryToken;
  if (!isTokenShaped(publicToken)) return undefined;
  const invoice = readInvoice(parsed.data.invoice);
  return { publicToken, mode: mapMode(parsed.data.mode), ...(invoice ? { invoice } : {}) };
}

function readInvoice(value: unknown): SnipcartInvoice | undefined {
  const parsed = invoiceWire().safeParse(value);
  if (!parsed.success) return undefined;
  try {
    return toSnipcartInvoice(parsed.data);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * The refund webhook's body (`{ paymentId, amount }`, major units) in the order's `currency`.
 * Undefined when unreadable, or when the amount is not a positive amount exactly expressible in
 * that currency (never rounded: a refund of another amount than asked is a wrong refund).
 */
export function readRefundRequest(body: unknown, currency: string): SnipcartRefundRequest | undefined {
  const parsed = refundWebhookWire().safeParse(body);
  if (!parsed.success) return undefined;
  let amount: number;
  try {
    amount = toMinorUnits(parsed.data.amount, currency);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  if (amount <= 0) return undefined;
  const { paymentId, publicToken } = parsed.data;
  return { paymentId, amount, ...(isTokenShaped(publicToken) ? { publicToken } : {}) };
}
