/**
 * The composition root for functions that act on orders of any provider (manage-transaction,
 * the reconciler): the saga with every provider's connector. The reconciler's own needs are in
 * shared/wiring/reconcile.ts; functions that serve one provider import shared/wiring/<provider>.ts.
 */

import { orderRepository } from './data/orders.ts';
import type { SagaDeps } from './domain/operations.ts';
import type { ProviderName } from './domain/order.ts';
import type { PaymentConnector } from './domain/ports.ts';
import { affirmConnector } from './wiring/affirm.ts';
import { lyraConnector } from './wiring/lyra.ts';

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
