/** Lyra's kr-hash verifier (shared/providers/lyra/verify.ts), on raw form bodies, without any network. */

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  krHashMatches,
  lyraIpnVerifier,
  lyraReturnVerifier,
  lyraSignatureVerifier,
  signKrAnswer,
} from '#shared/providers/lyra/verify.ts';

const DIR = fileURLToPath(new URL('../fixtures/lyra/', import.meta.url));
const NOW = new Date('2026-01-01T00:00:00.000Z');

interface SignedBody {
  'kr-hash': string;
  'kr-answer': string;
  'kr-hash-key'?: string;
  'kr-hash-algorithm'?: string;
  'kr-answer-type'?: string;
}

interface SignedRecording {
  body: SignedBody;
  hash_check: { key: string };
}

const signed = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => [name, JSON.parse(readFileSync(`${DIR}${name}`, 'utf8'))] as const)
  .filter((entry): entry is readonly [string, SignedRecording] => entry[1].hash_check !== undefined);

const IPN = JSON.parse(readFileSync(`${DIR}ipn__paid__hash_password.json`, 'utf8')) as SignedRecording;
const RETURN = JSON.parse(
  readFileSync(`${DIR}browser_return__paid__hash_hmac.json`, 'utf8'),
) as SignedRecording;
const PASSWORD = IPN.hash_check.key;
const HMAC_KEY = RETURN.hash_check.key;

const form = (fields: Partial<Record<keyof SignedBody, string>>) =>
  Buffer.from(new URLSearchParams(fields as Record<string, string>).toString());
const check = (verifier: ReturnType<typeof lyraIpnVerifier>, rawBody: Buffer | string) =>
  verifier.verify({ rawBody: Buffer.from(rawBody), headers: {}, now: NOW });

const ipnRoute = lyraIpnVerifier(async () => PASSWORD);
const returnRoute = lyraReturnVerifier(async () => HMAC_KEY);

/** A post signed as Lyra signs it, over `answer` with `key`. */
function post(answer: string, key: string, kind: 'password' | 'sha256_hmac' = 'password') {
  return form({
    'kr-hash': signKrAnswer(key, answer),
    'kr-hash-key': kind,
    'kr-hash-algorithm': 'sha256_hmac',
    'kr-answer-type': 'V4/Payment',
    'kr-answer': answer,
  });
}

describe('the recorded signed posts', () => {
  it('holds all four, escaped-slash variants included', () => {
    expect(signed.map(([name]) => name).sort()).toEqual([
      'browser_return__paid__hash_hmac.json',
      'browser_return__paid__hash_hmac__escaped_slashes.json',
      'ipn__paid__hash_password.json',
      'kr_answer__paid__java_sdk_real_answer.json',
    ]);
  });

  it.each(signed)('%s verifies with its demo key, and not with another', async (_name, recording) => {
    const { 'kr-answer': answer, 'kr-hash': hash, 'kr-hash-key': kind } = recording.body;
    expect(krHashMatches(recording.hash_check.key, answer, hash)).toBe(true);
    expect(krHashMatches(`${recording.hash_check.key}x`, answer, hash)).toBe(false);
    if (kind === undefined) return; // the Java SDK's recording has the answer and hash only
    const route = lyraSignatureVerifier({ [kind]: async () => recording.hash_check.key });
    expect(await check(route, form(recording.body))).toEqual({ valid: true });
  });

  it('signs as Lyra does: the signer gives the recorded hash of the unescaped answer', () => {
    expect(signKrAnswer(PASSWORD, IPN.body['kr-answer'])).toBe(IPN.body['kr-hash']);
    expect(signKrAnswer(HMAC_KEY, RETURN.body['kr-answer'])).toBe(RETURN.body['kr-hash']);
  });
});

