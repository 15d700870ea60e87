import { createHmac } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { signAffirmWebhook } from '#infra/local/simulators/affirm/webhook-signature.ts';
import { clock } from '#shared/clock.ts';
import { endpoint, httpApi } from '#shared/http/endpoint.ts';
import { verifiedSignature } from '#shared/http/signature.ts';
import { type HttpEvent, json } from '#shared/http/types.ts';
import { affirmSignatureVerifier } from '#shared/providers/affirm/verify.ts';

const KEY = 'sim_affirm_private';
const NOW = new Date('2026-03-01T12:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const BODY = Buffer.from(
  'checkout_token=CK-1&event=confirmed&event_timestamp=2026-03-01T11:59:58Z&order_id=ord_1',
  'utf8',
);

/** Affirm's documented signature, computed here independently of the code under test. */
function v0(t: number | string, body: Buffer | string, key = KEY): string {
  return createHmac('sha512', key).update(`${t}.`).update(body).digest('hex');
}

function keyLoader() {
  const loader = Object.assign(
    async () => {
      loader.calls += 1;
      return KEY;
    },
    { calls: 0 },
  );
  return loader;
}

async function verify(header: string | undefined, body: Buffer = BODY, now: Date = NOW) {
  const verifier = affirmSignatureVerifier(async () => KEY);
  return verifier.verify({ rawBody: body, headers: { 'x-affirm-signature': header }, now });
}

