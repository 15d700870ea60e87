/**
 * The shopper's side of flow C in real Chromium: a shop page (served by this test, another origin
 * than the simulator's) includes the simulator's stand-in for kr-payment-form.min.js and a
 * .kr-embedded div, as the hub's pay page will. The shopper pays; the simulator sends the IPN; the
 * browser posts the signed return to kr-post-url-success (or -refused), which this test receives.
 */

import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FORM_PAY_PATH,
  FORM_SCRIPT_PATH,
  type LyraSimulator,
} from '../../infra/local/simulators/lyra/server.ts';
import { launchChromium } from '../support/browser.ts';
import {
  ACCEPTED_CARD,
  hmacHex,
  LYRA_KEYS,
  lyraCall,
  REFUSED_CARD,
  Receiver,
  SHIPMENT,
  startLyra,
} from '../support/lyra-sim.ts';

const shop = new Receiver();
let simulator: LyraSimulator;
let browser: Browser;

beforeAll(async () => {
  await shop.start();
  simulator = await startLyra();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await simulator?.close();
  await shop.close();
});
afterEach(() => {
  shop.reset();
  shop.pages.clear();
});

/** A payment on shipment whose IPN goes to the shop's /ipn; its form token. */
async function formToken(): Promise<string> {
  const { envelope } = await lyraCall(simulator.url, 'Charge/CreatePayment', {
    amount: 7412,
    currency: 'EUR',
    orderId: `order-${Math.random().toString(36).slice(2, 10)}`,
    useCase: SHIPMENT,
    ipnTargetUrl: `${shop.url}/ipn`,
  });
  return envelope.answer.formToken;
}

