/**
 * The Affirm simulator's state machines (providers/affirm.md).
 *
 * Checkout:     sent -> opened -> confirmed -> authorized
 *                            \-> not_approved            (customer declines)
 *               any unauthorized checkout past checkout_expiration reads `expired`
 * Transaction:  authorized -> captured -> partially_refunded -> refunded
 *                          \-> voided
 *               authorized past authorization_expiration (30 days) reads `auth_expired`
 *
 * Error bodies follow what Affirm really sends: v1 state errors are 403 with only a
 * `type`; documented errors carry `code`. Two authorize errors are not documented and
 * are marked [UNCONFIRMED]: checkout not yet confirmed, and checkout expired.
 */

import { randomInt } from 'node:crypto';
import type { StoreCheckoutRequestWire } from '#shared/providers/affirm/request-schemas.ts';
import type { SimResponse } from '../common/server.ts';

export const AUTHORIZATION_DAYS = 30;

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
  type: 'auth' | 'capture' | 'refund' | 'void';
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
  status: 'authorized' | 'captured' | 'partially_refunded' | 'refunded' | 'voided';
  amount: number;
  amount_refunded: number;
  currency: string;
  created: string;
  authorization_expiration: string;
  provider_id: number;
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

export class AffirmState {
  readonly checkouts = new Map<string, SimCheckout>();
  readonly transactions = new Map<string, SimTransaction>();
  readonly outbox: OutboxMessage[] = [];

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
    return undefined;
  }

  authorize(checkout: SimCheckout | undefined, orderId: string | undefined): SimResponse {
    if (!checkout) return notFound();
    switch (this.checkoutStatus(checkout)) {
      case 'authorized':
        return affirmError(403, 'already_authorized', 'This checkout has already been authorized.');
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
    const created = this.now();
    const request = checkout.request;
    const transaction: SimTransaction = {
      id: `${randomText(4)}-${randomText(4)}`,
      checkout_id: checkout.id,
      order_id: orderId ?? request.order_id,
      status: 'authorized',
      amount: request.total,
      amount_refunded: 0,
      currency: request.currency ?? 'USD',
      created: created.toISOString(),
      authorization_expiration: new Date(created.getTime() + AUTHORIZATION_DAYS * 86_400_000).toISOString(),
      provider_id: 1,
      events: [],
    };
    transaction.events.push(this.event(transaction, 'auth', { amount: transaction.amount }));
    checkout.status = 'authorized';
    checkout.transactionId = transaction.id;
    this.transactions.set(transaction.id, transaction);
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
    if (transaction.status !== 'authorized')
      return affirmError(403, 'already_captured', 'This transaction has already been captured.');
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
    const event = this.event(transaction, 'capture', {
      amount: transaction.amount,
      fee: 0,
      ...(body.order_id ? { order_id: body.order_id } : {}),
      ...(body.reference_id ? { reference_id: body.reference_id } : {}),
    });
    transaction.events.push(event);
    return { status: 200, body: event };
  }

  refund(
    transaction: SimTransaction | undefined,
    body: { amount?: number | undefined; reference_id?: string | null },
  ): SimResponse {
    if (!transaction) return notFound();
    if (transaction.status === 'authorized') {
      return affirmError(
        403,
        'refund_forbidden_on_authorized',
        'Cannot refund a transaction that has not been captured.',
      );
    }
    if (transaction.status === 'voided')
      return affirmError(403, 'refund_forbidden_on_voided', 'Cannot refund a voided transaction.');
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
    const event = this.event(transaction, 'refund', {
      amount,
      fee_refunded: 0,
      ...(body.reference_id ? { reference_id: body.reference_id } : {}),
    });
    transaction.events.push(event);
    return { status: 200, body: event };
  }

  void(transaction: SimTransaction | undefined, body: { reference_id?: string | null }): SimResponse {
    if (!transaction) return notFound();
    if (transaction.status === 'voided')
      return affirmError(403, 'already_voided', 'This transaction has already been voided.'); // [UNCONFIRMED] type
    if (transaction.status !== 'authorized')
      return affirmError(403, 'void_forbidden_on_captured', 'Cannot void a captured transaction.');
    if (this.transactionStatus(transaction) === 'auth_expired') {
      return affirmError(400, 'invalid_request', 'The authorization has expired.', {
        code: 'expired-authorization',
      });
    }
    transaction.status = 'voided';
    const event = this.event(
      transaction,
      'void',
      body.reference_id ? { reference_id: body.reference_id } : {},
    );
    transaction.events.push(event);
    return { status: 200, body: event };
  }

  private event(transaction: SimTransaction, type: SimEvent['type'], fields: Partial<SimEvent>): SimEvent {
    return {
      id: randomText(16),
      type,
      currency: transaction.currency,
      created: this.now().toISOString(),
      ...fields,
    };
  }
}