describe('refusals', () => {
  it('refuses a wrong key', async () => {
    expect(
      await check(
        lyraIpnVerifier(async () => 'testpassword_other'),
        form(IPN.body),
      ),
    ).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('refuses an altered answer (one amount changed)', async () => {
    const altered = {
      ...IPN.body,
      'kr-answer': IPN.body['kr-answer'].replace('"amount":990', '"amount":99'),
    };
    expect(altered['kr-answer']).not.toBe(IPN.body['kr-answer']);
    expect(await check(ipnRoute, form(altered))).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('accepts on each route only the kr-hash-key Lyra uses there', async () => {
    // Both genuine, each refused on the other route.
    expect(await check(ipnRoute, form(RETURN.body))).toEqual({ valid: false, reason: 'mismatch' });
    expect(await check(returnRoute, form(IPN.body))).toEqual({ valid: false, reason: 'mismatch' });
    // A post claiming `password` but signed with the HMAC key does not pass the IPN route either.
    const relabelled = { ...RETURN.body, 'kr-hash-key': 'password' };
    expect(await check(ipnRoute, form(relabelled))).toEqual({ valid: false, reason: 'mismatch' });
    // Nor an unknown kind, nor one named after an object property.
    for (const kind of ['sha512_hmac', 'toString', '__proto__']) {
      expect(await check(ipnRoute, form({ ...IPN.body, 'kr-hash-key': kind }))).toEqual({
        valid: false,
        reason: 'mismatch',
      });
    }
  });

  it('refuses another algorithm, and a hash that is not 64 hex digits, as malformed', async () => {
    const hash = IPN.body['kr-hash'];
    for (const fields of [
      { ...IPN.body, 'kr-hash-algorithm': 'sha1_hmac' },
      { ...IPN.body, 'kr-hash': hash.slice(0, 62) },
      { ...IPN.body, 'kr-hash': `${hash}00` },
      { ...IPN.body, 'kr-hash': `${hash.slice(0, 63)}g` },
    ]) {
      expect(await check(ipnRoute, form(fields))).toEqual({ valid: false, reason: 'malformed' });
    }
  });

  it('refuses a post without hash or answer as missing, and a signed field sent twice as malformed', async () => {
    const { 'kr-hash': _hash, ...noHash } = IPN.body;
    const { 'kr-answer': _answer, ...noAnswer } = IPN.body;
    expect(await check(ipnRoute, form(noHash))).toEqual({ valid: false, reason: 'missing' });
    expect(await check(ipnRoute, form(noAnswer))).toEqual({ valid: false, reason: 'missing' });
    expect(await check(ipnRoute, '')).toEqual({ valid: false, reason: 'missing' });
    expect(await check(ipnRoute, JSON.stringify(IPN.body))).toEqual({ valid: false, reason: 'missing' });
    const twice = `${form(IPN.body).toString()}&kr-answer=${encodeURIComponent('{"forged":true}')}`;
    expect(await check(ipnRoute, twice)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('does not let an escaped backslash stand in for a signed escaped slash', async () => {
    // Signed over a string holding `\/` (a slash); the forgery holds `\\/` (a backslash, then a
    // slash), which un-escapes to the signed string but reads as other JSON.
    const genuine = '{"orderDetails":{"orderId":"a\\/b"},"n":1}';
    const forged = genuine.replace('a\\/b', 'a\\\\/b');
    expect(forged.replaceAll('\\/', '/')).toBe(genuine);
    expect(JSON.parse(forged)).not.toEqual(JSON.parse(genuine));
    const hash = signKrAnswer(PASSWORD, genuine);
    expect(krHashMatches(PASSWORD, genuine, hash)).toBe(true);
    expect(krHashMatches(PASSWORD, forged, hash)).toBe(false);
  });
});

describe('answers of every size and script', () => {
  it('round-trips an answer signed by signKrAnswer, with accented and non-Latin text', async () => {
    const answer = JSON.stringify({
      shopId: '69876357',
      customer: { billingDetails: { firstName: 'Zoé', lastName: 'Müller-Ñúñez', city: 'Saint-Étienne' } },
      note: 'ação ✓ 東京 +&=%',
    });
    // The raw body carries it percent-encoded UTF-8; the hash is over the decoded UTF-8 text.
    expect(await check(ipnRoute, post(answer, PASSWORD))).toEqual({ valid: true });
  });

  it('verifies a 200 KB answer, and refuses it with its last character changed', async () => {
    const answer = JSON.stringify({ shopId: '69876357', filler: 'x/é'.repeat(70_000) });
    expect(answer.length).toBeGreaterThan(200_000);
    const genuine = post(answer, HMAC_KEY, 'sha256_hmac');
    expect(await check(returnRoute, genuine)).toEqual({ valid: true });
    const altered = form({
      'kr-hash': signKrAnswer(HMAC_KEY, answer),
      'kr-hash-key': 'sha256_hmac',
      'kr-hash-algorithm': 'sha256_hmac',
      'kr-answer': `${answer.slice(0, -2)}y}`,
    });
    expect(await check(returnRoute, altered)).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('accepts an upper-case hex hash', async () => {
    const fields = { ...IPN.body, 'kr-hash': IPN.body['kr-hash'].toUpperCase() };
    expect(await check(ipnRoute, form(fields))).toEqual({ valid: true });
  });
});
