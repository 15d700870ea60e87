/**
 * The Lyra simulator's IPN and browser return (providers/lyra.md §4), checked against a receiver this
 * test runs itself: the form fields, the hashes (computed here, with the REST password for the IPN
 * and the HMAC key for the browser return), the IPN before the browser return, retries on failure,
 * and the notification modes of API.md.
 */

import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SentIpn } from '../../infra/local/simulators/lyra/ipn.ts';
import type { LyraSimulator } from '../../infra/local/simulators/lyra/server.ts';
import {
  ACCEPTED_CARD,
  controlPay,
  type Envelope,
  hmacHex,
  LYRA_KEYS,
  lyraCall,
  REFUSED_CARD,
  type Received,
  Receiver,
  SHIPMENT,
  startLyra,
} from '../support/lyra-sim.ts';

const receiver = new Receiver();
let simulator: LyraSimulator;

beforeAll(async () => {
  await receiver.start();
  simulator = await startLyra({ ipnUrl: () => `${receiver.url}/shop-ipn`, ipnTimeoutMs: 1_000 });
});
afterAll(async () => {
  await simulator?.close();
  await receiver.close();
});
afterEach(async () => {
  receiver.reset();
  await post(simulator.url, '/__control/notifications', { mode: 'deliver' });
});

const post = (base: string, path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A payment on shipment whose IPN goes to the receiver's /ipn. */
async function payment(base = simulator.url, overrides: Record<string, unknown> = {}) {
  const { envelope } = await lyraCall(base, 'Charge/CreatePayment', {
    amount: 7412,
    currency: 'EUR',
    orderId: `order-${Math.random().toString(36).slice(2, 10)}`,
    useCase: SHIPMENT,
    customer: { email: 'sample@example.com', billingDetails: { firstName: 'Jeanne', language: 'FR' } },
    ipnTargetUrl: `${receiver.url}/ipn`,
    metadata: { hubOrderId: 'o-42' },
    ...overrides,
  });
  return envelope.answer.formToken as string;
}

const notificationsOf = async (formToken: string, base = simulator.url): Promise<SentIpn[]> =>
  (await (
    await fetch(`${base}/__control/notifications?formToken=${encodeURIComponent(formToken)}`)
  ).json()) as SentIpn[];

/** The IPN record once `deliveries` of its requests are recorded. */
async function delivered(formToken: string, deliveries: number, base = simulator.url): Promise<SentIpn> {
  await expect
    .poll(async () => (await notificationsOf(formToken, base))[0]?.deliveries.length ?? 0, { timeout: 5_000 })
    .toBe(deliveries);
  const [record] = await notificationsOf(formToken, base);
  if (!record) throw new Error('no IPN recorded');
  return record;
}

const advanceClock = (base: string, seconds: number) =>
  post(base, '/__control/clock', { advanceSeconds: seconds });

const ipns = () => receiver.received.filter((r) => r.path === '/ipn');
const recordedIpn = JSON.parse(
  readFileSync(new URL('../fixtures/lyra/ipn__paid__hash_password.json', import.meta.url), 'utf8'),
).body as Record<string, string>;

describe('the IPN at the end of a payment', () => {
  it('posts the recorded form fields, hashed with the REST password, with the VERIFICATION as transactions[0]', async () => {
    const formToken = await payment();
    const paid = await controlPay(simulator.url, formToken, { card: ACCEPTED_CARD });
    expect(paid.status).toBe(200);

    expect(ipns()).toHaveLength(1);
    const [ipn] = ipns() as [Received];
    expect(ipn.method).toBe('POST');
    expect(ipn.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.keys(ipn.fields)).toEqual(Object.keys(recordedIpn));
    expect(ipn.fields).toMatchObject({
      'kr-hash-key': 'password',
      'kr-hash-algorithm': 'sha256_hmac',
      'kr-answer-type': 'V4/Payment',
    });
    const krAnswer = ipn.fields['kr-answer'] ?? '';
    expect(ipn.fields['kr-hash']).toBe(hmacHex(LYRA_KEYS.restPassword, krAnswer));
    expect(ipn.fields['kr-hash']).not.toBe(hmacHex(LYRA_KEYS.hmacKey, krAnswer));

    const answer = JSON.parse(krAnswer) as Envelope;
    const recorded = JSON.parse(recordedIpn['kr-answer'] ?? '{}') as Envelope;
    // Every field of the recorded answer is there, at each level (the simulator adds a few).
    expect(Object.keys(answer)).toEqual(expect.arrayContaining(Object.keys(recorded)));
    expect(Object.keys(answer.orderDetails)).toEqual(
      expect.arrayContaining(Object.keys(recorded.orderDetails)),
    );
    expect(Object.keys(answer.customer)).toEqual(expect.arrayContaining(Object.keys(recorded.customer)));
    const [transaction] = answer.transactions;
    const [recordedTransaction] = recorded.transactions;
    expect(Object.keys(transaction)).toEqual(expect.arrayContaining(Object.keys(recordedTransaction)));
    expect(Object.keys(transaction.transactionDetails)).toEqual(
      expect.arrayContaining(
        Object.keys(recordedTransaction.transactionDetails).filter((k) => k !== 'additionalFields'),
      ),
    );
    expect(Object.keys(transaction.transactionDetails.cardDetails)).toEqual(
      expect.arrayContaining(Object.keys(recordedTransaction.transactionDetails.cardDetails)),
    );

    expect(answer).toMatchObject({
      shopId: LYRA_KEYS.shopId,
      orderCycle: 'CLOSED',
      orderStatus: 'PAID',
      orderDetails: {
        orderTotalAmount: 7412,
        orderCurrency: 'EUR',
        mode: 'TEST',
        metadata: { hubOrderId: 'o-42' },
      },
      customer: {
        email: 'sample@example.com',
        billingDetails: { firstName: 'Jeanne', language: 'FR', lastName: null },
      },
      _type: 'V4/Payment',
    });
    expect(transaction).toMatchObject({
      amount: 7412,
      currency: 'EUR',
      paymentMethodType: 'CARD',
      status: 'PAID',
      detailedStatus: 'ACCEPTED',
      operationType: 'VERIFICATION',
      errorCode: null,
      metadata: { hubOrderId: 'o-42' },
      transactionDetails: {
        useCase: SHIPMENT,
        parentTransactionUuid: null,
        cardDetails: { effectiveBrand: 'CB', pan: '497010XXXXXX0055' },
      },
      _type: 'V4/PaymentTransaction',
    });
    expect(transaction.uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.serverDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    const [record] = await notificationsOf(formToken);
    expect(record).toMatchObject({
      formToken,
      transactionUuid: transaction.uuid,
      orderStatus: 'PAID',
      url: `${receiver.url}/ipn`,
      mode: 'deliver',
      pending: false,
      delivered: true,
      nextAttemptAt: null,
      body: ipn.rawBody,
      hash: ipn.fields['kr-hash'],
      deliveries: [{ attempt: 1, status: 200, body: 'OK', ms: expect.any(Number) }],
    });
  });

  it('answers the pay control route with the browser-return fields, the same kr-answer hashed with the HMAC key', async () => {
    const formToken = await payment();
    const paid = await controlPay(simulator.url, formToken, { card: ACCEPTED_CARD });
    expect(Object.keys(paid.body).sort()).toEqual([
      'kr-answer',
      'kr-answer-type',
      'kr-hash',
      'kr-hash-algorithm',
      'kr-hash-key',
    ]);
    expect(paid.body).toMatchObject({
      'kr-hash-key': 'sha256_hmac',
      'kr-hash-algorithm': 'sha256_hmac',
      'kr-answer-type': 'V4/Payment',
      'kr-answer': ipns()[0]?.fields['kr-answer'],
    });
    const krAnswer = paid.body['kr-answer'] ?? '';
    expect(paid.body['kr-hash']).toBe(hmacHex(LYRA_KEYS.hmacKey, krAnswer));
    expect(paid.body['kr-hash']).not.toBe(hmacHex(LYRA_KEYS.restPassword, krAnswer));
  });

  it('sends the IPN before answering the browser return: the answer waits for the hub', async () => {
    const formToken = await payment();
    receiver.holding = true;
    let answered = false;
    const pay = controlPay(simulator.url, formToken, { card: ACCEPTED_CARD }).then((result) => {
      answered = true;
      return result;
    });
    await expect.poll(() => ipns().length).toBe(1);
    // Round trips to the simulator after the IPN arrived: an answer already sent would be read by now.
    for (let i = 0; i < 3; i++) expect((await notificationsOf(formToken))[0]?.pending).toBe(true);
    expect(answered).toBe(false);
    receiver.release();
    expect((await pay).status).toBe(200);
  });

  it('reports a refused card as UNPAID / REFUSED, and takes no second attempt on the same token', async () => {
    const formToken = await payment();
    const paid = await controlPay(simulator.url, formToken, { card: REFUSED_CARD });
    expect(paid.status).toBe(200);
    const answer = JSON.parse(ipns()[0]?.fields['kr-answer'] ?? '{}') as Envelope;
    expect(answer).toMatchObject({ orderStatus: 'UNPAID', orderCycle: 'CLOSED' });
    expect(answer.transactions[0]).toMatchObject({
      status: 'UNPAID',
      detailedStatus: 'REFUSED',
      operationType: 'VERIFICATION',
      errorCode: 'ACQ_001',
    });
    expect(JSON.parse(paid.body['kr-answer'] ?? '{}').orderStatus).toBe('UNPAID');
    expect(paid.body['kr-hash']).toBe(hmacHex(LYRA_KEYS.hmacKey, paid.body['kr-answer'] ?? ''));

    expect((await controlPay(simulator.url, formToken, { card: ACCEPTED_CARD })).status).toBe(409);
    expect(ipns()).toHaveLength(1);
  });

  it('refuses the pay control route for an unknown token (404) and a malformed card (400)', async () => {
    expect((await controlPay(simulator.url, 'no-such-token', { card: ACCEPTED_CARD })).status).toBe(404);
    const formToken = await payment();
    expect((await controlPay(simulator.url, formToken, { card: 'four' })).status).toBe(400);
    expect(
      (await controlPay(simulator.url, formToken, { card: ACCEPTED_CARD, expiry: '13/30' })).status,
    ).toBe(400);
    expect(simulator.state.payments.get(formToken)?.status).toBe('created');
  });

  it("sends to the shop's IPN URL when the payment names none, and records an IPN with no URL at all", async () => {
    const toShop = await payment(simulator.url, { ipnTargetUrl: undefined });
    await controlPay(simulator.url, toShop, { card: ACCEPTED_CARD });
    expect(receiver.received.map((r) => r.path)).toEqual(['/shop-ipn']);

    const own = await startLyra();
    try {
      const nowhere = await payment(own.url, { ipnTargetUrl: undefined });
      expect((await controlPay(own.url, nowhere, { card: ACCEPTED_CARD })).status).toBe(200);
      const [record] = await notificationsOf(nowhere, own.url);
      expect(record).toMatchObject({
        url: null,
        deliveries: [{ status: null, error: 'not sent: no IPN URL' }],
      });
    } finally {
      await own.close();
    }
  });
});

describe('IPN retries', () => {
  it('retries a failed IPN at the next quarter-hour slot of the simulator clock, with the same bytes, until answered 200', async () => {
    const formToken = await payment();
    receiver.answer = { status: 500, body: 'down' };
    await controlPay(simulator.url, formToken, { card: ACCEPTED_CARD });
    const failed = await delivered(formToken, 1);
    expect(failed).toMatchObject({
      delivered: false,
      deliveries: [{ attempt: 1, status: 500, body: 'down' }],
    });
    const slot = Date.parse(failed.nextAttemptAt ?? '');
    expect(slot % (15 * 60_000)).toBe(0);
    expect(slot).toBeGreaterThan(Date.parse(failed.deliveries[0]?.at ?? ''));
    expect(slot - Date.parse(failed.deliveries[0]?.at ?? '')).toBeLessThanOrEqual(15 * 60_000);

    receiver.answer = { status: 200, body: 'OK' };
    await advanceClock(simulator.url, 15 * 60);
    const retried = await delivered(formToken, 2);
    expect(retried).toMatchObject({
      delivered: true,
      nextAttemptAt: null,
      deliveries: [
        { attempt: 1, status: 500 },
        { attempt: 2, status: 200 },
      ],
    });
    expect(ipns()).toHaveLength(2);
    expect(ipns()[1]?.rawBody).toBe(ipns()[0]?.rawBody);
  });

  it('gives up after 4 retries, and counts no answer as a failure', async () => {
    const formToken = await payment(simulator.url, { ipnTargetUrl: 'http://127.0.0.1:9/ipn' });
    await controlPay(simulator.url, formToken, { card: ACCEPTED_CARD });
    for (let attempt = 1; attempt <= 5; attempt++) {
      const record = await delivered(formToken, attempt);
      expect(record.deliveries[attempt - 1]).toMatchObject({
        attempt,
        status: null,
        error: expect.any(String),
      });
      await advanceClock(simulator.url, 15 * 60);
    }
    const last = await delivered(formToken, 5);
    expect(last).toMatchObject({ delivered: false, nextAttemptAt: null, pending: false });
  });

  it('does not retry when retries are off, and retries after ipnRetryDelayMs when set', async () => {
    const noRetry = await startLyra({ ipnRetries: 0 });
    const quick = await startLyra({ ipnRetryDelayMs: 0, ipnRetries: 2 });
    try {
      receiver.answer = { status: 503, body: 'busy' };
      const once = await payment(noRetry.url);
      await controlPay(noRetry.url, once, { card: ACCEPTED_CARD });
      expect(await delivered(once, 1, noRetry.url)).toMatchObject({ nextAttemptAt: null, delivered: false });

      const thrice = await payment(quick.url);
      await controlPay(quick.url, thrice, { card: ACCEPTED_CARD });
      const record = await delivered(thrice, 3, quick.url);
      expect(record.deliveries.map((d) => [d.attempt, d.status])).toEqual([
        [1, 503],
        [2, 503],
        [3, 503],
      ]);
      expect(record.nextAttemptAt).toBeNull();
    } finally {
      await noRetry.close();
      await quick.close();
    }
  });
});

describe('notification modes', () => {
  it('drops the next IPN in mode drop (never retried), yet answers the browser return', async () => {
    const dropped = await payment();
    expect(await (await post(simulator.url, '/__control/notifications', { mode: 'drop' })).json()).toEqual({
      mode: 'drop',
      times: 1,
    });
    const paid = await controlPay(simulator.url, dropped, { card: ACCEPTED_CARD });
    expect(paid.status).toBe(200);
    expect(paid.body['kr-hash']).toBe(hmacHex(LYRA_KEYS.hmacKey, paid.body['kr-answer'] ?? ''));
    const [record] = await notificationsOf(dropped);
    expect(record).toMatchObject({
      mode: 'drop',
      pending: false,
      nextAttemptAt: null,
      deliveries: [{ status: null }],
    });

    const next = await payment();
    await controlPay(simulator.url, next, { card: ACCEPTED_CARD });
    expect(ipns().map((r) => JSON.parse(r.fields['kr-answer'] ?? '{}').transactions[0].uuid)).toEqual([
      simulator.state.payments.get(next)?.transactionUuid,
    ]);
  });

  it('sends the same body twice in mode duplicate', async () => {
    const formToken = await payment();
    await post(simulator.url, '/__control/notifications', { mode: 'duplicate' });
    await controlPay(simulator.url, formToken, { card: ACCEPTED_CARD });
    const record = await delivered(formToken, 2);
    expect(record.deliveries.map((d) => d.status)).toEqual([200, 200]);
    expect(ipns()).toHaveLength(2);
    expect(ipns()[1]?.rawBody).toBe(ipns()[0]?.rawBody);
  });

  it('holds the IPN back in mode delay, so that the browser return comes first', async () => {
    const formToken = await payment();
    await post(simulator.url, '/__control/notifications', { mode: 'delay', delayMs: 300 });
    const paid = await controlPay(simulator.url, formToken, { card: ACCEPTED_CARD });
    expect(paid.status).toBe(200);
    const [held] = await notificationsOf(formToken);
    expect(held).toMatchObject({ mode: 'delay', delayMs: 300, pending: true, deliveries: [] });
    expect(await delivered(formToken, 1)).toMatchObject({ pending: false, deliveries: [{ status: 200 }] });
  });

  it('applies a mode to `times` IPNs, then delivers', async () => {
    const tokens = [await payment(), await payment(), await payment()];
    await post(simulator.url, '/__control/notifications', { mode: 'drop', times: 2 });
    for (const token of tokens) await controlPay(simulator.url, token, { card: ACCEPTED_CARD });
    const modes = [];
    for (const token of tokens) modes.push((await notificationsOf(token))[0]?.mode);
    expect(modes).toEqual(['drop', 'drop', 'deliver']);
  });

  it('refuses an invalid notification mode with 400', async () => {
    for (const rule of [
      {},
      { mode: 'retry' },
      { mode: 'drop', times: 0 },
      { mode: 'deliver', delayMs: 10 },
      [],
    ]) {
      const answer = await post(simulator.url, '/__control/notifications', rule);
      expect(answer.status, JSON.stringify(rule)).toBe(400);
    }
  });
});
