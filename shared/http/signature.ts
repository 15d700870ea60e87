/**
 * The notification seam's first step: a provider's signature over the request, checked before
 * anything else reads the body. Each provider implements `SignatureVerifier` in its adapter
 * (shared/providers/<provider>/verify.ts: Affirm's X-Affirm-Signature, Lyra's kr-hash); the route
 * puts `verifiedSignature(verifier)` in endpoint()'s `signature` option, which runs it before the
 * body parser, so a forged request is never parsed or validated.
 */

import type { MiddlewareObj } from '@middy/core';
import { clock } from '../clock.ts';
import { HubError } from '../errors.ts';
import { log } from '../log.ts';
import { rawBodyOf } from './body.ts';
import type { HttpEvent, HttpResult, HubContext } from './types.ts';

/** Why a signature was refused: for logs only, never for the caller. */
export type SignatureFailure =
  /** No signature where one is required. */
  | 'missing'
  /** The signature or its envelope cannot be read (bad syntax, not hex, unsupported algorithm). */
  | 'malformed'
  /** Signed too long ago: a replay, or a delivery held back. */
  | 'stale'
  /** Signed further in the future than the clock skew allows. */
  | 'future'
  /** Well formed, but computed with another key or over other bytes. */
  | 'mismatch';

export type SignatureCheck = { valid: true } | { valid: false; reason: SignatureFailure };

export interface SignatureInput {
  /** The body's bytes exactly as the provider sent them (base64 already undone). */
  rawBody: Buffer;
  /** The request's headers, names in lower case. */
  headers: Record<string, string | undefined>;
  /** The hub's clock at reception, for timestamp windows. */
  now: Date;
}

/**
 * Checks one provider's signature. Contract: resolves `{ valid: false }` for any request that is
 * not provably from the provider (never throws for bad input); rejects only when it could not
 * decide (e.g. the key could not be loaded), which the caller sees as a 5xx so the provider retries.
 * Implementations compare in constant time and never log the signature or the key.
 */
export interface SignatureVerifier {
  verify(input: SignatureInput): Promise<SignatureCheck>;
}

/** Header names in lower case, whatever the gateway sent (HTTP APIs already do; other callers may not). */
function lowerCaseHeaders(headers: HttpEvent['headers'] | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/**
 * Middleware refusing, with 401 INVALID_SIGNATURE, any request whose signature `verifier` does not
 * accept. It hands the verifier the raw body bytes (API Gateway's base64 undone) and leaves the event
 * untouched, so the body parser after it reads the same bytes. The refusal's detail is the same
 * whatever the reason; the reason goes to the log.
 */
export function verifiedSignature(
  verifier: SignatureVerifier,
): MiddlewareObj<HttpEvent, HttpResult, Error, HubContext> {
  return {
    before: async (request) => {
      const { event } = request;
      const check = await verifier.verify({
        rawBody: rawBodyOf(event),
        headers: lowerCaseHeaders(event.headers),
        now: clock.now(),
      });
      if (check.valid) return;
      log.warn('signature refused', { route: event.routeKey, reason: check.reason });
      throw new HubError('INVALID_SIGNATURE', 'The request is not signed by the provider, or too long ago.');
    },
  };
}
