/** The customer's side of flows A and B, in real Chromium: the Affirm link page (simulator) on their phone. */

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { createCheckout, hub } from '../support/hub.ts';
import { affirmSim, stack, waitForNotifications } from '../support/stack.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

/** The browser's request back to the hub's user_confirmation_url, made while `act` runs. */
async function returnToHub(page: Page, act: () => Promise<void>) {
  const confirmUrl = `${stack().hubUrl}/v1/affirm/confirm`;
  const [request] = await Promise.all([page.waitForRequest((r) => r.url() === confirmUrl), act()]);
  return { method: request.method(), body: request.postData() };
}

describe('the Affirm link page in Chromium', () => {
  it('shows the order, takes the confirmation, sends the browser back to the hub, and the associate can then authorize', async () => {
    const order = await createCheckout({
      amount: 89_900,
      items: [{ sku: 'BIKE', name: 'City bike', unitPrice: 89_900, quantity: 1 }],
    });
    const { checkoutId } = order.affirm;
    const sent = (await affirmSim.outbox()).find((m) => m.checkoutId === checkoutId);
    expect(sent?.link).toBe(order.affirm.redirectUrl);

    const page = await browser.newPage();
    await page.goto(order.affirm.redirectUrl);
    await expect(page.getByTestId('total').textContent()).resolves.toBe('$899.00');
    await expect(page.getByText('City bike × 1').count()).resolves.toBe(1);
    const back = await returnToHub(page, () => page.getByRole('button', { name: 'Confirm loan' }).click());
    expect(back).toEqual({ method: 'POST', body: `checkout_token=${checkoutId}` });
    await page.close();

    const webhooks = await waitForNotifications(checkoutId, 2);
    expect(webhooks.map((n) => n.event)).toEqual(['opened', 'confirmed']);

    const authorized = await hub.post(`/v1/affirm/checkouts/${checkoutId}/authorize`);
    expect(authorized.status).toBe(200);
    expect(authorized.body.status).toBe('authorized');
  });

  it('without JavaScript, shows the outcome and a focused button that posts the token back', async () => {
    const order = await createCheckout();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(order.affirm.redirectUrl);
    await page.getByRole('button', { name: 'Confirm loan' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('You are approved');
    const button = page.getByRole('button', { name: /^Return to / });
    await expect(page.locator(':focus').textContent()).resolves.toMatch(/^Return to /);
    const back = await returnToHub(page, () => button.click());
    expect(back).toEqual({ method: 'POST', body: `checkout_token=${order.affirm.checkoutId}` });
    await context.close();
  });

  it('takes a refusal, links back to the cancel URL, after which authorizing is declined', async () => {
    const order = await createCheckout();
    const page = await browser.newPage();
    await page.goto(order.affirm.redirectUrl);
    await page.getByRole('button', { name: 'No thanks' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('You declined');
    await expect(page.getByRole('link', { name: /^Return to / }).getAttribute('href')).resolves.toBe(
      `${stack().hubUrl}/v1/affirm/cancel`,
    );
    await page.close();
    expect((await hub.post(`/v1/affirm/checkouts/${order.affirm.checkoutId}/authorize`)).status).toBe(402);
  });
});
