/**
 * The agent console (GET /console) in real Chromium, against the local stack: a telesales agent
 * enters the key, starts a checkout, the customer approves at the simulator, and the agent
 * authorizes, captures and refunds, all on one page that never reloads. The page's own rules are
 * checked on the way: its security policy, a label for every field, no console error, no layout
 * shift, and a usable page at 320 px.
 *
 * Each step is a helper (openConsole, startCheckout, waitForStatus), so that a test of the telesales
 * webhook can wait for `authorized` to appear on its own, without the Authorize button.
 */

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_MESSAGES } from '../../shared/console/app.js';
import { launchChromium } from '../support/browser.ts';
import { hub } from '../support/hub.ts';
import { uniqueId } from '../support/ids.ts';
import { affirmSim, stack } from '../support/stack.ts';

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});
afterAll(() => browser?.close());

/** Long enough for a few polls (every 2 s) on a loaded machine; the waits end as soon as the page shows it. */
const SHOWN_WITHIN_MS = 15_000;

interface ConsolePage {
  page: Page;
  /** Console errors and uncaught exceptions, but the hub's deliberate refusals of API calls. */
  errors: string[];
  /** Main-frame navigations since the console was opened (1: the opening itself). */
  navigations(): number;
  headers: Record<string, string>;
}

/**
 * Runs in the page before its own script: records every layout shift the agent's input did not
 * cause (those polling would cause), with the elements that moved. Text, because this project's
 * TypeScript has no DOM types.
 */
const RECORD_LAYOUT_SHIFTS = `
  window.layoutShifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      const moved = entry.sources.map((s) => s.node ? (s.node.id || s.node.className || s.node.nodeName) + ' ' + JSON.stringify([s.previousRect.y, s.currentRect.y, s.previousRect.height, s.currentRect.height]) : '?');
      window.layoutShifts.push({ value: entry.value, moved });
    }
  }).observe({ type: 'layout-shift', buffered: true });
`;

/** Opens the console in a fresh tab and enters the POS key. */
async function openConsole(viewport = { width: 1280, height: 900 }): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // Chromium logs every 4xx/5xx answer to fetch; those of the API are the refusals under test.
    const refusal =
      message.text().startsWith('Failed to load resource') && message.location().url.includes('/v1/');
    if (message.type() === 'error' && !refusal) errors.push(message.text());
  });
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  // Every layout shift not caused by the agent's own input (what polling would cause).
  await page.addInitScript({ content: RECORD_LAYOUT_SHIFTS });
  const response = await page.goto(`${hub.url()}/console`);
  expect(response?.status()).toBe(200);
  await page.getByLabel('API key', { exact: true }).fill(stack().keys.pos);
  await page.getByRole('button', { name: 'Use key' }).click();
  await page.getByText('A key is in use in this tab.').waitFor();
  return { page, errors, navigations: () => navigations, headers: response?.headers() ?? {} };
}

const statusOf = (page: Page) => page.locator('#status').textContent();

async function waitForStatus(page: Page, status: string): Promise<void> {
  await page.locator(`#status[data-status="${status}"]`).waitFor({ timeout: SHOWN_WITHIN_MS });
}

/** Fills and sends the checkout form; returns the ids the order panel then shows. */
async function startCheckout(page: Page, amount: string, orderId = uniqueId('console')) {
  const form = page.locator('#checkout-form');
  await form.getByLabel('Order id', { exact: true }).fill(orderId);
  await form.getByLabel('Amount (dollars)', { exact: true }).fill(amount);
  await form.getByLabel('First name').fill('Jane');
  await form.getByLabel('Last name').fill('Doe');
  await form.getByLabel('E-mail').fill('jane@example.com');
  await form.getByLabel('Phone').fill('+1 303 555 0142');
  await form.getByLabel('Street').fill('1 Main St');
  await form.getByLabel('City').fill('Denver');
  await form.getByLabel('State or province').fill('CO');
  await form.getByLabel('ZIP or postal code').fill('80202');
  await form.getByRole('button', { name: 'Send the link to the customer' }).click();
  await waitForStatus(page, 'sent');
  await expect(page.locator('#order-title').textContent()).resolves.toBe(`Order ${orderId}`);
  const checkoutId = (await page.locator('#f-checkout').textContent()) ?? '';
  expect(checkoutId).toMatch(/\S/);
  return { orderId, checkoutId };
}

