/**
 * The Affirm simulator's state machines (providers/affirm.md, and the recorded sandbox answers
 * in test/fixtures/affirm/, which win where they differ from the documentation).
 *
 * Checkout:     sent -> opened -> confirmed -> authorized
 *                            \-> not_approved            (customer declines)
 *               any unauthorized checkout past checkout_expiration reads `expired`
 * Transaction:  exists from the customer's confirmation on (recording
 *               get_transaction__success_with_multiple_events: a `confirm` event, provider_id 2)
 *               confirmed -> authorized -> captured -> partially_refunded -> refunded
 *                                       \-> voided
 *               authorized past authorization_expiration reads `auth_expired`; that expiration is
 *               30 days after the transaction's `created`, which is the checkout's creation time
 * Events:       newest first; `confirm`, `auth` and `void` carry no `amount` (as recorded for a
 *               provider_id 2 transaction; the provider_id 1 recording shows an amount on `auth`)
 *
 * Error bodies follow what Affirm really sends: v1 state errors are 403 with only a
 * `type` and the recorded message; documented errors carry `code`. Errors not seen in a
 * recording or the documentation are marked [UNCONFIRMED].
 */

import { randomInt } from 'node:crypto';
import type { StoreCheckoutRequestWire } from '#shared/providers/affirm/request-schemas.ts';
import type { SimResponse } from '../common/server.ts';

export const AUTHORIZATION_DAYS = 30;

/** Simulator modes set through POST /__control/settings; faults and the clock do not reset them. */
export interface SimSettings {
  /** Store and return the `reference_id` sent with capture, refund and void (no recording shows Affirm echoing it). */
  echoReferenceId: boolean;
  /** Answer every checkout read with `checkout_status: "unknown"`, as the only recorded reads do. */
  checkoutStatusUnknown: boolean;
}

export const DEFAULT_SETTINGS: SimSettings = { echoReferenceId: true, checkoutStatusUnknown: false };

export type CheckoutStatus = 'sent' | 'opened' | 'confirmed' | 'not_approved' | 'authorized' | 'expired';

export interface SimCheckout {
  id: string;
  status: Exclude<CheckoutStatus, 'expired'>;
  request: StoreCheckoutRequestWire;
  channel: 'in_store' | 'telesales';
  created: string;
  transactionId?: string;
}

export interface SimEvent {
  id: string;
  type: 'confirm' | 'auth' | 'capture' | 'refund' | 'void';
  amount?: number;
  currency: string;
  created: string;
  fee?: number;
  fee_refunded?: number;
  order_id?: string;
  reference_id?: string;
}

export interface SimTransaction {
  id: string;
  checkout_id: string;
  order_id: string;
  status: 'confirmed' | 'authorized' | 'captured' | 'partially_refunded' | 'refunded' | 'voided';
  amount: number;
  amount_refunded: number;
  currency: string;
  created: string;
  authorization_expiration: string;
  provider_id: number;
  /** Newest first, as Affirm lists them. */
  events: SimEvent[];
}

export interface OutboxMessage {
  at: string;
  checkoutId: string;
  channel: 'email' | 'sms';
  to: string;
  link: string;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const randomText = (length: number) =>
  Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

/** Affirm's error body: `{ status_code, type, code?, message, field? }`. */
export function affirmError(
  status: number,
  type: string,
  message: string,
  extra: { code?: string; field?: string } = {},
): SimResponse {
  return { status, body: { status_code: status, type, message, ...extra } };
}

const notFound = () => affirmError(404, 'not_found', 'The transaction could not be found.');

/** Ids shaped like the recorded provider_id 2 transaction (`LS-4BSY-SV6E`) and its events (`LSE-7MZU-P24E`). */
const transactionId = () => `LS-${randomText(4)}-${randomText(4)}`;
const eventId = () => `LSE-${randomText(4)}-${randomText(4)}`;

export class AffirmState {
  readonly checkouts = new Map<string, SimCheckout>();
  readonly transactions = new Map<string, SimTransaction>();
  readonly outbox: OutboxMessage[] = [];
  readonly settings: SimSettings = { ...DEFAULT_SETTINGS };

  constructor(private readonly now: () => Date) {}

  checkoutStatus(checkout: SimCheckout): CheckoutStatus {
    const expiration = checkout.request.checkout_expiration;
    const unfinished = checkout.status !== 'authorized' && checkout.status !== 'not_approved';
    return unfinished && expiration && this.now().getTime() >= Date.parse(expiration)
      ? 'expired'
      : checkout.status;
  }

