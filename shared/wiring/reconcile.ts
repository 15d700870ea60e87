/**
 * The reconciler's composition root: the saga with every provider's connector, each provider's
 * look at a payment, and the storefronts to tell. Kept apart from shared/wiring.ts so that
 * manage-transaction does not load what only the reconciler runs.
 */

import { sweepRepository } from '../data/sweeps.ts';
import { reconcileCheckout } from '../domain/affirm/reconcile.ts';
import { reconcilePayment } from '../domain/lyra/reconcile.ts';
import type { Order, ProviderName } from '../domain/order.ts';
import type { ReconcileDeps } from '../domain/reconcile.ts';
import { confirmWithSnipcart } from '../domain/snipcart/confirm.ts';
import { sagaDeps } from '../wiring.ts';
import { affirmDeps } from './affirm.ts';
import { lyraDeps } from './lyra.ts';
import { snipcartConfirmDeps } from './snipcart-orders.ts';

/**
 * How the reconciler asks each provider about an order's payment: one entry per provider (the
 * type requires it).
 */
const PAYMENT_LOOKS: { [P in ProviderName]: (order: Order<P>, now: Date) => Promise<string> } = {
  affirm: (order, now) => reconcileCheckout(affirmDeps(), order, now),
  lyra: (order, now) => reconcilePayment(lyraDeps(), order, now),
};

/** What the reconciler needs: the saga, the sweeps' lists, and each provider's look at a payment. */
export function reconcileDeps(): ReconcileDeps {
  return {
    saga: sagaDeps(),
    sweeps: sweepRepository,
    lookAtPayment: (order, now) =>
      order.provider === 'affirm' ? PAYMENT_LOOKS.affirm(order, now) : PAYMENT_LOOKS.lyra(order, now),
    // Built only for an order that has a storefront to tell: other stacks need no Snipcart keys.
    tellStorefront: async (order, now) =>
      (await confirmWithSnipcart(snipcartConfirmDeps(), order, now, { respectBackoff: true })).outcome,
  };
}
