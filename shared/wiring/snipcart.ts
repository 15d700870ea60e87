/**
 * The composition root of Snipcart's side: its gateway, built from configuration once per
 * container, and what telling Snipcart of a payment needs. Snipcart's payments are Lyra's
 * payments on shipment; the Lyra side comes from shared/wiring/lyra.ts.
 */

import { hubConfig } from '../config.ts';
import { orderRepository } from '../data/orders.ts';
import type { ConfirmDeps } from '../domain/snipcart/confirm.ts';
import type { SnipcartGateway } from '../domain/snipcart/types.ts';
import { log } from '../log.ts';
import { SnipcartClient } from '../providers/snipcart/client.ts';
import { SnipcartSecret, snipcartConfig } from '../providers/snipcart/config.ts';
import { createSnipcartGateway } from '../providers/snipcart/gateway.ts';
import { forgetSecret, secretJson } from '../secrets.ts';

let gateway: SnipcartGateway | undefined;

export function snipcartGateway(): SnipcartGateway {
  if (!gateway) {
    const config = snipcartConfig();
    gateway = createSnipcartGateway(
      new SnipcartClient({
        paymentBaseUrl: config.paymentBaseUrl,
        appBaseUrl: config.appBaseUrl,
        timeoutMs: config.timeoutMs,
        credentials: () => secretJson(config.secretId, (value) => SnipcartSecret.parse(value)),
        onCredentialsRejected: () => forgetSecret(config.secretId),
        log,
      }),
    );
  }
  return gateway;
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
