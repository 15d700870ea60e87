/**
 * Affirm as the domain sees it: the shapes the use cases exchange with the Affirm
 * gateway, free of wire details (those live in shared/providers/affirm/).
 */

import type { Channel } from '../order.ts';

/** The channels of an Affirm store checkout (API.md: in_store, telesales). */
export type AffirmChannel = Extract<Channel, 'in_store' | 'telesales'>;

/** Where the customer is with the Affirm checkout, as far as the hub knows. */
export type CheckoutState = 'creating' | 'sent' | 'confirmed' | 'declined' | 'expired';

export interface AffirmCheckout {
  state: CheckoutState;
  /** The hub refuses to authorize after this instant (sent to Affirm as checkout_expiration). */
  expiresAt: string;
  checkoutId?: string;
  redirectUrl?: string;
  /** While `creating`: the create attempt that owns the reservation until this instant. */
  leaseUntil?: string;
  /**
   * Names the provider Idempotency-Key of the next authorize call. It changes only after
   * Affirm definitely refused an attempt: a retry after an unknown outcome reuses the key
   * (Affirm replays instead of authorizing twice), while a retry after "not confirmed yet"
   * needs a fresh key, or Affirm would replay the stored refusal.
   */
  authorizeAttempt?: number;
  /** When Affirm said the last event that moved the checkout happened: an older one never moves it again. */
  lastEventAt?: string;
  /** When the reconciler last read this checkout at Affirm without learning anything new. */
  lookedAt?: string;
}

/** What an Affirm order keeps of its own (the order's `payment`). */
export interface AffirmPayment {
  checkout: AffirmCheckout;
  /** The loan (transaction) id, once authorized. */
  transactionId?: string;
  authorizedAt?: string;
}

export interface PersonName {
  first?: string;
  last?: string;
  full?: string;
}

export interface PostalAddress {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  zipcode: string;
  country: string;
}

export interface StoreCheckoutItem {
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
}

/** Everything Affirm needs to open an in-store or telesales checkout. Customer data is passed through, never stored. */
export interface StoreCheckoutRequest {
  orderId: string;
  channel: AffirmChannel;
  amount: number;
  currency: string;
  customer: { name: PersonName; email?: string; phone?: string; address: PostalAddress };
  items?: StoreCheckoutItem[];
  taxAmount?: number;
  shippingAmount?: number;
  storeLocation: string;
  entityName?: string;
  /** The hub will not authorize after this instant; Affirm is told the same. */
  expiresAt: string;
}

export interface StoreCheckoutCreated {
  checkoutId: string;
  redirectUrl: string;
}

export type AffirmTransactionStatus =
  | 'authorized'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'voided'
  | 'auth_expired'
  | 'other';

/** Where the customer is with a checkout, as Affirm reports it (GET /api/v2/checkout/{id}). */
export type AffirmCheckoutStatus =
  | 'sent'
  | 'opened'
  | 'confirmed'
  | 'declined'
  | 'authorized'
  | 'expired'
  | 'unknown';

export interface AffirmCheckoutView {
  checkoutId: string;
  status: AffirmCheckoutStatus;
  orderId?: string;
  amount?: number;
  currency?: string;
}

export interface AffirmTransactionEvent {
  id: string;
  type: 'auth' | 'capture' | 'refund' | 'void' | 'other';
  amount?: number;
  /** The reference_id the hub sent with the operation (its operationId), when Affirm echoes it. */
  referenceId?: string;
  /** When Affirm recorded it (ISO 8601). */
  createdAt?: string;
}

export interface AffirmTransaction {
  id: string;
  checkoutId?: string;
  status: AffirmTransactionStatus;
  amount: number;
  amountRefunded: number;
  currency: string;
  authorizationExpiresAt?: string;
  events: AffirmTransactionEvent[];
}

/** The event id Affirm gives a capture, refund or void. */
export interface AffirmEventRef {
  eventId: string;
  amount?: number;
}

/**
 * Why Affirm refused a request, when it definitely refused it (a 4xx). An ambiguous
 * outcome (5xx, timeout, reset) is a ProviderUnavailableError instead, never one of these.
 */
export type AffirmFailureReason =
  | 'declined'
  | 'not_confirmed'
  | 'checkout_expired'
  | 'already_authorized'
  | 'already_captured'
  | 'already_voided'
  | 'authorization_expired'
  | 'amount_mismatch'
  | 'refund_exceeded'
  | 'not_refundable'
  | 'not_voidable'
  | 'not_found'
  | 'in_progress'
  | 'credentials'
  | 'rejected';

export class AffirmFailure extends Error {
  constructor(
    readonly reason: AffirmFailureReason,
    readonly status: number,
    /** Affirm's own error `type`/`code`, for logs and the order's event log. Never customer data. */
    readonly providerCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'AffirmFailure';
  }
}

export interface AffirmGateway {
  createStoreCheckout(request: StoreCheckoutRequest): Promise<StoreCheckoutCreated>;
  /** Reads a checkout's state; used to reconcile a checkout whose webhook never came. */
  readCheckout(checkoutId: string): Promise<AffirmCheckoutView>;
  /** Authorizes a confirmed checkout. Safe to repeat: the same (checkout, attempt) always sends the same Idempotency-Key. */
  authorize(input: { checkoutId: string; orderId: string; attempt: number }): Promise<AffirmTransaction>;
  /** Reads a transaction with its events. Accepts a transaction id, or a checkout id (see the adapter). */
  readTransaction(id: string): Promise<AffirmTransaction>;
  capture(input: {
    transactionId: string;
    orderId: string;
    operationId: string;
    amount: number;
  }): Promise<AffirmEventRef>;
  refund(input: {
    transactionId: string;
    orderId: string;
    operationId: string;
    amount: number;
  }): Promise<AffirmEventRef>;
  void(input: { transactionId: string; orderId: string; operationId: string }): Promise<AffirmEventRef>;
}
