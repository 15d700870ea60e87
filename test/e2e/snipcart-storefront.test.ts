/**
 * Flow D in real Chromium, as a shopper lives it: the simulator's demo storefront (Snipcart's
 * cart), the payment methods the hub answered, the hub's checkout page with Lyra's embedded form,
 * the test card, and the redirect to Snipcart's returnUrl. Snipcart records one `processed`.
 */

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { ACCEPTED_CARD } from '../support/lyra-stack.ts';
import { snipcartSim } from '../support/snipcart-stack.ts';
import { stack } from '../support/stack.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

describe('the Snipcart storefront in Chromium', () => {
  it('buys the 599.80 EUR bike end to end: methods, checkout page, card, back to Snipcart, confirmed once', async () => {
    const page = await browser.newPage();
    const reports: string[] = [];
    page.on('console', (message) => reports.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => reports.push(`pageerror: ${error.message}`));

    // The shop: one bike (the default quantity), checkout.
    await page.goto(`${snipcartSim.url()}/store`);
    await page.getByRole('button', { name: 'Checkout' }).click();
    // The cart shows the methods the hub answered: one, a link to the hub's checkout page.
    const method = page.locator('a.method');
    await expect(method.count()).resolves.toBe(1);
    expect(await method.getAttribute('href')).toMatch(
      new RegExp(`^${stack().hubUrl}/v1/snipcart/checkout\\?`),
    );
    const sessionId = /\/store\/checkout\/([^/?#]+)/.exec(page.url())?.[1] ?? '';
    expect(sessionId).not.toBe('');
    await method.click();

    // The hub's page: the cart as Snipcart holds it, its total, Lyra's form.
    await page.waitForURL(new RegExp(`^${stack().hubUrl}/v1/snipcart/checkout`));
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Pay 609.70 EUR');
    await expect(page.getByText('Vélo de randonnée Alpin').count()).resolves.toBe(1);
    await page.getByLabel('Card number').fill(ACCEPTED_CARD);
    await page.getByLabel('Expiry date (MM/YY)').fill('12/30');
    await page.getByLabel('Security code').fill('123');
    await Promise.all([
      page.waitForURL(`${snipcartSim.url()}/store/order/${sessionId}`),
      page.getByRole('button', { name: 'Pay' }).click(),
    ]);

    // Back at the shop: Snipcart's order page says processed, from one confirmation.
    await expect(page.locator('[data-state]').getAttribute('data-state')).resolves.toBe('processed');
    expect(reports.filter((r) => /content security policy|pageerror/i.test(r))).toEqual([]);
    await page.close();
    const session = await snipcartSim.session(sessionId);
    expect(session.payments.filter((p) => p.state === 'processed')).toHaveLength(1);
  });
});