async function actionMessage(page: Page, expected: string): Promise<void> {
  await page.locator('#action-message').filter({ hasText: expected }).waitFor({ timeout: SHOWN_WITHIN_MS });
}

/** Runs the reconciler once, as the table's stream does in AWS when a webhook confirms a checkout. */
async function reconcile(orderId: string): Promise<void> {
  const answer = await fetch(`${hub.url()}/__local/reconcile`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderIds: [orderId] }),
  });
  expect(answer.status).toBe(200);
}

describe('the agent console with the telesales webhook, in Chromium', () => {
  it('shows the order authorized on its own once the customer confirms on the link page; capture and an over-refund follow', async () => {
    // Prepare: the agent starts a telesales checkout.
    const agent = await openConsole();
    const { page } = agent;
    await page.evaluate('window.sameDocument = true');
    const { orderId } = await startCheckout(page, '300.00');
    const link = (await page.locator('#f-link a').getAttribute('href')) ?? '';

    // Act: the customer confirms on Affirm's link page (the simulator's) in their own browser;
    // Affirm's signed webhook reaches the hub, which authorizes (its reconciler, run here as the
    // table's stream would run it).
    const customer = await browser.newContext();
    contexts.push(customer);
    const phone = await customer.newPage();
    await phone.goto(link);
    await phone.getByRole('button', { name: 'Confirm loan' }).click();
    await phone.waitForURL(/\/v1\/affirm\/confirm/, { timeout: SHOWN_WITHIN_MS });
    await reconcile(orderId);

    // Assess: the agent's page shows it without a reload, and the agent goes on.
    await waitForStatus(page, 'authorized');
    await expect(page.evaluate('window.sameDocument')).resolves.toBe(true);
    expect(agent.navigations()).toBe(1);
    await page.getByRole('button', { name: 'Capture' }).click();
    await waitForStatus(page, 'captured');
    await page.getByLabel('Refund amount (dollars)').fill('300.01');
    await page.getByRole('button', { name: 'Refund' }).click();
    await actionMessage(page, ERROR_MESSAGES.AMOUNT_EXCEEDS_CAPTURED ?? '<none>');
    expect(agent.errors).toEqual([]);
  });
});

