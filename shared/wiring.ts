/**
 * The composition root: builds the domain's dependencies from configuration, once per
 * container. Handlers take their dependencies from here and nowhere else.
 */

import { hubConfig } from './config.ts';
import { orderRepository } from './data/orders.ts';
import { sweepRepository } from './data/sweeps.ts';
import type { AffirmDeps, CheckoutSettings } from './domain/affirm/checkout.ts';
import { reconcileCheckout } from './domain/affirm/reconcile.ts';
import type { SagaDeps } from './domain/operations.ts';
import type { Order, ProviderName } from './domain/order.ts';
import type { PaymentConnector } from './domain/ports.ts';
import type { ReconcileDeps } from './domain/reconcile.ts';
import type { SignatureVerifier } from './http/signature.ts';
import { log } from './log.ts';
import { AffirmClient } from './providers/affirm/client.ts';
import { affirmConfig, affirmSecret } from './providers/affirm/config.ts';
import { createAffirmConnector } from './providers/affirm/connector.ts';
import { createAffirmGateway } from './providers/affirm/gateway.ts';
import { affirmSignatureVerifier } from './providers/affirm/verify.ts';
import { forgetSecret, secretJson } from './secrets.ts';

let affirm: AffirmDeps | undefined;

/** Affirm's key pair, from its secret (cached by the secrets extension; re-read after Affirm refuses it). */
function affirmCredentials() {
  const { secretId } = affirmConfig();
  return secretJson(secretId, (value) => affirmSecret().parse(value));
}

export function affirmDeps(): AffirmDeps {
  if (!affirm) {
    const config = affirmConfig();
    const { publicUrl } = hubConfig();
    const credentials = affirmCredentials;
    const client = new AffirmClient({
      baseUrl: config.baseUrl,
      timeoutMs: config.timeoutMs,
      credentials,
      onCredentialsRejected: () => forgetSecret(config.secretId),
      log,
    });
    // The customer's browser comes back to these (API.md: POST /v1/affirm/confirm, GET
    // /v1/affirm/cancel), served by webhook-receiver. Nothing there is trusted: a confirmation is
    // checked by reading the checkout at Affirm.
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

/** Verifies Affirm's webhook signature with the merchant's private key (providers/affirm.md, section 3). */
export function affirmWebhookVerifier(): SignatureVerifier {
  return affirmSignatureVerifier(async () => (await affirmCredentials()).privateApiKey);
}

/**
 * How the reconciler asks each provider about an order's payment: one entry per provider (the
 * type requires it).
 */
const PAYMENT_LOOKS: { [P in ProviderName]: (order: Order<P>, now: Date) => Promise<string> } = {
  affirm: (order, now) => reconcileCheckout(affirmDeps(), order, now),
};

/** What the reconciler needs: the saga, the sweeps' lists, and each provider's look at a payment. */
export function reconcileDeps(): ReconcileDeps {
  return {
    saga: sagaDeps(),
    sweeps: sweepRepository,
    lookAtPayment: (order, now) => PAYMENT_LOOKS[order.provider](order, now),
  };
}