  /** Transaction status as read: an authorization past its expiration reads auth_expired. */
  transactionStatus(transaction: SimTransaction): SimTransaction['status'] | 'auth_expired' {
    const expired = this.now().getTime() >= Date.parse(transaction.authorization_expiration);
    return transaction.status === 'authorized' && expired ? 'auth_expired' : transaction.status;
  }

  createCheckout(request: StoreCheckoutRequestWire, redirectUrl: (id: string) => string): SimCheckout {
    const id = randomText(16);
    const mode = String(request.metadata?.mode ?? '').toLowerCase();
    const checkout: SimCheckout = {
      id,
      status: 'sent',
      request,
      channel: mode === 'telesales' ? 'telesales' : 'in_store',
      created: this.now().toISOString(),
    };
    this.checkouts.set(id, checkout);
    // Sandbox behaviour: the link goes by e-mail; SMS only in live, used here when there is no e-mail.
    const email = request.billing.email;
    const phone = request.billing.phone_number;
    if (email || phone) {
      this.outbox.push({
        at: checkout.created,
        checkoutId: id,
        channel: email ? 'email' : 'sms',
        to: email ?? phone ?? '',
        link: redirectUrl(id),
      });
    }
    return checkout;
  }

  /** What the customer does on the link page. Returns an error message when the checkout cannot take it. */
  decide(checkout: SimCheckout, decision: 'approve' | 'decline'): string | undefined {
    const status = this.checkoutStatus(checkout);
    const target = decision === 'approve' ? 'confirmed' : 'not_approved';
    if (status === target) return undefined;
    if (status !== 'sent' && status !== 'opened') return `The checkout is ${status}.`;
    checkout.status = target;
    if (target === 'confirmed') this.confirm(checkout);
    return undefined;
  }

  /** The customer's confirmation creates the transaction, before any authorization. */
  private confirm(checkout: SimCheckout): void {
    const { request } = checkout;
    const transaction: SimTransaction = {
      id: transactionId(),
      checkout_id: checkout.id,
      order_id: request.order_id,
      status: 'confirmed',
      amount: request.total,
      amount_refunded: 0,
      currency: request.currency ?? 'USD',
      created: checkout.created,
      authorization_expiration: new Date(
        Date.parse(checkout.created) + AUTHORIZATION_DAYS * 86_400_000,
      ).toISOString(),
      provider_id: 2,
      events: [],
    };
    this.addEvent(transaction, 'confirm', {});
    checkout.transactionId = transaction.id;
    this.transactions.set(transaction.id, transaction);
  }

  authorize(checkout: SimCheckout | undefined, orderId: string | undefined): SimResponse {
    if (!checkout) return notFound();
    switch (this.checkoutStatus(checkout)) {
      case 'authorized':
        return affirmError(403, 'already_authorized', 'The transaction has already been authorized.');
      case 'not_approved':
        return affirmError(400, 'invalid_request', 'Authorization declined.', { code: 'auth-declined' });
      case 'expired': // [UNCONFIRMED] code and status
        return affirmError(400, 'invalid_request', 'The checkout has expired.', { code: 'checkout-expired' });
      case 'sent':
      case 'opened': // [UNCONFIRMED] code and status
        return affirmError(400, 'invalid_request', 'The customer has not confirmed the checkout.', {
          code: 'checkout-not-confirmed',
          field: 'transaction_id',
        });
      case 'confirmed':
        break;
    }
    const transaction = this.transactions.get(checkout.transactionId ?? '');
    if (!transaction) return notFound();
    if (orderId) transaction.order_id = orderId;
    transaction.status = 'authorized';
    this.addEvent(transaction, 'auth', {});
    checkout.status = 'authorized';
    return { status: 200, body: transaction };
  }

  /** By transaction id, or by checkout id ([UNCONFIRMED] that Affirm accepts the latter). */
  findTransaction(id: string): SimTransaction | undefined {
    const direct = this.transactions.get(id);
    if (direct) return direct;
    const viaCheckout = this.checkouts.get(id)?.transactionId;
    return viaCheckout ? this.transactions.get(viaCheckout) : undefined;
  }

