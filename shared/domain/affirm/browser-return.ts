/**
 * The customer's browser coming back from Affirm (user_confirmation_url, user_cancel_url). The
 * browser is never trusted: a confirmation is believed only once a read of the checkout at
 * Affirm says so, and then applied like any other checkout event (checkout-events.ts).
 */

import type { AffirmDeps } from './checkout.ts';
import { applyCheckoutEvent } from './checkout-events.ts';
import { isAuthorized } from './order.ts';

/** What the page tells the customer. */
export type BrowserReturn =
  | 'confirmed' // Affirm says confirmed (or the loan is already authorized)
  | 'pending' // Affirm's read does not say (its sandbox answers `unknown`): the webhook or the reconciler will
  | 'not_confirmed' // Affirm says the customer has not finished
  | 'declined'
  | 'expired'
  | 'unknown_checkout';

export async function confirmFromBrowser(
  deps: AffirmDeps,
  checkoutId: string,
  now: Date,
): Promise<BrowserReturn> {
  const order = await deps.orders.findByProviderRef('affirm', checkoutId);
  if (!order) return 'unknown_checkout';
  if (order.provider === 'affirm' && isAuthorized(order)) return 'confirmed';
  const view = await deps.affirm.readCheckout(checkoutId);
  switch (view.status) {
    case 'confirmed':
    case 'authorized':
      await applyCheckoutEvent(deps.orders, { checkoutId, type: 'confirmed', source: 'browser' }, now);
      return 'confirmed';
    case 'declined':
      await applyCheckoutEvent(deps.orders, { checkoutId, type: 'not_approved', source: 'browser' }, now);
      return 'declined';
    case 'expired':
      return 'expired';
    case 'unknown':
      return 'pending';
    default:
      return 'not_confirmed';
  }
}
