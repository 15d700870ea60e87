/**
 * Lyra's `kr-hash` (providers/lyra.md section 4): an IPN and a browser return are both
 * form-encoded posts of `kr-hash`, `kr-hash-algorithm`, `kr-hash-key`, `kr-answer-type` and
 * `kr-answer` (a JSON string), with
 *
 *   kr-hash = hex(HMAC-SHA256(key, kr-answer))
 *   key     = the REST password       when kr-hash-key = `password`     (IPN, server to server)
 *             the HMAC-SHA-256 key    when kr-hash-key = `sha256_hmac`  (browser return)
 *
 * The signature is in the body, so the verifier parses the urlencoded raw body itself. Each route
 * says which kr-hash-key it accepts: the IPN route only `password`, the return route only
 * `sha256_hmac`. A browser return passes through the shopper's browser, which can re-post it
 * anywhere; accepting it on the IPN route would let the shopper's copy stand in for Lyra's own
 * server-to-server notice, and each key then vouches for exactly the route Lyra documents it for.
 *
 * Lyra's escaped-slash quirk: both official SDKs hash the answer with `\/` replaced by `/`, and a
 * recorded answer with escaped slashes verifies only that way (test/fixtures/lyra/README.md). The
 * verifier tries the raw string, then the unescaped one; an answer verified only through the
 * unescaped string must mean the same JSON as it, or a forger could turn a signed `\/` into an
 * escaped backslash (`\\/`) that reads differently. (The PHP SDK's stripslashes retry is for PHP's
 * magic quotes, which do not exist here: not tried.) No timestamp: Lyra signs none, so a replay is
 * stopped by applying each event once, not here.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureCheck, SignatureInput, SignatureVerifier } from '../../http/signature.ts';

/** The two values of `kr-hash-key`. */
export type KrHashKey = 'password' | 'sha256_hmac';

/** The only algorithm Lyra documents (and the PHP SDK supports). */
export const KR_HASH_ALGORITHM = 'sha256_hmac';

/** HMAC-SHA256 is 32 bytes: 64 hex digits. Anything else cannot match and is never compared. */
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** The fields of a Lyra form post, each present once (a field sent twice makes the post unreadable). */
export interface KrForm {
  krHash: string;
  krHashKey: string;
  krHashAlgorithm: string;
  krAnswerType?: string;
  krAnswer: string;
}

/** Reads the form post: `missing` without a hash or an answer, `malformed` when a field is sent twice or the hash key or algorithm is absent. */
export function readKrForm(rawBody: Buffer | string): KrForm | 'missing' | 'malformed' {
  const params = new URLSearchParams(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  const one = (name: string): string | undefined | null => {
    const values = params.getAll(name);
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : null;
  };
  const fields = {
    krHash: one('kr-hash'),
    krHashKey: one('kr-hash-key'),
    krHashAlgorithm: one('kr-hash-algorithm'),
    krAnswerType: one('kr-answer-type'),
    krAnswer: one('kr-answer'),
  };
  if (Object.values(fields).includes(null)) return 'malformed';
  const { krHash, krHashKey, krHashAlgorithm, krAnswerType, krAnswer } = fields;
  if (!krHash || krAnswer === undefined || krAnswer === null) return 'missing';
  if (!krHashKey || !krHashAlgorithm) return 'malformed';
  return { krHash, krHashKey, krHashAlgorithm, krAnswer, ...(krAnswerType ? { krAnswerType } : {}) };
}

/** kr-hash of an answer: what Lyra (and the simulator) sends. Over the string exactly as given. */
export function signKrAnswer(key: string, krAnswer: string): string {
  return createHmac('sha256', key).update(krAnswer, 'utf8').digest('hex');
}

/** Whether `krHash` signs `krAnswer` under `key`, as the official SDKs check it (see the header). */
export function krHashMatches(key: string, krAnswer: string, krHash: string): boolean {
  if (!HEX_SHA256.test(krHash)) return false;
  const given = Buffer.from(krHash, 'hex');
  const matches = (text: string) =>
    timingSafeEqual(createHmac('sha256', key).update(text, 'utf8').digest(), given);
  if (matches(krAnswer)) return true;
  const unescaped = krAnswer.replaceAll('\\/', '/');
  return unescaped !== krAnswer && matches(unescaped) && sameJson(krAnswer, unescaped);
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

/**
 * Lyra's verifier for verifiedSignature(), accepting the kr-hash-key values given, each with its
 * key's loader (read only for a well-formed post of an accepted kind; the keys come from the
 * LyraSecret, never an environment variable). Never logs or returns the hash, the key or the answer.
 */
export function lyraSignatureVerifier(
  keys: Partial<Record<KrHashKey, () => Promise<string>>>,
): SignatureVerifier {
  return {
    async verify({ rawBody }: SignatureInput): Promise<SignatureCheck> {
      const form = readKrForm(rawBody);
      if (form === 'missing' || form === 'malformed') return { valid: false, reason: form };
      if (form.krHashAlgorithm !== KR_HASH_ALGORITHM || !HEX_SHA256.test(form.krHash))
        return { valid: false, reason: 'malformed' };
      const load = Object.hasOwn(keys, form.krHashKey) ? keys[form.krHashKey as KrHashKey] : undefined;
      // A kind of key this route does not accept: signed, if at all, with another key than its own.
      if (!load) return { valid: false, reason: 'mismatch' };
      return krHashMatches(await load(), form.krAnswer, form.krHash)
        ? { valid: true }
        : { valid: false, reason: 'mismatch' };
    },
  };
}

/** The IPN route's verifier: kr-hash-key `password`, the REST password. */
export function lyraIpnVerifier(restPassword: () => Promise<string>): SignatureVerifier {
  return lyraSignatureVerifier({ password: restPassword });
}

/** The browser return's verifier: kr-hash-key `sha256_hmac`, the HMAC-SHA-256 key. */
export function lyraReturnVerifier(hmacKey: () => Promise<string>): SignatureVerifier {
  return lyraSignatureVerifier({ sha256_hmac: hmacKey });
}
