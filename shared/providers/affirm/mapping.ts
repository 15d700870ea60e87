/**
 * Affirm wire <-> hub domain. Status and error mappings are exhaustive over what
 * providers/affirm.md lists, with an explicit fallback for anything else.
 */

import type * as z from 'zod/mini';
import type {
  AffirmCheckoutStatus,
  AffirmCheckoutView,
  AffirmTransaction,
  AffirmTransactionEvent,
  AffirmTransactionStatus,
  PostalAddress,
  StoreCheckoutRequest,
} from '../../domain/affirm/types.ts';
import { ProviderUnavailableError } from '../../errors.ts';
import type { AffirmResponse } from './client.ts';
import type { StoreCheckoutRequestWire } from './request-schemas.ts';
import type { CheckoutWire, TransactionEventWire, TransactionWire } from './schemas.ts';

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