  capture(
    transaction: SimTransaction | undefined,
    body: { amount?: number | undefined; order_id?: string | null; reference_id?: string | null },
  ): SimResponse {
    // A capture on a voided transaction answered 404 in the wild (Salesforce cartridge issue #84).
    if (!transaction || transaction.status === 'voided') return notFound();
    if (transaction.status === 'confirmed') {
      // [UNCONFIRMED] type and message, by analogy with the recorded void_forbidden_on_confirmed.
      return affirmError(
        403,
        'capture_forbidden_on_confirmed',
        'The transaction must be authorized before it may be captured.',
      );
    }
    if (transaction.status !== 'authorized')
      return affirmError(403, 'already_captured', 'The transaction has already been captured.');
    if (this.transactionStatus(transaction) === 'auth_expired') {
      return affirmError(400, 'invalid_request', 'The authorization has expired.', {
        code: 'expired-authorization',
      });
    }
    if (body.amount !== undefined && body.amount !== transaction.amount) {
      return affirmError(
        409,
        'invalid_request',
        'Cannot capture for an amount unequal to the capturable balance.',
        {
          code: 'capture-unequal-instrument',
        },
      );
    }
    transaction.status = 'captured';
    const event = this.addEvent(transaction, 'capture', {
      amount: transaction.amount,
      fee: 0,
      ...(body.order_id ? { order_id: body.order_id } : {}),
      ...this.reference(body.reference_id),
    });
    return { status: 200, body: event };
  }

  refund(
    transaction: SimTransaction | undefined,
    body: { amount?: number | undefined; reference_id?: string | null },
  ): SimResponse {
    if (!transaction) return notFound();
    if (transaction.status === 'confirmed') {
      // [UNCONFIRMED] type and message, by analogy with the recorded refund_forbidden_on_authorized.
      return affirmError(
        403,
        'refund_forbidden_on_confirmed',
        'The transaction is confirmed and may not be refunded.',
      );
    }
    if (transaction.status === 'authorized') {
      return affirmError(
        403,
        'refund_forbidden_on_authorized',
        'The transaction is authorized and may not be refunded. Try voiding the transaction instead.',
      );
    }
    if (transaction.status === 'voided')
      return affirmError(
        403,
        'refund_forbidden_on_voided',
        'The transaction has been voided and cannot be refunded.',
      );
    const remaining = transaction.amount - transaction.amount_refunded;
    const amount = body.amount ?? remaining;
    if (amount > remaining || remaining === 0) {
      return affirmError(400, 'invalid_request', 'The refund amount exceeds the amount left to refund.', {
        code: 'refund-exceeded',
        field: 'amount',
      });
    }
    transaction.amount_refunded += amount;
    transaction.status =
      transaction.amount_refunded === transaction.amount ? 'refunded' : 'partially_refunded';
    const event = this.addEvent(transaction, 'refund', {
      amount,
      fee_refunded: 0,
      ...this.reference(body.reference_id),
    });
    return { status: 200, body: event };
  }

  void(transaction: SimTransaction | undefined, body: { reference_id?: string | null }): SimResponse {
    if (!transaction) return notFound();
    if (transaction.status === 'voided')
      return affirmError(403, 'already_voided', 'The transaction has already been voided.'); // [UNCONFIRMED] type
    if (transaction.status === 'confirmed') {
      return affirmError(
        403,
        'void_forbidden_on_confirmed',
        'The transaction must be authorized before it may be voided.',
      );
    }
    if (transaction.status !== 'authorized') {
      return affirmError(
        403,
        'void_forbidden_on_captured',
        'The transaction has been captured and may no longer be voided.',
      );
    }
    if (this.transactionStatus(transaction) === 'auth_expired') {
      return affirmError(400, 'invalid_request', 'The authorization has expired.', {
        code: 'expired-authorization',
      });
    }
    transaction.status = 'voided';
    const event = this.addEvent(transaction, 'void', this.reference(body.reference_id));
    return { status: 200, body: event };
  }

  /** The reference_id to keep on an event: none when the echoReferenceId setting is off. */
  private reference(referenceId: string | null | undefined): Pick<SimEvent, 'reference_id'> {
    return referenceId && this.settings.echoReferenceId ? { reference_id: referenceId } : {};
  }

  /** Records an event, newest first, and returns it. */
  private addEvent(transaction: SimTransaction, type: SimEvent['type'], fields: Partial<SimEvent>): SimEvent {
    const event: SimEvent = {
      id: eventId(),
      type,
      currency: transaction.currency,
      created: this.now().toISOString(),
      ...fields,
    };
    transaction.events.unshift(event);
    return event;
  }
}
