/**
 * Tells Snipcart that an order's payment is authorized (`processed`), once, whoever asks first:
 * the shopper's browser coming back (it needs Snipcart's returnUrl) or the reconciler (the tab
 * may be closed). The states and why a lease: link.ts.
 */

import { ConcurrentUpdateError, ProviderUnavailableError } from '../../errors.ts';
import { log } from '../../log.ts';
import { change, event, isPast, type Order } from '../order.ts';
import { updateOrder } from '../order-access.ts';
import { type OrderRepository, ProviderRefusal } from '../ports.ts';
import {
  CONFIRM_LEASE_MS,
  isBeingSent,
  mustConfirm,
  nextAttemptAfter,
  type SnipcartConfirmationState,
  type SnipcartLink,
  snipcartLink,
} from './link.ts';
import type { SnipcartGateway } from './types.ts';

export interface ConfirmDeps {
  orders: OrderRepository;
  snipcart: Pick<SnipcartGateway, 'confirmPayment'>;
  /** The order's refund link for Snipcart (`links.refunds`), secret included. */
  refundsUrl(order: Order, link: SnipcartLink): string;
}

export type ConfirmOutcome =
  /** Snipcart knows (now or before): where the browser goes. */
  | { outcome: 'confirmed'; returnUrl: string }
  /** Nothing to tell yet (not authorized), or no Snipcart link. */
  | { outcome: 'not_due' }
  /** Another sender is telling Snipcart right now. */
  | { outcome: 'in_progress' }
  /** Snipcart did not answer: the reconciler tries again later. */
  | { outcome: 'retry_later' }
  /** Snipcart refused the confirmation: a person must look (logged at error level). */
  | { outcome: 'rejected' };

export async function confirmWithSnipcart(
  deps: ConfirmDeps,
  order: Order,
  now: Date,
  /** The reconciler waits for the backoff after a failed attempt; the shopper's browser does not. */
  options: { respectBackoff?: boolean } = {},
): Promise<ConfirmOutcome> {
  const link = snipcartLink(order);
  if (link?.confirmation.state === 'confirmed' && link.confirmation.returnUrl)
    return { outcome: 'confirmed', returnUrl: link.confirmation.returnUrl };
  if (!link || !mustConfirm(order))
    return { outcome: link?.confirmation.state === 'rejected' ? 'rejected' : 'not_due' };
  if (isBeingSent(link, now)) return { outcome: 'in_progress' };
  const { nextAttemptAt } = link.confirmation;
  if (options.respectBackoff && nextAttemptAt && !isPast(nextAttemptAt, now)) return { outcome: 'not_due' };

  // Claim: the write's version condition lets one sender through.
  const lease = new Date(now.getTime() + CONFIRM_LEASE_MS).toISOString();
  let claimed: Order;
  try {
    claimed = await deps.orders.save(
      change(
        order,
        withConfirmation(link, {
          state: 'sending',
          leaseUntil: lease,
          attempts: link.confirmation.attempts + 1,
        }),
        now,
        [],
      ),
    );
  } catch (error) {
    if (error instanceof ConcurrentUpdateError) return { outcome: 'in_progress' };
    throw error;
  }

  try {
    const { returnUrl } = await deps.snipcart.confirmPayment({
      paymentSessionId: link.sessionId,
      state: 'processed',
      // Stable: every attempt sends the same one, so Snipcart sees one transaction.
      transactionId: order.orderId,
      refundsUrl: deps.refundsUrl(order, link),
    });
    await finish(
      deps,
      claimed,
      lease,
      now,
      { state: 'confirmed', returnUrl, confirmedAt: now.toISOString() },
      'snipcart.confirmed',
    );
    return { outcome: 'confirmed', returnUrl };
  } catch (error) {
    if (error instanceof ProviderRefusal) {
      log.error('snipcart refused the confirmation', { orderId: order.orderId, code: error.providerCode });
      await finish(
        deps,
        claimed,
        lease,
        now,
        { state: 'rejected', lastFailure: `refused (${error.providerCode})` },
        'snipcart.confirmation_rejected',
      );
      return { outcome: 'rejected' };
    }
    if (!(error instanceof ProviderUnavailableError)) throw error;
    log.warn('snipcart did not answer the confirmation', {
      orderId: order.orderId,
      detail: error.publicDetail,
    });
    const attempts = link.confirmation.attempts + 1;
    await finish(
      deps,
      claimed,
      lease,
      now,
      {
        state: 'pending',
        nextAttemptAt: nextAttemptAfter(attempts, now),
        lastFailure: error.publicDetail ?? 'unavailable',
      },
      'snipcart.confirmation_failed',
    );
    return { outcome: 'retry_later' };
  }
}

/** Records the end of this sender's attempt, if the confirmation is still its own (its lease). */
async function finish(
  deps: ConfirmDeps,
  claimed: Order,
  lease: string,
  now: Date,
  patch: Partial<SnipcartConfirmationState>,
  eventType: string,
): Promise<void> {
  await updateOrder(deps.orders, claimed, (current) => {
    const link = snipcartLink(current);
    if (link?.confirmation.state !== 'sending' || link.confirmation.leaseUntil !== lease) return undefined;
    const { leaseUntil: _lease, nextAttemptAt: _next, ...rest } = link.confirmation;
    return change(current, withConfirmation(link, { ...rest, ...patch }), now, [
      event(now, eventType, { attempt: link.confirmation.attempts }),
    ]);
  });
}

function withConfirmation(
  link: SnipcartLink,
  confirmation: Partial<SnipcartConfirmationState>,
): Partial<Order> {
  return {
    storefront: { ...link, confirmation: { ...link.confirmation, ...confirmation } },
  } as Partial<Order>;
}

/** How long the shopper's browser waits for a confirmation another sender is making. */
const BROWSER_WAIT_MS = 5_000;
const BROWSER_POLL_MS = 250;

/**
 * For the shopper's browser, which needs Snipcart's returnUrl: tells Snipcart now, or waits a
 * little for the sender that is telling it. Undefined when Snipcart could not be told now (the
 * reconciler goes on trying).
 */
export async function returnUrlForBrowser(
  deps: ConfirmDeps,
  order: Order,
  clockNow: () => Date,
): Promise<string | undefined> {
  const deadline = clockNow().getTime() + BROWSER_WAIT_MS;
  let current = order;
  for (;;) {
    const result = await confirmWithSnipcart(deps, current, clockNow());
    if (result.outcome === 'confirmed') return result.returnUrl;
    if (result.outcome !== 'in_progress' || clockNow().getTime() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, BROWSER_POLL_MS));
    const fresh = await deps.orders.get(order.orderId);
    if (!fresh) return undefined;
    current = fresh;
  }
}
