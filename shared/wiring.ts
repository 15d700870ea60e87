/**
 * The composition root for functions that act on orders of any provider (manage-transaction,
 * the reconciler): the saga with every provider's connector, and the reconciler's look at each
 * provider's payments. Functions that serve one provider import shared/wiring/<provider>.ts.
 */

import { orderRepository } from './data/orders.ts';
import { sweepRepository } from './data/sweeps.ts';
import { reconcileCheckout } from './domain/affirm/reconcile.ts';
import { reconcilePayment } from './domain/lyra/reconcile.ts';
import type { SagaDeps } from './domain/operations.ts';
import type { Order, ProviderName } from './domain/order.ts';
import type { PaymentConnector } from './domain/ports.ts';
import type { ReconcileDeps } from './domain/reconcile.ts';
import { confirmWithSnipcart } from './domain/snipcart/confirm.ts';
import { affirmConnector, affirmDeps } from './wiring/affirm.ts';
import { lyraConnector, lyraDeps } from './wiring/lyra.ts';
import { snipcartConfirmDeps } from './wiring/snipcart.ts';

/**
 * How each provider's connector is built: one entry per provider, which the type requires, so
 * that a provider added to ProviderName does not compile until it is wired here.
 */
const CONNECTORS: { [P in ProviderName]: () => PaymentConnector } = {
  affirm: affirmConnector,
  lyra: lyraConnector,
};

/** What the operation saga needs: the orders, and the connector of each order's provider. */
export function sagaDeps(): SagaDeps {
  return { orders: orderRepository, connectors: (provider) => CONNECTORS[provider]() };
}

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
