/**
 * Flow D, the checkout page: the payment behind a Snipcart payment session is a Lyra payment on
 * shipment, opened on the shopper's first visit for exactly the session's amount and currency
 * (read from Snipcart, server to server: nothing the browser says about the amount counts).
 * The order id follows from the session, so a reload, a second tab or a retry finds the same
 * payment instead of opening another.
 */

import { randomBytes } from 'node:crypto';
import { HubError, StateConflictError } from '../../errors.ts';
import type { Caller } from '../caller.ts';
import { fingerprint } from '../fingerprint.ts';
import type { LyraOrder } from '../lyra/order.ts';
import { asLyra } from '../lyra/order.ts';
import { createLyraPayment, type LyraDeps, renewLyraPayment } from '../lyra/payment.ts';
import { change } from '../order.ts';
import { updateOrder } from '../order-access.ts';
import { STOREFRONT_ORDER_PREFIX } from '../store-location.ts';
import type { SnipcartLink } from './link.ts';
import { snipcartLink } from './link.ts';
import type { SnipcartGateway, SnipcartSession } from './types.ts';

export interface SnipcartCheckoutDeps {
  lyra: LyraDeps;
  snipcart: Pick<SnipcartGateway, 'paymentSession'>;
  /** The store location Snipcart's orders belong to (the keys that may ship them). */
  location: string;
}

/** The hub's order id for a payment session: at most 64 characters, as Lyra requires. */
export function snipcartOrderId(sessionId: string): string {
  return `${STOREFRONT_ORDER_PREFIX}${sessionId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 59)}`;
}

/** Who opens Snipcart's payments: Snipcart's shopper, on behalf of the configured location. */
export const snipcartCaller = (location: string): Caller => ({
  keyId: 'snipcart',
  role: 'location',
  location,
});

export interface SnipcartCheckout {
  session: SnipcartSession;
  order: LyraOrder;
}

/** The session's payment: opened now, or found as an earlier visit left it. */
export async function openSnipcartCheckout(
  deps: SnipcartCheckoutDeps,
  publicToken: string,
  now: Date,
): Promise<SnipcartCheckout> {
  const session = await deps.snipcart.paymentSession(publicToken);
  const { amount, currency } = session.invoice;
  if (amount <= 0) throw new HubError('VALIDATION_FAILED', 'This cart has nothing to pay.');
  const orderId = snipcartOrderId(session.id);
  const existing = await deps.lyra.orders.get(orderId);
  if (existing && existing.provider === 'lyra' && snipcartLink(existing)?.sessionId === session.id) {
    // The session's amount is fixed by Snipcart; a different one would be another payment.
    if (existing.amount !== amount || existing.currency !== currency)
      throw new StateConflictError('ORDER_EXISTS', 'This checkout was opened for another amount.');
    if (existing.payment.state !== 'creating') {
      const visited = await remember(deps, asLyra(existing), publicToken, now);
      // A refused card closed the form: the shopper gets a new one for the same cart.
      return { session, order: await renewLyraPayment(deps.lyra, visited, customerOf(session), now) };
    }
  }
  const order = await createLyraPayment(
    deps.lyra,
    {
      orderId,
      amount,
      currency,
      customer: customerOf(session),
      metadata: { snipcartSessionId: session.id },
      caller: snipcartCaller(deps.location),
      // The same session always asks for the same payment: a visit may resume an interrupted one.
      fingerprint: fingerprint({ snipcartSession: session.id, amount, currency }),
      storefront: { ...newLink(session), publicToken },
    },
    now,
  );
  return { session, order };
}

/** Keeps the visit's public token on the order (the address of the checkout page after the return). */
async function remember(
  deps: SnipcartCheckoutDeps,
  order: LyraOrder,
  publicToken: string,
  now: Date,
): Promise<LyraOrder> {
  const link = snipcartLink(order);
  if (!link || link.publicToken === publicToken) return order;
  return asLyra(
    await updateOrder(deps.lyra.orders, order, (current) => {
      const currentLink = snipcartLink(current);
      return currentLink
        ? change(current, { storefront: { ...currentLink, publicToken } }, now, [])
        : undefined;
    }),
  );
}

const customerOf = (session: SnipcartSession) => ({
  ...(session.invoice.email ? { email: session.invoice.email } : {}),
  reference: session.id,
});

function newLink(session: SnipcartSession): SnipcartLink {
  return {
    kind: 'snipcart',
    sessionId: session.id,
    storeUrl: session.paymentAuthorizationRedirectUrl ?? '',
    // The secret of links.refunds: 32 random bytes, never shown but in the URL given to Snipcart.
    refundSecret: randomBytes(32).toString('base64url'),
    confirmation: { state: 'pending', attempts: 0 },
  };
}
