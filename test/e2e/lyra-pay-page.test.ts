/**
 * The shopper's side of flow C in real Chromium, against the stack: the hub's pay page (`payUrl`)
 * shows the Lyra simulator's embedded form under the page's Content-Security-Policy; paying sends
 * the IPN to the hub, then the browser posts Lyra's signed answer to the hub's POST /v1/lyra/return,
 * whose page says what the stored order says. The browser's word never moves an order: only
 * Lyra's signature does.
 */

import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import {
  ACCEPTED_CARD,
  createLyraPayment,
  type LyraOrderView,
  lyraSim,
  order,
  REFUSED_CARD,
  shipment,
  waitForIpns,
} from '../support/lyra-stack.ts';
import { http, stack } from '../support/stack.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());
afterEach(() => lyraSim.notificationMode({ mode: 'deliver' }));

const returnUrl = () => `${stack().hubUrl}/v1/lyra/return`;

/** A new payment on shipment; its order id and payUrl. */
async function newPayment() {
  const created = await createLyraPayment();
  expect(created.status).toBe(201);
  const { orderId, lyra } = created.body;
  expect(lyra.payUrl).toMatch(new RegExp(`^${stack().hubUrl}/v1/lyra/pay/[A-Za-z0-9_-]+$`));
  return { orderId, payUrl: lyra.payUrl ?? '' };
}

/**
 * Opens `url` in a fresh page, collecting what the browser reports: console messages (Chromium logs
 * every CSP refusal there), uncaught errors, and the document's securitypolicyviolation events.
 */
async function open(url: string) {
  const page = await browser.newPage();
  const reports: string[] = [];
  page.on('console', (message) => reports.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => reports.push(`pageerror: ${error.message}`));
  await page.exposeFunction('reportViolation', (text: string) => reports.push(text));
  // Runs in the page (a string: the tests are compiled without the DOM's types).
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      window.reportViolation('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
  });
  const response = await page.goto(url);
  return { page, reports, status: response?.status() };
}

const cspReports = (reports: string[]) => reports.filter((r) => /content security policy/i.test(r));
const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

/** Fills the simulator's form, pays, and waits for the hub's return page; the browser's return request. */
async function payWith(page: Page, card: string): Promise<Request> {
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry date (MM/YY)').fill('12/30');
  await page.getByLabel('Security code').fill('123');
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url() === returnUrl()),
    page.waitForURL(returnUrl()),
    page.getByRole('button', { name: 'Pay' }).click(),
  ]);
  return request;
}

const fieldsOf = (request: Request) => new URLSearchParams(request.postData() ?? '');

/** Posts browser-return fields to the hub as a browser's form would. */
const postReturn = (fields: URLSearchParams) =>
  http(returnUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
  });

/** The order as the hub stores it, minus nothing: two reads are equal only if nothing changed. */
const snapshot = (orderId: string): Promise<LyraOrderView> => order(orderId);