/** The shop's pay page: the script (with `attributes`) in the head, the form's div in the body. */
async function payPage(token: string, attributes: Record<string, string> = {}): Promise<Page> {
  const attrs = Object.entries({
    'kr-public-key': LYRA_KEYS.publicKey,
    'kr-post-url-success': `${shop.url}/paid`,
    'kr-post-url-refused': `${shop.url}/refused`,
    ...attributes,
  })
    .map(([name, value]) => `${name}="${value}"`)
    .join(' ');
  shop.pages.set(
    '/pay',
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay</title>
<script src="${simulator.url}${FORM_SCRIPT_PATH}" ${attrs}></script></head>
<body><h1>Your order</h1><div class="kr-embedded" kr-form-token="${token}"></div></body></html>`,
  );
  const page = await browser.newPage();
  await page.goto(`${shop.url}/pay`);
  return page;
}

async function fillCard(page: Page, card: string, expiry = '12/30', cvv = '123') {
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry date (MM/YY)').fill(expiry);
  await page.getByLabel('Security code').fill(cvv);
}

/** Pays and returns the browser's request to `path` on the shop. */
async function payAndLeaveFor(page: Page, path: string) {
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(`${shop.url}${path}`)),
    page.getByRole('button', { name: 'Pay' }).click(),
  ]);
  return request;
}

const paths = () => shop.received.map((r) => r.path).filter((path) => path !== '/favicon.ico');

describe('the embedded form stand-in in Chromium', () => {
  it('takes the accepted card, sends the IPN, then posts the signed return to kr-post-url-success', async () => {
    const token = await formToken();
    const page = await payPage(token);
    await fillCard(page, '4970 1000 0000 0055');
    const request = await payAndLeaveFor(page, '/paid');
    expect(request.method()).toBe('POST');
    expect(request.headers()['content-type']).toBe('application/x-www-form-urlencoded');
    const fields = Object.fromEntries(new URLSearchParams(request.postData() ?? ''));
    expect(Object.keys(fields)).toEqual([
      'kr-answer',
      'kr-hash',
      'kr-hash-key',
      'kr-hash-algorithm',
      'kr-answer-type',
    ]);
    expect(fields).toMatchObject({
      'kr-hash-key': 'sha256_hmac',
      'kr-hash-algorithm': 'sha256_hmac',
      'kr-answer-type': 'V4/Payment',
    });
    const krAnswer = fields['kr-answer'] ?? '';
    expect(fields['kr-hash']).toBe(hmacHex(LYRA_KEYS.hmacKey, krAnswer));
    const answer = JSON.parse(krAnswer);
    expect(answer.orderStatus).toBe('PAID');
    expect(answer.transactions[0]).toMatchObject({
      operationType: 'VERIFICATION',
      detailedStatus: 'ACCEPTED',
      transactionDetails: { cardDetails: { effectiveBrand: 'CB', pan: '497010XXXXXX0055' } },
    });

    // The IPN reached the shop first, hashed with the REST password, with the same answer.
    await expect.poll(paths).toEqual(['/pay', '/ipn', '/paid']);
    const ipn = shop.received.find((r) => r.path === '/ipn');
    expect(ipn?.fields['kr-answer']).toBe(krAnswer);
    expect(ipn?.fields['kr-hash']).toBe(hmacHex(LYRA_KEYS.restPassword, krAnswer));
    expect(answer.customer.extraDetails.browserUserAgent).toContain('Chrome');

    // The card the browser sent is not kept in the simulator's requests log.
    const logged = simulator.requests.filter((r) => r.path === FORM_PAY_PATH);
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged)).not.toContain(ACCEPTED_CARD);
    expect(logged[0]?.body).toMatchObject({ pan: '497010XXXXXX0055', cvv: '***' });
    await page.close();
  });

  it('posts the refused card’s return to kr-post-url-refused, after an UNPAID IPN', async () => {
    const page = await payPage(await formToken());
    await fillCard(page, REFUSED_CARD);
    const request = await payAndLeaveFor(page, '/refused');
    const fields = Object.fromEntries(new URLSearchParams(request.postData() ?? ''));
    expect(fields['kr-hash']).toBe(hmacHex(LYRA_KEYS.hmacKey, fields['kr-answer'] ?? ''));
    expect(JSON.parse(fields['kr-answer'] ?? '{}')).toMatchObject({
      orderStatus: 'UNPAID',
      transactions: [{ status: 'UNPAID', detailedStatus: 'REFUSED' }],
    });
    await expect.poll(paths).toEqual(['/pay', '/ipn', '/refused']);
    await page.close();
  });

  it('says the card was refused in the form when the page gives no refused URL', async () => {
    const page = await payPage(await formToken(), { 'kr-post-url-refused': '' });
    await fillCard(page, REFUSED_CARD);
    await page.getByRole('button', { name: 'Pay' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Payment refused.');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('CLIENT_001');
    await expect(page.getByRole('button', { name: 'Pay' }).isDisabled()).resolves.toBe(true);
    await page.close();
  });

  it('sends the fields in the query string to kr-get-url-success', async () => {
    const page = await payPage(await formToken(), {
      'kr-post-url-success': '',
      'kr-get-url-success': `${shop.url}/paid?cart=42`,
    });
    await fillCard(page, ACCEPTED_CARD);
    const request = await payAndLeaveFor(page, '/paid');
    expect(request.method()).toBe('GET');
    const query = new URL(request.url()).searchParams;
    expect(query.get('cart')).toBe('42');
    expect(query.get('kr-hash')).toBe(hmacHex(LYRA_KEYS.hmacKey, query.get('kr-answer') ?? ''));
    await page.close();
  });

  it('refuses a malformed card in the form, marks the field invalid, and sends nothing', async () => {
    const token = await formToken();
    const pays = () => simulator.requests.filter((r) => r.path === FORM_PAY_PATH).length;
    const before = pays();
    const page = await payPage(token);
    await fillCard(page, '4970 1000 0000 0056');
    await page.getByRole('button', { name: 'Pay' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('CLIENT_301');
    await expect(page.getByLabel('Card number').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('Card number').getAttribute('aria-describedby')).resolves.toBe(
      await page.getByRole('alert').getAttribute('id'),
    );

    await fillCard(page, ACCEPTED_CARD, '13/30');
    await page.getByRole('button', { name: 'Pay' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('CLIENT_302');
    await expect(page.getByLabel('Card number').getAttribute('aria-invalid')).resolves.toBeNull();
    await expect(page.getByLabel('Expiry date (MM/YY)').getAttribute('aria-invalid')).resolves.toBe('true');

    expect(pays()).toBe(before);
    expect(simulator.state.payments.get(token)?.status).toBe('created');
    await page.close();
  });

  it('refuses a page whose kr-public-key is not the shop’s (CLIENT_004), leaving the payment unpaid', async () => {
    const token = await formToken();
    const page = await payPage(token, { 'kr-public-key': `${LYRA_KEYS.shopId}:testpublickey_OTHER` });
    await fillCard(page, ACCEPTED_CARD);
    await page.getByRole('button', { name: 'Pay' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('CLIENT_004');
    expect(simulator.state.payments.get(token)?.status).toBe('created');
    expect(paths()).toEqual(['/pay']);
    await page.close();
  });
});
