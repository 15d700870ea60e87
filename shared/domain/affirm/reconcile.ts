/**
 * The reconciler's look at one Affirm checkout, so that no order is stranded when a webhook is
 * lost or the customer's browser never comes back:
 *
 *   past its expiry                 -> expired, without asking Affirm
 *   confirmed, telesales            -> authorized by the hub (authorize.ts, the one use case)
 *   otherwise, Affirm's checkout    -> confirmed / declined / expired as Affirm says (checkout-events.ts);
 *                                      a telesales checkout Affirm shows confirmed is then authorized
 *   Affirm's read says `unknown`    -> (the recorded sandbox answer) for telesales, an authorize
 *                                      attempt is the question: "not confirmed yet" changes nothing
 *
 * In store, the associate authorizes (flow A): the reconciler only brings the checkout up to date.
 */

import { HubError } from '../../errors.ts';
import type { Caller } from '../caller.ts';
import { change, isPast } from '../order.ts';
import { authorizeCheckout } from './authorize.ts';
import type { AffirmDeps } from './checkout.ts';
import { applyCheckoutEvent } from './checkout-events.ts';
import { type AffirmOrder, isAuthorized, updateAffirmOrder, withCheckout } from './order.ts';

/** The reconciler acts for the merchant, on every location's orders. */
const RECONCILER: Caller = { keyId: 'system:reconciler', role: 'admin' };

export type CheckoutLook = 'authorized' | 'confirmed' | 'declined' | 'expired' | 'unchanged' | 'skipped';

export async function reconcileCheckout(
  deps: AffirmDeps,
  order: AffirmOrder,
  now: Date,
): Promise<CheckoutLook> {
  const { checkout } = order.payment;
  const checkoutId = checkout.checkoutId;
  if (isAuthorized(order) || !checkoutId || (checkout.state !== 'sent' && checkout.state !== 'confirmed'))
    return 'skipped';
  if (isPast(checkout.expiresAt, now)) {
    await updateAffirmOrder(deps.orders, order, (current) =>
      current.payment.checkout.state === 'sent' || current.payment.checkout.state === 'confirmed'
        ? change(current, withCheckout(current, { state: 'expired' }), now, [])
        : undefined,
    );
    return 'expired';
  }
  const telesales = order.channel === 'telesales';
  if (checkout.state === 'confirmed') return telesales ? authorize(deps, checkoutId, now) : 'unchanged';

  const view = await deps.affirm.readCheckout(checkoutId);
  switch (view.status) {
    case 'confirmed':
    case 'authorized':
      await applyCheckoutEvent(deps.orders, { checkoutId, type: 'confirmed', source: 'reconciler' }, now);
      return telesales ? authorize(deps, checkoutId, now) : 'confirmed';
    case 'declined':
      await applyCheckoutEvent(deps.orders, { checkoutId, type: 'not_approved', source: 'reconciler' }, now);
      return 'declined';
    case 'expired':
      await updateAffirmOrder(deps.orders, order, (current) =>
        current.payment.checkout.state === 'sent'
          ? change(current, withCheckout(current, { state: 'expired' }), now, [])
          : undefined,
      );
      return 'expired';
    case 'unknown': {
      if (!telesales) return looked(deps, order, now);
      const result = await authorize(deps, checkoutId, now);
      return result === 'unchanged' ? looked(deps, order, now) : result;
    }
    default:
      return looked(deps, order, now);
  }
}

/** Authorizes through the one use case; a refusal that only says "not yet" is not an error here. */
async function authorize(deps: AffirmDeps, checkoutId: string, now: Date): Promise<CheckoutLook> {
  try {
    const order = await authorizeCheckout(deps, { checkoutId, caller: RECONCILER }, now);
    return isAuthorized(order) ? 'authorized' : 'unchanged';
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    switch (error.code) {
      case 'CHECKOUT_NOT_CONFIRMED':
      case 'OPERATION_IN_PROGRESS':
      case 'PROVIDER_UNAVAILABLE':
        return 'unchanged';
      case 'AUTHORIZATION_DECLINED':
        return 'declined';
      case 'CHECKOUT_EXPIRED':
        return 'expired';
      default:
        throw error;
    }
  }
}

/** Records that Affirm had nothing new, so that the next look comes a few minutes later. */
async function looked(deps: AffirmDeps, order: AffirmOrder, now: Date): Promise<CheckoutLook> {
  await updateAffirmOrder(deps.orders, order, (current) =>
    current.payment.checkout.state === 'sent'
      ? change(current, withCheckout(current, { lookedAt: now.toISOString() }), now, [])
      : undefined,
  );
  return 'unchanged';
}
