/**
 * How the Affirm simulator signs the webhooks it sends (webhooks.ts delivers them), written
 * from Affirm's documentation rather than from the hub's verifier, so that a test of one against the
 * other checks both: `X-Affirm-Signature: t=<unix seconds>,v0=<hex HMAC-SHA512(private key, t + "." + raw body)>`
 * (providers/affirm.md §3; Affirm's CodePen computes the same).
 */

import { createHmac } from 'node:crypto';

/**
 * The X-Affirm-Signature value for `rawBody` (the exact bytes to be sent), signed at `now`: pass the
 * hub's clock when it has been moved, or the hub will find the signature stale or in the future.
 */
export function signAffirmWebhook(privateKey: string, rawBody: Buffer | string, now: Date): string {
  const t = Math.floor(now.getTime() / 1000);
  const v0 = createHmac('sha512', privateKey).update(`${t}.`).update(rawBody).digest('hex');
  return `t=${t},v0=${v0}`;
}
