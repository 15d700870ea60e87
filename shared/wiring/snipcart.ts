/**
 * The composition root of Snipcart's side: its gateway, built from configuration once per
 * container, and the hub's own Snipcart settings. No table here (the payment-methods function
 * has none); what needs the orders is in snipcart-orders.ts.
 */

import { hubConfig } from '../config.ts';
import type { SnipcartSettings } from '../domain/snipcart/methods.ts';
import type { SnipcartGateway } from '../domain/snipcart/types.ts';
import { log } from '../log.ts';
import { SnipcartClient } from '../providers/snipcart/client.ts';
import { snipcartConfig, snipcartSecret } from '../providers/snipcart/config.ts';
import { createSnipcartGateway } from '../providers/snipcart/gateway.ts';
import { forgetSecret, secretJson } from '../secrets.ts';

/**
 * The hub's own Snipcart settings (not Snipcart's): read from the environment with defaults, as
 * the stack leaves them unset unless the merchant sets them.
 *   SNIPCART_CURRENCIES   currencies offered, comma-separated (default EUR: the Lyra shop's)
 *   SNIPCART_LOCATION     the store location Snipcart's orders belong to (default snipcart)
 *   SNIPCART_METHOD_NAME  the method's name in the cart
 */
export function snipcartSettings(): SnipcartSettings & { location: string } {
  const env = process.env;
  return {
    checkoutUrl: `${hubConfig().publicUrl}/v1/snipcart/checkout`,
    currencies: (env.SNIPCART_CURRENCIES ?? 'EUR')
      .split(',')
      .map((code) => code.trim().toUpperCase())
      .filter(Boolean),
    methodName: env.SNIPCART_METHOD_NAME ?? 'Card (charged when your order ships)',
    location: env.SNIPCART_LOCATION ?? 'snipcart',
  };
}

let gateway: SnipcartGateway | undefined;

export function snipcartGateway(): SnipcartGateway {
  if (!gateway) {
    const config = snipcartConfig();
    gateway = createSnipcartGateway(
      new SnipcartClient({
        paymentBaseUrl: config.paymentBaseUrl,
        appBaseUrl: config.appBaseUrl,
        timeoutMs: config.timeoutMs,
        credentials: () => secretJson(config.secretId, (value) => snipcartSecret().parse(value)),
        onCredentialsRejected: () => forgetSecret(config.secretId),
        log,
      }),
    );
  }
  return gateway;
}