describe('the agent console in Chromium', () => {
  it('takes a telesales order from the link to a refund, without reloading, with a clear word for each refusal', async () => {
    const agent = await openConsole();
    const { page } = agent;
    await page.evaluate('window.sameDocument = true');

    // The channel is telesales unless the agent says otherwise; the dollars become exact cents.
    await expect(page.getByLabel('Channel').inputValue()).resolves.toBe('telesales');
    const { orderId, checkoutId } = await startCheckout(page, '1,250.10');
    const created = await hub.get(`/v1/orders/${orderId}`);
    expect(created.body).toMatchObject({ channel: 'telesales', amount: 125_010, currency: 'USD' });
    await expect(page.locator('#f-link a').getAttribute('href')).resolves.toBe(
      created.body.affirm.redirectUrl,
    );

    // Too early: the customer has not finished.
    await page.getByRole('button', { name: 'Authorize' }).click();
    await actionMessage(page, ERROR_MESSAGES.CHECKOUT_NOT_CONFIRMED ?? '<none>');

    // The customer approves on their phone; the agent authorizes, from the keyboard.
    expect((await affirmSim.approve(checkoutId)).status).toBe(200);
    await page.getByRole('button', { name: 'Authorize' }).focus();
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'authorized');
    await actionMessage(page, 'Authorized $1,250.10.');
    await expect(page.getByRole('button', { name: 'Authorize' }).isDisabled()).resolves.toBe(true);

    await page.getByRole('button', { name: 'Capture' }).click();
    await waitForStatus(page, 'captured');
    await actionMessage(page, 'Captured $1,250.10.');
    await expect(page.locator('#f-captured').textContent()).resolves.toBe('$1,250.10');

    // More than was captured: refused, and said so in the agent's words.
    await page.getByLabel('Refund amount (dollars)').fill('1250.11');
    await page.getByRole('button', { name: 'Refund' }).click();
    await actionMessage(page, ERROR_MESSAGES.AMOUNT_EXCEEDS_CAPTURED ?? '<none>');
    await expect(statusOf(page)).resolves.toBe('captured');

    await page.getByLabel('Refund amount (dollars)').fill('200');
    await page.getByRole('button', { name: 'Refund' }).click();
    await waitForStatus(page, 'partially_refunded');
    await expect(page.locator('#f-refunded').textContent()).resolves.toBe('$200.00');
    const refunded = await hub.get(`/v1/orders/${orderId}`);
    expect(refunded.body).toMatchObject({ capturedAmount: 125_010, refundedAmount: 20_000 });
    expect(refunded.body.refunds).toHaveLength(1);

    // One page all along: no navigation after the first, the same document.
    expect(agent.navigations()).toBe(1);
    await expect(page.evaluate('window.sameDocument')).resolves.toBe(true);
    expect(agent.errors).toEqual([]);
  });

  it('shows a change made elsewhere as it happens, and then stops asking once the order is final', async () => {
    const agent = await openConsole();
    const { page } = agent;
    const { orderId, checkoutId } = await startCheckout(page, '89.90');
    await affirmSim.approve(checkoutId);
    // Another till authorizes (later: the telesales webhook does, by itself).
    expect((await hub.post(`/v1/affirm/checkouts/${checkoutId}/authorize`)).status).toBe(200);
    await waitForStatus(page, 'authorized');
    await expect(page.locator('#announce').textContent()).resolves.toContain(
      `Order ${orderId} is now authorized.`,
    );
    await expect(page.getByRole('button', { name: 'Capture' }).isEnabled()).resolves.toBe(true);

    expect((await hub.post(`/v1/orders/${orderId}/void`, {})).status).toBe(200);
    await waitForStatus(page, 'voided');
    await page.getByText('Live updates: stopped (final status).').waitFor();
    await expect(page.getByRole('button', { name: 'Capture' }).isDisabled()).resolves.toBe(true);

    // Updates that arrived by themselves moved nothing on the page.
    await expect(page.evaluate('window.layoutShifts')).resolves.toEqual([]);
    expect(agent.navigations()).toBe(1);
    expect(agent.errors).toEqual([]);
  });

  it('opens an existing order, and names an unknown one', async () => {
    const agent = await openConsole();
    const { page } = agent;
    const { orderId } = await startCheckout(page, '10');
    await page.reload();
    // The key stayed in the tab (sessionStorage), not in the page.
    await page.getByText('A key is in use in this tab.').waitFor();
    await expect(page.getByLabel('API key', { exact: true }).inputValue()).resolves.toBe('');
    const open = page.locator('#open-form');
    await open.getByLabel('Order id').fill('no-such-order');
    await open.getByRole('button', { name: 'Open' }).click();
    await page
      .locator('#open-message')
      .filter({ hasText: ERROR_MESSAGES.NOT_FOUND ?? '<none>' })
      .waitFor();
    await open.getByLabel('Order id').fill(orderId);
    await open.getByRole('button', { name: 'Open' }).click();
    await waitForStatus(page, 'sent');
    await expect(page.locator('#f-amount').textContent()).resolves.toBe('$10.00');

    // Forget key: gone from the tab, and the next request asks for one.
    await page.getByRole('button', { name: 'Forget key' }).click();
    await expect(
      page.evaluate('sessionStorage.length + localStorage.length + document.cookie.length'),
    ).resolves.toBe(0);
    expect(agent.errors).toEqual([]);
  });

  it('has a strict policy, a label for every field, visible focus, and fits 320 px', async () => {
    const agent = await openConsole({ width: 320, height: 640 });
    const { page } = agent;
    const csp = agent.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe/);

    await page.getByRole('button', { name: 'Add an item' }).click();
    const unlabelled = await page.evaluate(
      `[...document.querySelectorAll('input, select, textarea')]
        .filter((field) => !field.labels?.length && !field.getAttribute('aria-label'))
        .map((field) => field.outerHTML)`,
    );
    expect(unlabelled).toEqual([]);
    await expect(page.getByLabel('SKU').count()).resolves.toBe(1);

    // Nothing wider than the screen.
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(320);

    // Keyboard focus is visible.
    await page.getByRole('button', { name: 'Add an item' }).focus();
    await page.keyboard.press('Tab');
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');

    const { checkoutId } = await startCheckout(page, '5');
    expect(checkoutId).toMatch(/\S/);
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(320);
    expect(agent.errors).toEqual([]);
  });
});
