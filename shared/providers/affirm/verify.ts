/**
 * Affirm webhook signatures (providers/affirm.md §3, docs.affirm.com checking-webhook-signatures):
 *
 *   X-Affirm-Signature: t=<unix seconds>,v0=<hex>
 *   v0 = hex(HMAC-SHA512(private API key, t + "." + raw body))
 *
 * `v0` is the only scheme Affirm documents. A header may carry several `v0` entries (e.g. during a
 * key rotation): one match is enough. Entries of other schemes are ignored, so a scheme Affirm adds
 * later does not break delivery; an entry without `=` or a second `t` makes the header unreadable.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureCheck, SignatureInput, SignatureVerifier } from '../../http/signature.ts';

export const AFFIRM_SIGNATURE_HEADER = 'x-affirm-signature';

/** Affirm's docs reject timestamps older than 5 minutes; so does the hub, measured on its own clock. */
export const MAX_SIGNATURE_AGE_SECONDS = 5 * 60;

/**
 * A timestamp up to 30 s ahead of the hub's clock is accepted: Affirm's clock and ours may differ by
 * a few seconds, and refusing a genuine `confirmed` event would leave a paid checkout unauthorized.
 * No such grace is added to the 5 minutes: the age limit is what bounds a replay, so it stays strict.
 */
export const FUTURE_SKEW_SECONDS = 30;

/** HMAC-SHA512 is 64 bytes: 128 hex digits. Anything else cannot match and is never compared. */
const V0 = /^[0-9a-fA-F]{128}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

interface ParsedHeader {
  t: string;
  v0: string[];
}

function parseHeader(value: string): ParsedHeader | undefined {
  let t: string | undefined;
  const v0: string[] = [];
  for (const part of value.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) return undefined;
    const scheme = part.slice(0, at).trim();
    const entry = part.slice(at + 1).trim();
    if (scheme === 't') {
      if (t !== undefined || !UNIX_SECONDS.test(entry)) return undefined;
      t = entry;
    } else if (scheme === 'v0') {
      v0.push(entry);
    }
  }
  return t === undefined || v0.length === 0 ? undefined : { t, v0 };
}

/**
 * Affirm's verifier for verifiedSignature(). `privateKey` is read only for a well-formed, timely
 * header (it is the `privateApiKey` of the Affirm secret: never an environment variable). Signatures
 * are compared as bytes of equal length with crypto.timingSafeEqual; a short, long or non-hex `v0`
 * is simply not a match. Never logs or returns the header, the key or the digest.
 */
export function affirmSignatureVerifier(privateKey: () => Promise<string>): SignatureVerifier {
  return {
    async verify({ rawBody, headers, now }: SignatureInput): Promise<SignatureCheck> {
      const header = headers[AFFIRM_SIGNATURE_HEADER];
      if (!header) return { valid: false, reason: 'missing' };
      const parsed = parseHeader(header);
      if (!parsed) return { valid: false, reason: 'malformed' };

      const age = Math.floor(now.getTime() / 1000) - Number(parsed.t);
      if (age > MAX_SIGNATURE_AGE_SECONDS) return { valid: false, reason: 'stale' };
      if (age < -FUTURE_SKEW_SECONDS) return { valid: false, reason: 'future' };

      const candidates = parsed.v0.filter((entry) => V0.test(entry));
      if (candidates.length === 0) return { valid: false, reason: 'malformed' };
      // Signed over t exactly as sent (not re-serialized), then ".", then the body's bytes.
      const expected = createHmac('sha512', await privateKey())
        .update(`${parsed.t}.`)
        .update(rawBody)
        .digest();
      const matched = candidates.some((entry) => timingSafeEqual(expected, Buffer.from(entry, 'hex')));
      return matched ? { valid: true } : { valid: false, reason: 'mismatch' };
    },
  };
}
