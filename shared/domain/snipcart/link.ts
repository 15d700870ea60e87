/**
 * An order paid through Snipcart's custom payment gateway (flow D) keeps the payment session it
 * pays, and what Snipcart was told of it, in its core's `storefront`. The payment behind it is
 * the provider's (a Lyra payment on shipment); Snipcart is told once the payment is authorized.
 *
 * Confirmation, a small state machine written with the order's version as condition:
 *
 *   pending ──claim──▶ sending ──Snipcart answered──▶ confirmed
 *      ▲                  │  └──Snipcart refused (4xx)──▶ rejected   (a person must look)
 *      └──outage / lease over──┘   (retried by the reconciler, with backoff)
 *
 * One sender at a time (the lease): the browser return, which needs Snipcart's returnUrl, or the
 * reconciler, which tells Snipcart even when the tab was closed. A sender that dies after Snipcart
 * applied its call leaves `sending` to expire; the next one posts the same confirmation again
 * (same transactionId and refund link), which Snipcart documents as allowed (snipcart.md section 3).
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { isPast, type Order } from '../order.ts';

export interface SnipcartLink {
  kind: 'snipcart';
  /** The payment session's id (Snipcart's `paymentSessionId`). */
  sessionId: string;
  /** The session's `paymentAuthorizationRedirectUrl`: "back to the store". */
  storeUrl: string;
  /** The secret of the order's `links.refunds` URL: Snipcart's refund calls must carry it. */
  refundSecret: string;
  /**
   * The public token of the shopper's last visit: the checkout page's address after the browser
   * return (Snipcart's token for this session; it expires within the hour).
   */
  publicToken?: string;
  confirmation: SnipcartConfirmationState;
}

export interface SnipcartConfirmationState {
  state: 'pending' | 'sending' | 'confirmed' | 'rejected';
  /** Confirmation calls made so far. */
  attempts: number;
  /** While sending: the sender owns the confirmation until then. */
  leaseUntil?: string;
  /** While pending after a failed attempt: not before then. */
  nextAttemptAt?: string;
  /** Snipcart's answer: where the shopper's browser goes next. */
  returnUrl?: string;
  confirmedAt?: string;
  /** The last failure, in the hub's words (never Snipcart's body). */
  lastFailure?: string;
}

/** How long a sender owns the confirmation: beyond the call's timeout. */
export const CONFIRM_LEASE_MS = 30_000;

/** Backoff between attempts after an outage: 10 s, 20 s, 40 s... at most 10 minutes. */
export function nextAttemptAfter(attempts: number, now: Date): string {
  const delay = Math.min(10_000 * 2 ** Math.max(0, attempts - 1), 10 * 60_000);
  return new Date(now.getTime() + delay).toISOString();
}

/** The order's Snipcart link, if it has one. */
export function snipcartLink(order: Order): SnipcartLink | undefined {
  return order.storefront?.kind === 'snipcart' ? order.storefront : undefined;
}

/** A payment Snipcart must be told of: authorized, not yet confirmed, not given up. */
export function mustConfirm(order: Order): boolean {
  const link = snipcartLink(order);
  if (!link || order.authorizedAmount === 0) return false;
  return link.confirmation.state === 'pending' || link.confirmation.state === 'sending';
}

/**
 * True from the authorization until the first attempt to tell Snipcart: the data layer marks the
 * payment item then, for the table stream to wake the reconciler at once (retries after a
 * failure wait for their backoff in the scheduled sweep instead).
 */
export function awaitsFirstTell(order: Order): boolean {
  const link = snipcartLink(order);
  return mustConfirm(order) && link?.confirmation.state === 'pending' && link.confirmation.attempts === 0;
}

/** When the reconciler should tell Snipcart: undefined when there is nothing to tell. */
export function confirmationDueAt(order: Order): string | undefined {
  const link = snipcartLink(order);
  if (!link || !mustConfirm(order)) return undefined;
  const { confirmation } = link;
  if (confirmation.state === 'sending') return confirmation.leaseUntil;
  return confirmation.nextAttemptAt ?? order.updatedAt;
}

/** Whether another sender still owns the confirmation. */
export function isBeingSent(link: SnipcartLink, now: Date): boolean {
  const { state, leaseUntil } = link.confirmation;
  return state === 'sending' && leaseUntil !== undefined && !isPast(leaseUntil, now);
}

/** Constant-time check of the secret a refund call carries (digests, so lengths never leak). */
export function refundSecretMatches(link: SnipcartLink, given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(link.refundSecret), digest(given));
}

/** The part of the order view Snipcart adds (the secret never appears). */
export function snipcartView(link: SnipcartLink) {
  const { state, confirmedAt, attempts } = link.confirmation;
  return {
    sessionId: link.sessionId,
    confirmation: state,
    ...(confirmedAt ? { confirmedAt } : {}),
    attempts,
  };
}
