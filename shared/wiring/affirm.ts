/**
 * The composition root of Affirm's side: its gateway and use-case dependencies, built from
 * configuration once per container. Functions that serve only Affirm import this file, and so
 * bundle no other provider.
 */

import { hubConfig } from '../config.ts';
import { orderRepository } from '../data/orders.ts';
import type { AffirmDeps, CheckoutSettings } from '../domain/affirm/checkout.ts';
import type { PaymentConnector } from '../domain/ports.ts';
import type { SignatureVerifier } from '../http/signature.ts';
import { log } from '../log.ts';
import { AffirmClient } from '../providers/affirm/client.ts';
import { affirmConfig, affirmSecret } from '../providers/affirm/config.ts';
import { createAffirmConnector } from '../providers/affirm/connector.ts';
import { createAffirmGateway } from '../providers/affirm/gateway.ts';
import { affirmSignatureVerifier } from '../providers/affirm/verify.ts';
import { forgetSecret, secretJson } from '../secrets.ts';

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

/** Verifies Affirm's webhook signature with the merchant's private key (providers/affirm.md, section 3). */
export function affirmWebhookVerifier(): SignatureVerifier {
  return affirmSignatureVerifier(async () => (await affirmCredentials()).privateApiKey);
}

let connector: PaymentConnector | undefined;

/** Affirm's connector for the operation saga. */
export function affirmConnector(): PaymentConnector {
  connector ??= createAffirmConnector(affirmDeps().affirm);
  return connector;
}
