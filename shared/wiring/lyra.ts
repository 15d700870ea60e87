/**
 * The composition root of Lyra's side: its gateway, verifiers and form settings, built from
 * configuration once per container. Functions that serve only Lyra import this file, and so
 * bundle no other provider.
 */

import { hubConfig } from '../config.ts';
import { orderRepository } from '../data/orders.ts';
import type { LyraDeps } from '../domain/lyra/payment.ts';
import type { SagaDeps } from '../domain/operations.ts';
import type { PaymentConnector } from '../domain/ports.ts';
import type { SignatureVerifier } from '../http/signature.ts';
import { log } from '../log.ts';
import { LyraClient } from '../providers/lyra/client.ts';
import { lyraConfig, lyraSecret } from '../providers/lyra/config.ts';
import { createLyraConnector } from '../providers/lyra/connector.ts';
import { lyraScriptUrl } from '../providers/lyra/env.ts';
import { createLyraGateway } from '../providers/lyra/gateway.ts';
import { lyraIpnVerifier, lyraReturnVerifier } from '../providers/lyra/verify.ts';
import { forgetSecret, secretJson } from '../secrets.ts';

/** Lyra's shop id, passwords and keys, from its secret (read once per container, re-read after a refusal). */
function lyraCredentials() {
  const { secretId } = lyraConfig();
  return secretJson(secretId, (value) => lyraSecret().parse(value));
}

let lyra: LyraDeps | undefined;

export function lyraDeps(): LyraDeps {
  if (!lyra) {
    const config = lyraConfig();
    const client = new LyraClient({
      baseUrl: config.baseUrl,
      timeoutMs: config.timeoutMs,
      credentials: lyraCredentials,
      onCredentialsRejected: () => forgetSecret(config.secretId),
      log,
    });
    lyra = {
      orders: orderRepository,
      lyra: createLyraGateway(client),
      ipnUrl: `${hubConfig().publicUrl}/v1/lyra/ipn`,
    };
  }
  return lyra;
}

/** What the hub's pay page needs to show Lyra's embedded form: the public key and the script's URL. */
export async function lyraFormSettings(): Promise<{
  publicKey: string;
  scriptUrl: string;
  staticUrl: string;
}> {
  const { staticUrl } = lyraConfig();
  return { publicKey: (await lyraCredentials()).publicKey, scriptUrl: lyraScriptUrl(staticUrl), staticUrl };
}

/** Verifies Lyra's IPN (kr-hash keyed with the REST password) and browser return (keyed with the HMAC key). */
export function lyraVerifiers(): { ipn: SignatureVerifier; browserReturn: SignatureVerifier } {
  return {
    ipn: lyraIpnVerifier(async () => (await lyraCredentials()).restPassword),
    browserReturn: lyraReturnVerifier(async () => (await lyraCredentials()).hmacKey),
  };
}

let connector: PaymentConnector | undefined;

/** Lyra's connector for the operation saga. */
export function lyraConnector(): PaymentConnector {
  connector ??= createLyraConnector(lyraDeps().lyra);
  return connector;
}

/**
 * The saga for Lyra-only functions (create-shipment): orders of another provider never reach it
 * (they are not found on Lyra's routes), so only Lyra's connector is bundled.
 */
export function lyraSagaDeps(): SagaDeps {
  return {
    orders: orderRepository,
    connectors: (provider) => {
      if (provider !== 'lyra') throw new Error(`a Lyra function was handed a ${provider} order`);
      return lyraConnector();
    },
  };
}
