/**
 * Snipcart signs nothing: it adds `X-Snipcart-RequestToken` to every request it sends (webhooks
 * included), a token valid for about an hour that only Snipcart can vouch for, through
 * GET /api/requestvalidation/{token} (providers/snipcart.md section 5; SnipcartGateway
 * validateRequestToken). This verifier plugs that check into the notification seam
 * (shared/http/signature.ts), so a route refuses a request Snipcart does not vouch for before its
 * body is read.
 *
 * What it proves and what it does not: the request came from Snipcart within the token's life.
 * The token covers no body bytes (TLS protects them in transit) and may be replayed within the
 * hour: an event must still be applied once, and an amount checked against the order.
 * Whether the custom gateway calls carry the header is [UNCONFIRMED]: routes that may receive
 * them without it must accept a validated publicToken instead.
 */

import type { SignatureCheck, SignatureInput, SignatureVerifier } from '../../http/signature.ts';
import { isTokenShaped } from './mapping.ts';

/** The header, in lower case as the seam hands headers over. */
export const SNIPCART_REQUEST_TOKEN_HEADER = 'x-snipcart-requesttoken';

/**
 * A verifier asking Snipcart about the request's token with `validate` (the gateway's
 * validateRequestToken). Resolves `missing` / `malformed` without a call, `mismatch` when Snipcart
 * does not vouch for it; rejects when Snipcart could not be asked or refused the hub's key (the
 * route answers 5xx and Snipcart may send again). Never logs the token.
 */
export function snipcartRequestTokenVerifier(
  validate: (token: string) => Promise<boolean>,
): SignatureVerifier {
  return {
    async verify({ headers }: SignatureInput): Promise<SignatureCheck> {
      const token = headers[SNIPCART_REQUEST_TOKEN_HEADER];
      if (!token) return { valid: false, reason: 'missing' };
      if (!isTokenShaped(token)) return { valid: false, reason: 'malformed' };
      return (await validate(token)) ? { valid: true } : { valid: false, reason: 'mismatch' };
    },
  };
}
