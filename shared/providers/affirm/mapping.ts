/**
 * Affirm wire <-> hub domain. Status and error mappings are exhaustive over what
 * providers/affirm.md lists, with an explicit fallback for anything else.
 */

import type * as z from 'zod/mini';
import type {
  AffirmCheckoutStatus,
  AffirmCheckoutView,
  AffirmFailureReason,
  AffirmTransaction,
  AffirmTransactionEvent,
  AffirmTransactionStatus,
  PostalAddress,
  StoreCheckoutRequest,
} from '../../domain/affirm/types.ts';
import { AffirmFailure } from '../../domain/affirm/types.ts';
import { ProviderUnavailableError } from '../../errors.ts';
import type { AffirmResponse } from './client.ts';
import type { StoreCheckoutRequestWire } from './request-schemas.ts';
import {
  type CheckoutWire,
  type ErrorWire,
  errorWire,
  type TransactionEventWire,
  type TransactionWire,
} from './schemas.ts';

export interface MerchantSettings {
  publicApiKey: string;
  confirmationUrl: string;
  cancelUrl: string;
  name?: string;
}

function wireAddress({ line1, line2, city, state, zipcode, country }: PostalAddress) {
  return { line1, ...(line2 ? { line2 } : {}), city, state, zipcode, country };
}

/** The store/telesales checkout request. Amounts are already integer cents. */
export function toStoreCheckoutWire(
  request: StoreCheckoutRequest,
  merchant: MerchantSettings,
): StoreCheckoutRequestWire {
  const { customer } = request;
  const contact = {
    name: customer.name.full
      ? { full: customer.name.full }
      : { first: customer.name.first ?? '', last: customer.name.last ?? '' },
    address: wireAddress(customer.address),
    ...(customer.phone ? { phone_number: customer.phone } : {}),
    ...(customer.email ? { email: customer.email } : {}),
  };
  return {
    merchant: {
      public_api_key: merchant.publicApiKey,
      user_confirmation_url: merchant.confirmationUrl,
      user_cancel_url: merchant.cancelUrl,
      user_confirmation_url_action: 'POST',
      ...(merchant.name ? { name: merchant.name } : {}),
    },
    billing: contact,
    shipping: contact,
    ...(request.items
      ? {
          items: request.items.map((item) => ({
            display_name: item.name,
            sku: item.sku,
            unit_price: item.unitPrice,
            qty: item.quantity,
          })),
        }
      : {}),
    metadata: {
      store_location: request.storeLocation,
      // Affirm's Magento telesales module sends `mode`; Affirm reads the channel from it.
      mode: request.channel === 'telesales' ? 'telesales' : 'In-Store',
      ...(request.entityName ? { entity_name: request.entityName } : {}),
    },
    order_id: request.orderId,
    total: request.amount,
    currency: request.currency as 'USD' | 'CAD',
    ...(request.taxAmount !== undefined ? { tax_amount: request.taxAmount } : {}),
    ...(request.shippingAmount !== undefined ? { shipping_amount: request.shippingAmount } : {}),
    // Affirm wants ISO 8601 without milliseconds.
    checkout_expiration: request.expiresAt.replace(/\.\d{3}Z$/, 'Z'),
  };
}

export function mapTransactionStatus(status: string): AffirmTransactionStatus {
  switch (status) {
    case 'authorized':
    case 'captured':
    case 'partially_refunded':
    case 'refunded':
    case 'voided':
      return status;
    case 'auth_expired':
    case 'expired_authorization':
      return 'auth_expired';
    // Documented or seen (Hyperswitch) but not states the hub acts on: disputes, split
    // capture/void, and pre-authorization states. Read as 'other'; the amounts still count.
    case 'confirmed':
    case 'disputed':
    case 'dispute_refunded':
    case 'partially_captured':
    case 'partially_voided':
    case 'canceled':
    case 'created':
    case 'declined':
    case 'confirmation_expired':
    case 'expired_confirmation':
      return 'other';
    default:
      return 'other';
  }
}

/** Checkout statuses: the webhook events of providers/affirm.md, plus what reads show. */
export function mapCheckoutStatus(status: string | undefined): AffirmCheckoutStatus {
  switch (status) {
    case 'sent':
    case 'opened':
    case 'confirmed':
    case 'authorized':
    case 'expired':
      return status;
    case 'not_approved':
      return 'declined';
    // `approved` and `more_information_needed` are steps before the customer confirms.
    case 'approved':
    case 'more_information_needed':
      return 'opened';
    default:
      return 'unknown';
  }
}

/**
 * The recorded checkout read carries no `checkout_id` (fixture get_checkout__success), so the id is
 * always the one the hub asked for. Its `checkout_status` was `"unknown"`, read as 'unknown'.
 */
export function toCheckoutView(checkoutId: string, wire: CheckoutWire): AffirmCheckoutView {
  return {
    checkoutId,
    status: mapCheckoutStatus(wire.checkout_status),
    ...(wire.order_id ? { orderId: wire.order_id } : {}),
    ...(wire.total !== undefined ? { amount: wire.total } : {}),
    ...(wire.currency ? { currency: wire.currency } : {}),
  };
}

