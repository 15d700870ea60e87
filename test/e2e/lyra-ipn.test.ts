/**
 * Flow C: Lyra's IPN on the hub's `POST /v1/lyra/ipn`. Only a post whose kr-hash the REST
 * password signs is read; a genuine one is applied once however often it comes (replayed later,
 * delivered twice at once); the order never moves backwards.
 */

import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLyraPayment,
  LYRA_KEYS,
  lyraSim,
  order,
  REFUSED_CARD,
  shipment,
  waitForIpns,
} from '../support/lyra-stack.ts';
import { http, stack } from '../support/stack.ts';

afterEach(async () => {
  await lyraSim.notificationMode({ mode: 'deliver' });
});

const sign = (key: string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest('hex');

/** Posts form fields to the hub's IPN route as Lyra does. */
const postIpn = (fields: Record<string, string>) =>
  http<{ received?: boolean; outcome?: string; code?: string }>(`${stack().hubUrl}/v1/lyra/ipn`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

const ipnFields = (krAnswer: string, key = LYRA_KEYS.restPassword, hashKey = 'password') => ({
  'kr-hash': sign(key, krAnswer),
  'kr-hash-algorithm': 'sha256_hmac',
  'kr-hash-key': hashKey,
  'kr-answer-type': 'V4/Payment',
  'kr-answer': krAnswer,
});

/** A payment the shopper paid while the simulator dropped its IPN: the signed IPN it would have sent. */
async function paidWithoutIpn(card = '4970100000000055') {
  const created = await createLyraPayment({ amount: 4200 });
  await lyraSim.notificationMode({ mode: 'drop', times: 1 });
  await lyraSim.pay(created.body.lyra.formToken ?? '', card);
  const [sent] = await waitForIpns(created.body.orderId, 1);
  if (!sent) throw new Error('no IPN recorded');
  const fields = Object.fromEntries(new URLSearchParams(sent.body)) as Record<string, string>;
  expect((await order(created.body.orderId)).lyra.state).toBe('awaiting_payment');
  return { orderId: created.body.orderId, fields, krAnswer: fields['kr-answer'] ?? '' };
}

const authorizations = async (orderId: string) =>
  (await order(orderId)).events.filter((e) => e.type === 'authorization.succeeded').length;

describe('flow C: a genuine IPN is applied once', () => {
  it('authorizes on the IPN the simulator sends, answered 200 at the first attempt', async () => {
    const created = await createLyraPayment({ amount: 4200 });
    await lyraSim.pay(created.body.lyra.formToken ?? '', '4970100000000055');
    const [sent] = await waitForIpns(created.body.orderId, 1);
    expect(sent?.deliveries.map((d) => d.status)).toEqual([200]);
    const view = await order(created.body.orderId);
    expect(view).toMatchObject({
      status: 'authorized',
      authorizedAmount: 4200,
      lyra: { state: 'authorized', initialTransactionUuid: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    // CB card: the guarantee holds 30 days after the order; the authorization 180 days.
    expect(Date.parse(view.lyra.guaranteeEndsAt ?? '') - Date.parse(created.body.createdAt)).toBe(
      30 * 86_400_000,
    );
    expect(view.authorizationExpiresAt).toEqual(expect.any(String));
  });

  it('applies a replayed IPN and one delivered twice at once only once', async () => {
    const { orderId, fields } = await paidWithoutIpn();
    const [first, second] = await Promise.all([postIpn(fields), postIpn(fields)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.outcome, second.body.outcome].sort()).toEqual(['applied', 'duplicate']);
    const replayed = await postIpn(fields);
    expect(replayed.status).toBe(200);
    expect(replayed.body.outcome).toBe('duplicate');
    expect(await authorizations(orderId)).toBe(1);
    expect((await order(orderId)).lyra.state).toBe('authorized');
  });

  it('applies the simulator’s duplicated delivery once', async () => {
    const created = await createLyraPayment({ amount: 4200 });
    await lyraSim.notificationMode({ mode: 'duplicate', times: 1 });
    await lyraSim.pay(created.body.lyra.formToken ?? '', '4970100000000055');
    const [sent] = await waitForIpns(created.body.orderId, 1);
    expect(sent?.deliveries.map((d) => d.status)).toEqual([200, 200]);
    expect(await authorizations(created.body.orderId)).toBe(1);
  });
});

describe('flow C: only Lyra’s signature is believed', () => {
  it('refuses a wrong hash, an altered answer and the wrong key with 401, and applies nothing', async () => {
    const { orderId, fields, krAnswer } = await paidWithoutIpn();
    const wrongHash = { ...fields, 'kr-hash': sign('not-the-password', krAnswer) };
    const altered = {
      ...fields,
      'kr-answer': krAnswer.replace('"orderTotalAmount":4200', '"orderTotalAmount":4201'),
    };
    expect(altered['kr-answer']).not.toBe(krAnswer);
    // The browser return's key on the IPN route: signed, but not with the key this route accepts.
    const hmacKeyed = ipnFields(krAnswer, LYRA_KEYS.hmacKey, 'sha256_hmac');
    const passwordAsHmac = ipnFields(krAnswer, LYRA_KEYS.hmacKey, 'password');
    for (const forged of [wrongHash, altered, hmacKeyed, passwordAsHmac]) {
      const answer = await postIpn(forged);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('INVALID_SIGNATURE');
    }
    const unsigned = await postIpn({ 'kr-answer': krAnswer });
    expect(unsigned.status).toBe(401);
    expect((await order(orderId)).lyra.state).toBe('awaiting_payment');
    // The genuine one still works afterwards.
    expect((await postIpn(fields)).body.outcome).toBe('applied');
  });

  it('answers 400 to a signed answer that is not a payment', async () => {
    const answer = await postIpn(ipnFields('{"hello":"world"}'));
    expect(answer.status).toBe(400);
  });

  it('takes no order forward on a signed answer whose amount is not the order’s', async () => {
    const { orderId, krAnswer } = await paidWithoutIpn();
    const other = krAnswer.replace('"orderTotalAmount":4200', '"orderTotalAmount":1');
    const answer = await postIpn(ipnFields(other));
    expect(answer.status).toBe(200);
    const view = await order(orderId);
    expect(view.lyra.state).toBe('awaiting_payment');
    expect(view.events.some((e) => e.detail?.applied === 'amount_or_currency_mismatch')).toBe(true);
  });

  it('takes no order forward when the order’s total is right but its authorizing transaction holds less', async () => {
    const { orderId, krAnswer } = await paidWithoutIpn();
    // Only the transactions' amount changes: the order's total still says 4200.
    const smaller = krAnswer.replaceAll('"amount":4200', '"amount":100');
    expect(smaller).not.toBe(krAnswer);
    expect(smaller).toContain('"orderTotalAmount":4200');
    expect((await postIpn(ipnFields(smaller))).status).toBe(200);
    const view = await order(orderId);
    expect(view.lyra.state).toBe('awaiting_payment');
    expect(view.authorizedAmount).toBe(0);
  });
});

describe('flow C: never backwards', () => {
  it('keeps an authorized payment authorized when a refusal comes after', async () => {
    const { orderId, fields, krAnswer } = await paidWithoutIpn();
    expect((await postIpn(fields)).body.outcome).toBe('applied');
    const refused = krAnswer
      .replaceAll('"status":"PAID"', '"status":"UNPAID"')
      .replace('"orderStatus":"PAID"', '"orderStatus":"UNPAID"');
    expect(refused).not.toBe(krAnswer);
    const answer = await postIpn(ipnFields(refused));
    expect(answer.status).toBe(200);
    expect((await order(orderId)).lyra.state).toBe('authorized');
    expect((await shipment(orderId, 'after-late-refusal', 1000)).status).toBe(201);
  });

  it('leaves a refused card’s order unshippable', async () => {
    const created = await createLyraPayment({ amount: 4200 });
    await lyraSim.pay(created.body.lyra.formToken ?? '', REFUSED_CARD);
    const [sent] = await waitForIpns(created.body.orderId, 1);
    expect(sent?.orderStatus).toBe('UNPAID');
    expect((await order(created.body.orderId)).status).toBe('declined');
    const answer = await shipment(created.body.orderId, 'nope', 100);
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('ORDER_NOT_AUTHORIZED');
  });
});
