/**
 * What differs per provider in the neutral order, dispatched on `order.provider`: the one
 * place in the core that names each provider's domain module. A new provider adds a case
 * to each function (the compiler lists the ones missing).
 */

import * as affirm from './affirm/order.ts';
import * as lyra from './lyra/order.ts';
import type { Order } from './order.ts';
import { confirmationDueAt } from './snipcart/link.ts';
import type { OrderStatus } from './status.ts';

/** True while the provider's payment is still being opened: the order is nobody's to see yet. */
export function isBeingCreated(order: Order): boolean {
  switch (order.provider) {
    case 'affirm':
      return affirm.isBeingCreated(order);
    case 'lyra':
      return lyra.isBeingCreated(order);
  }
}

/** The status of an order that is not authorized yet (sent, confirmed, awaiting_payment, declined, expired). */
export function statusBeforeAuthorization(order: Order, now: Date): OrderStatus {
  switch (order.provider) {
    case 'affirm':
      return affirm.statusBeforeAuthorization(order, now);
    case 'lyra':
      return lyra.statusBeforeAuthorization(order);
  }
}

/** The provider references that must find the order (checkout id, transaction uuid...). */
export function providerRefs(order: Order): string[] {
  switch (order.provider) {
    case 'affirm':
      return affirm.providerRefs(order);
    case 'lyra':
      return lyra.providerRefs(order);
  }
}

/**
 * When the reconciler should next look at the order: at its payment at the provider, or at the
 * storefront still to be told of it (Snipcart); undefined: nothing to look at.
 */
export function reconcileDueAt(order: Order): string | undefined {
  const atProvider = providerDueAt(order);
  const atStorefront = confirmationDueAt(order);
  if (!atProvider || !atStorefront) return atProvider ?? atStorefront;
  // ISO 8601 instants in UTC: the earlier sorts first.
  return [atProvider, atStorefront].sort()[0];
}

function providerDueAt(order: Order): string | undefined {
  switch (order.provider) {
    case 'affirm':
      return affirm.reconcileDueAt(order);
    case 'lyra':
      return lyra.reconcileDueAt(order);
  }
}

/** The provider's part of the order view, under the provider's name (API.md: `affirm: {...}`, `lyra: {...}`). */
export function providerView(order: Order): Record<string, unknown> {
  switch (order.provider) {
    case 'affirm':
      return { affirm: affirm.affirmView(order) };
    case 'lyra':
      return { lyra: lyra.lyraView(order) };
  }
}