export function mapEventType(type: string): AffirmTransactionEvent['type'] {
  switch (type) {
    case 'auth':
    case 'capture':
    case 'refund':
    case 'void':
      return type;
    case 'split_capture':
      return 'capture';
    case 'partial_void':
      return 'void';
    default:
      return 'other';
  }
}

export function toTransactionEvent(event: TransactionEventWire): AffirmTransactionEvent {
  return {
    id: event.id,
    type: mapEventType(event.type),
    ...(event.amount !== undefined ? { amount: event.amount } : {}),
    ...(event.reference_id ? { referenceId: event.reference_id } : {}),
    ...(event.created && !Number.isNaN(Date.parse(event.created))
      ? { createdAt: new Date(event.created).toISOString() }
      : {}),
  };
}

export function toTransaction(wire: TransactionWire): AffirmTransaction {
  return {
    id: wire.id,
    ...(wire.checkout_id ? { checkoutId: wire.checkout_id } : {}),
    status: mapTransactionStatus(wire.status),
    amount: wire.amount,
    amountRefunded: wire.amount_refunded ?? 0,
    currency: wire.currency ?? 'USD',
    ...(wire.authorization_expiration
      ? { authorizationExpiresAt: new Date(wire.authorization_expiration).toISOString() }
      : {}),
    events: (wire.events ?? []).map(toTransactionEvent),
  };
}

/** Reads a 2xx body. An unreadable success is an unknown outcome, resolved later like a timeout. */
export function parseSuccess<T>(schema: z.ZodMiniType<T>, response: AffirmResponse): T {
  const parsed = schema.safeParse(response.body);
  if (!parsed.success) {
    throw new ProviderUnavailableError('Affirm answered with an unreadable body.', {
      publicDetail: 'Affirm answered with a body the hub could not read.',
    });
  }
  return parsed.data;
}

/** The `type` of a real 403 state error (they carry no `code`). */
const FORBIDDEN_TYPES: Record<string, AffirmFailureReason> = {
  already_authorized: 'already_authorized',
  already_captured: 'already_captured',
  already_voided: 'already_voided',
  refund_forbidden_on_authorized: 'not_refundable',
  refund_forbidden_on_voided: 'not_refundable',
  void_forbidden_on_captured: 'not_voidable',
  void_forbidden_on_confirmed: 'not_voidable',
};

/** Documented `code` values, plus the two checkout codes the hub reads (marked in the simulator as unconfirmed). */
const CODES: Record<string, AffirmFailureReason> = {
  'auth-declined': 'declined',
  'checkout-not-confirmed': 'not_confirmed',
  'checkout-expired': 'checkout_expired',
  'expired-authorization': 'authorization_expired',
  'refund-expired': 'not_refundable',
  'refund-exceeded': 'refund_exceeded',
  'refund-uncaptured': 'not_refundable',
  'refund-voided': 'not_refundable',
  'capture-voided': 'not_found',
  'capture-greater-instrument': 'amount_mismatch',
  'capture-unequal-instrument': 'amount_mismatch',
  'partial-capture-instrument': 'amount_mismatch',
  'capture-declined': 'rejected',
  'capture-limit-exceeded': 'rejected',
  invalid_field: 'rejected',
};

/** Standard reason phrases, for the caller's detail of an unknown outcome (never Affirm's own text). */
const REASON_PHRASES: Record<number, string> = {
  408: 'request timeout',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/**
 * Maps a non-2xx answer. 5xx (and 408/429) is an unknown outcome; 4xx is a definite refusal
 * with a reason. A 2xx never comes here.
 */
export function failureFrom(response: AffirmResponse): AffirmFailure | ProviderUnavailableError {
  const { status } = response;
  if (status >= 500 || status === 408 || status === 429) {
    const phrase = REASON_PHRASES[status];
    return new ProviderUnavailableError(`Affirm answered ${status}.`, {
      publicDetail: `Affirm answered ${status}${phrase ? ` (${phrase})` : ''}.`,
    });
  }
  const parsed = errorWire().safeParse(response.body);
  const error: ErrorWire = parsed.success ? parsed.data : {};
  const type = error.type ?? '';
  const code = error.code ?? '';
  const message = (error.message ?? `HTTP ${status}`).slice(0, 300);
  const providerCode = code || type || `http_${status}`;
  return new AffirmFailure(reasonFor(status, type, code, message), status, providerCode, message);
}

function reasonFor(status: number, type: string, code: string, message: string): AffirmFailureReason {
  if (status === 401 || code.startsWith('public-api-key') || code.startsWith('api-key-pair'))
    return 'credentials';
  if (FORBIDDEN_TYPES[type]) return FORBIDDEN_TYPES[type];
  if (CODES[code]) return CODES[code];
  // 409 is both "idempotency key still processing" and "capture amount unequal" (errors page).
  if (status === 409) return /idempotency|processing/i.test(message) ? 'in_progress' : 'amount_mismatch';
  if (status === 404) return 'not_found';
  return 'rejected';
}
