/**
 * The composition root: builds the domain's dependencies from configuration, once per
 * container. Handlers take their dependencies from here and nowhere else.
 */

import { hubConfig } from './config.ts';
import { orderRepository } from './data/orders.ts';
import type { AffirmDeps, CheckoutSettings } from './domain/affirm/checkout.ts';
import type { SagaDeps } from './domain/operations.ts';
import type { ProviderName } from './domain/order.ts';
import type { PaymentConnector } from './domain/ports.ts';
import { log } from './log.ts';
import { AffirmClient } from './providers/affirm/client.ts';
import { affirmConfig, affirmSecret } from './providers/affirm/config.ts';
import { createAffirmConnector } from './providers/affirm/connector.ts';
import { createAffirmGateway } from './providers/affirm/gateway.ts';
import { forgetSecret, secretJson } from './secrets.ts';

let affirm: AffirmDeps | undefined;

export function affirmDeps(): AffirmDeps {
  if (!affirm) {
    const config = affirmConfig();
    const { publicUrl } = hubConfig();
    const credentials = () => secretJson(config.secretId, (value) => affirmSecret().parse(value));
    const client = new AffirmClient({
      baseUrl: config.baseUrl,
      timeoutMs: config.timeoutMs,
      credentials,
      onCredentialsRejected: () => forgetSecret(config.secretId),
      log,
    });
    // The customer's browser comes back to these (API.md: POST /v1/affirm/confirm, GET
    // /v1/affirm/cancel). Their pages arrive with the telesales issue (webhook-receiver); until then
    // the hub answers them with its 404 problem, and nothing depends on them: an in-store order is
    // authorized by the associate, never by what the browser says.
    const merchant = {
      confirmationUrl: `${publicUrl}/v1/affirm/confirm`,
      cancelUrl: `${publicUrl}/v1/affirm/cancel`,
      ...(config.merchantName ? { name: config.merchantName } : {}),
    };
    affirm = {
      orders: orderRepository,
      affirm: createAffirmGateway(client, merchant, async () => (await credentials()).publicApiKey),
    };
  }
  return affirm;
}

export function checkoutSettings(): CheckoutSettings {
  return { checkoutTtlSeconds: affirmConfig().checkoutTtlSeconds };
}

/**
 * How each provider's connector is built: one entry per provider, which the type requires, so
 * that a provider added to ProviderName does not compile until it is wired here.
 */
const CONNECTOR_FACTORIES: { [P in ProviderName]: () => PaymentConnector } = {
  affirm: () => createAffirmConnector(affirmDeps().affirm),
};

const connectors = new Map<ProviderName, PaymentConnector>();

/** The connector of a provider, built on first use (a function only pays for the providers its orders use). */
function connectorFor(provider: ProviderName): PaymentConnector {
  let connector = connectors.get(provider);
  if (!connector) {
    connector = CONNECTOR_FACTORIES[provider]();
    connectors.set(provider, connector);
  }
  return connector;
}

/** What the operation saga needs: the orders, and the connector of each order's provider. */
export function sagaDeps(): SagaDeps {
  return { orders: orderRepository, connectors: connectorFor };
}