describe('the hub’s Lyra pay page in Chromium', () => {
  it('shows the form without any CSP refusal, takes the accepted card, and lands on the hub’s page once the IPN authorized the order', async () => {
    const { orderId, payUrl } = await newPayment();
    const { page, reports, status } = await open(payUrl);
    expect(status).toBe(200);
    await expect(page.getByLabel('Card number').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Expiry date (MM/YY)').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Security code').isVisible()).resolves.toBe(true);

    const request = await payWith(page, ACCEPTED_CARD);
    expect(request.method()).toBe('POST');
    expect(fieldsOf(request).get('kr-hash-key')).toBe('sha256_hmac');
    await expect(heading(page)).resolves.toBe('Thank you: your card is registered');
    await expect(page.getByText(`Order ${orderId}`).count()).resolves.toBe(1);
    expect(cspReports(reports)).toEqual([]);
    expect(reports.filter((r) => r.startsWith('pageerror'))).toEqual([]);
    await page.close();

    const view = await order(orderId);
    expect(view.status).toBe('authorized');
    expect(view.lyra.state).toBe('authorized');
    expect(view.lyra.initialTransactionUuid).toMatch(/^[0-9a-f]{32}$/);
    const ipns = await waitForIpns(orderId, 1);
    expect(ipns).toHaveLength(1);
    expect(ipns[0]?.deliveries.map((d) => d.status)).toEqual([200]);
  });

  it('says a refused card is refused; the order is declined and nothing can be shipped', async () => {
    const { orderId, payUrl } = await newPayment();
    const { page, reports } = await open(payUrl);
    const request = await payWith(page, REFUSED_CARD);
    expect(JSON.parse(fieldsOf(request).get('kr-answer') ?? '{}').orderStatus).toBe('UNPAID');
    await expect(heading(page)).resolves.toBe('Your card was refused');
    expect(cspReports(reports)).toEqual([]);
    await page.close();

    const view = await order(orderId);
    expect(view.status).toBe('declined');
    expect(view.lyra.state).toBe('refused');
    expect(view.lyra.initialTransactionUuid).toBeUndefined();
    const shipped = await shipment(orderId, 'parcel-1', 1000);
    expect(shipped.status).toBe(409);
    expect(shipped.body.code).toBe('ORDER_NOT_AUTHORIZED');
  });

  it('shows what became of the payment, not the form, when payUrl is opened again; an unknown token is a 404 page', async () => {
    const { orderId, payUrl } = await newPayment();
    const first = await open(payUrl);
    await payWith(first.page, ACCEPTED_CARD);
    await first.page.close();

    const again = await open(payUrl);
    expect(again.status).toBe(200);
    await expect(heading(again.page)).resolves.toBe('Thank you: your card is registered');
    await expect(again.page.getByText(`Order ${orderId}`).count()).resolves.toBe(1);
    await expect(again.page.getByLabel('Card number').count()).resolves.toBe(0);
    await expect(again.page.locator('.kr-embedded, script').count()).resolves.toBe(0);
    expect(again.reports).toEqual([]);
    await again.page.close();

    const unknown = await open(`${stack().hubUrl}/v1/lyra/pay/${'A'.repeat(24)}`);
    expect(unknown.status).toBe(404);
    await expect(heading(unknown.page)).resolves.toBe('We could not find this payment');
    await expect(unknown.page.getByLabel('Card number').count()).resolves.toBe(0);
    await unknown.page.close();
  });

  it('answers 401 to a browser return whose kr-answer was altered, and changes nothing', async () => {
    // The IPN is lost, so only the browser's return could move the order: a refused card, whose
    // answer the browser rewrites to say the card was accepted.
    await lyraSim.notificationMode({ mode: 'drop', times: 1 });
    const { orderId, payUrl } = await newPayment();
    const { page } = await open(payUrl);
    await page.route(returnUrl(), (route) => {
      const fields = fieldsOf(route.request());
      const forged = (fields.get('kr-answer') ?? '')
        .replaceAll('"UNPAID"', '"PAID"')
        .replaceAll('"REFUSED"', '"ACCEPTED"');
      expect(forged).not.toBe(fields.get('kr-answer'));
      fields.set('kr-answer', forged);
      return route.continue({ postData: fields.toString() });
    });
    const before = await snapshot(orderId);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === returnUrl()),
      payWith(page, REFUSED_CARD),
    ]);
    expect(response.status()).toBe(401);
    await expect(response.json()).resolves.toMatchObject({ code: 'INVALID_SIGNATURE' });
    await page.close();

    const ipns = await waitForIpns(orderId, 1);
    // Dropped: the one attempt never reached the hub.
    expect(ipns[0]?.deliveries.map((d) => d.status)).toEqual([null]);
    const after = await snapshot(orderId);
    expect(after).toEqual(before);
    expect(after.lyra.state).toBe('awaiting_payment');
  });

  it('changes nothing when a genuine browser return is posted a second time', async () => {
    const { orderId, payUrl } = await newPayment();
    const { page } = await open(payUrl);
    const request = await payWith(page, ACCEPTED_CARD);
    await page.close();
    const before = await snapshot(orderId);
    expect(before.status).toBe('authorized');

    const again = await postReturn(fieldsOf(request));
    expect(again.status).toBe(200);
    expect(again.text).toContain('Thank you: your card is registered');
    expect(await snapshot(orderId)).toEqual(before);
  });

  it('authorizes the order on the signed browser return alone when the IPN is lost', async () => {
    await lyraSim.notificationMode({ mode: 'drop', times: 1 });
    const { orderId, payUrl } = await newPayment();
    const { page, reports } = await open(payUrl);
    const request = await payWith(page, ACCEPTED_CARD);
    await expect(heading(page)).resolves.toBe('Thank you: your card is registered');
    expect(cspReports(reports)).toEqual([]);
    await page.close();

    const ipns = await waitForIpns(orderId, 1);
    // Dropped: the one attempt never reached the hub.
    expect(ipns[0]?.deliveries.map((d) => d.status)).toEqual([null]);
    const view = await order(orderId);
    expect(view.status).toBe('authorized');
    expect(view.lyra.initialTransactionUuid).toBe(
      JSON.parse(fieldsOf(request).get('kr-answer') ?? '{}').transactions[0].uuid,
    );
    expect(view.events.find((e) => e.type === 'authorization.succeeded')?.detail).toMatchObject({
      source: 'browser',
    });
  });
});
