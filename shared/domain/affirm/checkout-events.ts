/**
 * What the hub learns about a checkout from outside its own calls: Affirm's signed webhook
 * events, and what a read of the checkout at Affirm says (after the customer's browser came
 * back, or when the reconciler looks). One rule set for all of them:
 *
 *   confirmed      sent -> confirmed; a telesales checkout is then authorized by the hub
 *                  (authorize.ts, the one use case that authorizes), not here
 *   not_approved   sent | confirmed -> declined
 *   opened, approved, more_information_needed, sent, anything else
 *                  kept in the event log; the checkout does not move
 *
 * Never backwards: an authorized order's checkout no longer moves; declined and expired are
 * final; and a state-changing event older than the last one applied is only logged. A webhook
 * event is applied once whatever the number of deliveries (its id is recorded in the same write).
 */

import { DuplicateEventError } from '../../errors.ts';
import { change, event, type OrderChange } from '../order.ts';
import type { OrderRepository } from '../ports.ts';
import { type AffirmOrder, asAffirm, isAuthorized, updateAffirmOrder, withCheckout } from './order.ts';

/** Affirm's checkout events (providers/affirm.md, section 3) the hub acts on; others are logged. */
export type CheckoutEventType =
  | 'opened'
  | 'approved'
  | 'more_information_needed'
  | 'sent'
  | 'confirmed'
  | 'not_approved';

export interface CheckoutEvent {
  checkoutId: string;
  /** Affirm's event name (unknown names are logged, never acted on). */
  type: string;
  /** When Affirm says it happened; absent when Affirm did not say. */
  occurredAt?: string;
  /** For a webhook: the id that makes a redelivery a duplicate. Absent for a read of the checkout. */
  eventId?: string;
  source: 'webhook' | 'browser' | 'reconciler';
}

export type CheckoutEventOutcome =
  | { outcome: 'applied' | 'logged'; order: AffirmOrder }
  | { outcome: 'duplicate' }
  | { outcome: 'unknown_checkout' };

/**
 * Applies a checkout event to its order, once. Returns `unknown_checkout` for a checkout the
 * hub did not open (nothing to do), `duplicate` for a webhook event already applied.
 */
export async function applyCheckoutEvent(
  orders: OrderRepository,
  checkoutEvent: CheckoutEvent,
  now: Date,
): Promise<CheckoutEventOutcome> {
  const found = await orders.findByProviderRef('affirm', checkoutEvent.checkoutId);
  if (!found) return { outcome: 'unknown_checkout' };
  let outcome: 'applied' | 'logged' = 'logged';
  try {
    const order = await updateAffirmOrder(orders, asAffirm(found), (current) => {
      const decided = decide(current, checkoutEvent, now);
      outcome = decided.moves ? 'applied' : 'logged';
      return checkoutEvent.eventId
        ? { ...decided.change, providerEvent: { provider: 'affirm', eventId: checkoutEvent.eventId } }
        : decided.moves
          ? decided.change
          : undefined;
    });
    return { outcome, order };
  } catch (error) {
    if (error instanceof DuplicateEventError) return { outcome: 'duplicate' };
    throw error;
  }
}

/** The change an event makes: the checkout's move when it moves one, and its entry in the event log. */
function decide(
  order: AffirmOrder,
  checkoutEvent: CheckoutEvent,
  now: Date,
): { moves: boolean; change: OrderChange & { next: AffirmOrder } } {
  const { checkout } = order.payment;
  const detail = {
    source: checkoutEvent.source,
    ...(checkoutEvent.occurredAt ? { occurredAt: checkoutEvent.occurredAt } : {}),
  };
  const target = targetState(checkoutEvent.type);
  const stale =
    checkoutEvent.occurredAt !== undefined &&
    checkout.lastEventAt !== undefined &&
    checkoutEvent.occurredAt < checkout.lastEventAt;
  const movable =
    !isAuthorized(order) &&
    (checkout.state === 'sent' || (checkout.state === 'confirmed' && target === 'declined'));
  if (!target || !movable || stale || target === checkout.state) {
    const why = !target ? 'informational' : stale ? 'older_than_last' : 'does_not_move_the_checkout';
    return {
      moves: false,
      change: change(order, {}, now, [
        event(now, `checkout.${safeName(checkoutEvent.type)}`, { ...detail, applied: why }),
      ]),
    };
  }
  return {
    moves: true,
    change: change(
      order,
      withCheckout(order, {
        state: target,
        ...(checkoutEvent.occurredAt ? { lastEventAt: checkoutEvent.occurredAt } : {}),
      }),
      now,
      [event(now, `checkout.${target}`, detail)],
    ),
  };
}

function targetState(type: string): 'confirmed' | 'declined' | undefined {
  if (type === 'confirmed') return 'confirmed';
  if (type === 'not_approved') return 'declined';
  return undefined;
}

/** An event name fit for the log: Affirm's documented names, anything else as `other`. */
function safeName(type: string): string {
  return /^[a-z_]{1,40}$/.test(type) ? type : 'other';
}
