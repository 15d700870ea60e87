/**
 * Snipcart's use cases that need the orders: opening the checkout's payment (a Lyra payment on
 * shipment, shared/wiring/lyra.ts) and telling Snipcart of it.
 */

import { hubConfig } from '../config.ts';
import { orderRepository } from '../data/orders.ts';
import type { SnipcartCheckoutDeps } from '../domain/snipcart/checkout.ts';
import type { ConfirmDeps } from '../domain/snipcart/confirm.ts';
import { lyraDeps } from './lyra.ts';
import { snipcartGateway, snipcartSettings } from './snipcart.ts';

export function snipcartCheckoutDeps(): SnipcartCheckoutDeps {
  return { lyra: lyraDeps(), snipcart: snipcartGateway(), location: snipcartSettings().location };
}

/** The order's `links.refunds` URL for Snipcart: the hub's refund route, with the order's secret. */
export function snipcartRefundsUrl(orderId: string, secret: string): string {
  return `${hubConfig().publicUrl}/v1/snipcart/refunds/${encodeURIComponent(orderId)}?secret=${encodeURIComponent(secret)}`;
}

export function snipcartConfirmDeps(): ConfirmDeps {
  return {
    orders: orderRepository,
    snipcart: snipcartGateway(),
    refundsUrl: (order, link) => snipcartRefundsUrl(order.orderId, link.refundSecret),
  };
}
