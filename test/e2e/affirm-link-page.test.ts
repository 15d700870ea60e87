/** The customer's side of flow A, in real Chromium: the Affirm link page (simulator) on their phone. */

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { createCheckout, hub } from '../support/hub.ts';
import { affirmSim } from '../support/stack.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

describe('the Affirm link page in Chromium', () => {
  it('shows the order, takes the confirmation, and the associate can then authorize', async () => {
    const order = await createCheckout({
      amount: 89_900,
      items: [{ sku: 'BIKE', name: 'City bike', unitPrice: 89_900, quantity: 1 }],
    });
    const sent = (await affirmSim.outbox()).find((m) => m.checkoutId === order.affirm.checkoutId);
    expect(sent?.link).toBe(order.affirm.redirectUrl);

    const page = await browser.newPage();
    await page.goto(order.affirm.redirectUrl);
    await expect(page.getByTestId('total').textContent()).resolves.toBe('$899.00');
    await expect(page.getByText('City bike × 1').count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Confirm loan' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('You are approved');
    await page.close();

    const authorized = await hub.post(`/v1/affirm/checkouts/${order.affirm.checkoutId}/authorize`);
    expect(authorized.status).toBe(200);
    expect(authorized.body.status).toBe('authorized');
  });

  it('takes a refusal, after which authorizing is declined', async () => {
    const order = await createCheckout();
    const page = await browser.newPage();
    await page.goto(order.affirm.redirectUrl);
    await page.getByRole('button', { name: 'No thanks' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('You declined');
    await page.close();
    expect((await hub.post(`/v1/affirm/checkouts/${order.affirm.checkoutId}/authorize`)).status).toBe(402);
  });
});