describe('affirmSignatureVerifier', () => {
  it('accepts a valid signature', async () => {
    expect(await verify(`t=${NOW_S},v0=${v0(NOW_S, BODY)}`)).toEqual({ valid: true });
  });

  it('refuses a tampered body and a signature made with another key', async () => {
    const header = `t=${NOW_S},v0=${v0(NOW_S, BODY)}`;
    const tampered = Buffer.from(BODY.toString('utf8').replace('ord_1', 'ord_2'), 'utf8');
    expect(await verify(header, tampered)).toEqual({ valid: false, reason: 'mismatch' });
    expect(await verify(`t=${NOW_S},v0=${v0(NOW_S, BODY, 'another_private_key')}`)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('refuses a signature whose t was changed (t is signed)', async () => {
    const t = NOW_S - 10;
    expect(await verify(`t=${t},v0=${v0(NOW_S, BODY)}`)).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('refuses a timestamp older than 5 minutes, accepts one exactly 5 minutes old', async () => {
    const old = NOW_S - 301;
    expect(await verify(`t=${old},v0=${v0(old, BODY)}`)).toEqual({ valid: false, reason: 'stale' });
    const edge = NOW_S - 300;
    expect(await verify(`t=${edge},v0=${v0(edge, BODY)}`)).toEqual({ valid: true });
  });

  it('refuses a timestamp more than 30 s in the future, accepts one within the skew', async () => {
    const ahead = NOW_S + 31;
    expect(await verify(`t=${ahead},v0=${v0(ahead, BODY)}`)).toEqual({ valid: false, reason: 'future' });
    const skewed = NOW_S + 30;
    expect(await verify(`t=${skewed},v0=${v0(skewed, BODY)}`)).toEqual({ valid: true });
  });

  it('refuses a missing or malformed header', async () => {
    const sig = v0(NOW_S, BODY);
    expect(await verify(undefined)).toEqual({ valid: false, reason: 'missing' });
    expect(await verify('')).toEqual({ valid: false, reason: 'missing' });
    for (const header of [
      'garbage',
      sig,
      `v0=${sig}`,
      `t=${NOW_S}`,
      `t=${NOW_S}.5,v0=${sig}`,
      `t=abc,v0=${sig}`,
      `t=-${NOW_S},v0=${sig}`,
      `t=${NOW_S},t=${NOW_S},v0=${sig}`,
      `t=${NOW_S},${sig}`,
    ]) {
      expect(await verify(header), header.slice(0, 30)).toEqual({ valid: false, reason: 'malformed' });
    }
  });

  it('refuses a non-hex v0', async () => {
    expect(await verify(`t=${NOW_S},v0=${'z'.repeat(128)}`)).toEqual({ valid: false, reason: 'malformed' });
    // Node's hex decoder stops at the first non-hex digit; the header must not be read that way.
    const sig = v0(NOW_S, BODY);
    expect(await verify(`t=${NOW_S},v0=${sig.slice(0, 126)}zz`)).toEqual({
      valid: false,
      reason: 'malformed',
    });
  });

  it('compares bytes of equal length only: short, odd-length and long signatures are invalid, never an exception', async () => {
    const sig = v0(NOW_S, BODY);
    for (const candidate of [sig.slice(0, 64), sig.slice(0, 127), `${sig}00`, 'ab', '']) {
      await expect(verify(`t=${NOW_S},v0=${candidate}`)).resolves.toMatchObject({ valid: false });
    }
  });

  it('accepts when any v0 entry matches and ignores unknown schemes', async () => {
    const wrong = v0(NOW_S, BODY, 'old_private_key');
    const right = v0(NOW_S, BODY);
    expect(await verify(`t=${NOW_S}, v1=whatever, v0=${wrong}, v0=${right}`)).toEqual({ valid: true });
    expect(await verify(`t=${NOW_S},v0=${wrong},v0=short`)).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('verifies over the bytes of a body with accented characters', async () => {
    const body = Buffer.from(
      `event=confirmed&first_name=${encodeURIComponent('Hélène')}&last_name=Gómez`,
      'utf8',
    );
    expect(await verify(`t=${NOW_S},v0=${v0(NOW_S, body)}`, body)).toEqual({ valid: true });
    // The same text in Latin-1 is other bytes: not what was signed.
    const latin1 = Buffer.from(body.toString('utf8'), 'latin1');
    expect(await verify(`t=${NOW_S},v0=${v0(NOW_S, body)}`, latin1)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('reads the key only for a well-formed, timely header', async () => {
    const loader = keyLoader();
    const verifier = affirmSignatureVerifier(loader);
    const stale = NOW_S - 600;
    const input = (header: string) => ({
      rawBody: BODY,
      headers: { 'x-affirm-signature': header },
      now: NOW,
    });
    await verifier.verify(input(`t=${stale},v0=${v0(stale, BODY)}`));
    await verifier.verify(input('garbage'));
    expect(loader.calls).toBe(0);
    expect(await verifier.verify(input(`t=${NOW_S},v0=${v0(NOW_S, BODY)}`))).toEqual({ valid: true });
    expect(loader.calls).toBe(1);
  });

  it('accepts what the simulator signer produces (round trip), and only within the window', async () => {
    const body = `event=confirmed&first_name=${encodeURIComponent('Zoë')}&order_id=ord_1`;
    const header = signAffirmWebhook(KEY, body, NOW);
    expect(header).toMatch(/^t=\d+,v0=[0-9a-f]{128}$/);
    expect(await verify(header, Buffer.from(body))).toEqual({ valid: true });
    expect(await verify(header, Buffer.from(body), new Date(NOW.getTime() + 301_000))).toEqual({
      valid: false,
      reason: 'stale',
    });
    expect(await verify(signAffirmWebhook('other', body, NOW), Buffer.from(body))).toMatchObject({
      valid: false,
    });
  });
});

describe('Affirm signature in endpoint()', () => {
  it('verifies a base64-encoded form post over its decoded bytes, then parses it', async () => {
    // Prepare: a webhook as API Gateway hands it over, signed now by the hub's clock
    const now = clock.now();
    const body = `event=confirmed&checkout_token=CK-1&first_name=${encodeURIComponent('José')}`;
    const handled: unknown[] = [];
    const handler = httpApi(
      endpoint({
        signature: verifiedSignature(affirmSignatureVerifier(async () => KEY)),
        body: z.object({ event: z.string(), checkout_token: z.string(), first_name: z.string() }),
        formats: ['form'],
      }).handler(async (event) => {
        handled.push(event.body);
        return json(200, {});
      }),
    );
    const event = (signature: string) =>
      ({
        routeKey: 'POST /v1/affirm/webhooks',
        requestContext: { requestId: 'req-1' },
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-affirm-signature': signature },
        body: Buffer.from(body).toString('base64'),
        isBase64Encoded: true,
      }) as unknown as HttpEvent;

    // Act
    const accepted = await handler(event(signAffirmWebhook(KEY, body, now)), {} as Context);
    const refused = await handler(event(signAffirmWebhook('not_the_key', body, now)), {} as Context);

    // Assess
    expect(accepted.statusCode).toBe(200);
    expect(handled).toEqual([{ event: 'confirmed', checkout_token: 'CK-1', first_name: 'José' }]);
    expect(refused.statusCode).toBe(401);
    expect(JSON.parse(refused.body).code).toBe('INVALID_SIGNATURE');
  });
});
