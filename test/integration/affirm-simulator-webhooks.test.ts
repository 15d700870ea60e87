/**
 * The Affirm simulator's webhooks (providers/affirm.md §3), checked against a receiver this test
 * runs itself, and against the hub's own verifier. A simulator of its own sends to that receiver,
 * so that the shared stack's simulator is left alone.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AffirmSimulator, startAffirmSimulator } from '../../infra/local/simulators/affirm/server.ts';
import { affirmSignatureVerifier } from '../../shared/providers/affirm/verify.ts';
import { uniqueId } from '../support/ids.ts';
import { affirmSim, http, stack, waitForNotifications } from '../support/stack.ts';

const PRIVATE_KEY = 'webhook_test_private';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  rawBody: Buffer;
  fields: Record<string, string>;
}

/** The test's webhook receiver: records every request; answers `answer`, or holds it until released. */
class Receiver {
  readonly received: Received[] = [];
  answer: { status: number; body: string } = { status: 200, body: 'thanks' };
  /** When set, requests wait for release() before being answered. */
  holding = false;
  private held: ServerResponse[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        this.received.push({
          path: req.url ?? '',
          headers: req.headers,
          rawBody,
          fields: Object.fromEntries(new URLSearchParams(rawBody.toString('utf8'))),
        });
        if (this.holding) this.held.push(res);
        else res.writeHead(this.answer.status, { 'content-type': 'text/plain' }).end(this.answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  release(): void {
    for (const res of this.held) res.writeHead(this.answer.status).end(this.answer.body);
    this.held = [];
    this.holding = false;
  }

  reset(): void {
    this.release();
    this.received.length = 0;
    this.answer = { status: 200, body: 'thanks' };
  }

  close(): Promise<void> {
    this.release();
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

const receiver = new Receiver();
let simulator: AffirmSimulator;
/** Where the simulator sends, asked at each event (undefined: no webhook URL). */
let webhookUrl: string | undefined;

beforeAll(async () => {
  await receiver.start();
  webhookUrl = `${receiver.url}/hooks/affirm`;
  simulator = await startAffirmSimulator({
    port: 0,
    publicKey: 'webhook_test_public',
    privateKey: PRIVATE_KEY,
    webhookUrl: () => webhookUrl,
    webhookTimeoutMs: 500,
  });
});
afterAll(async () => {
  await simulator?.close();
  await receiver.close();
});
afterEach(async () => {
  receiver.reset();
  webhookUrl = `${receiver.url}/hooks/affirm`;
  await affirmSim.notificationMode({ mode: 'deliver' }, simulator.url);
});

const CONFIRM_URL = 'https://merchant.example/affirm/confirm';
const CANCEL_URL = 'https://merchant.example/affirm/cancel';

/** A checkout at the test's simulator; returns its id and link. */
async function checkout(overrides: Record<string, unknown> = {}, merchant: Record<string, unknown> = {}) {
  const answer = await http<{ checkout_id: string; redirect_url: string }>(
    `${simulator.url}/api/v2/checkout/store`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        merchant: {
          public_api_key: 'webhook_test_public',
          name: 'Demo Store',
          user_confirmation_url: CONFIRM_URL,
          user_cancel_url: CANCEL_URL,
          ...merchant,
        },
        billing: {
          name: { first: 'Jane', last: 'Doe' },
          address: { line1: '1 Main St', city: 'Denver', state: 'CO', zipcode: '80202', country: 'USA' },
          email: 'jane@example.com',
        },
        order_id: uniqueId('order'),
        total: 12_345,
        currency: 'USD',
        metadata: { mode: 'telesales' },
        ...overrides,
      }),
    },
  );
  expect(answer.status).toBe(200);
  return { id: answer.body.checkout_id, link: answer.body.redirect_url };
}

const control = (id: string, decision: 'approve' | 'decline') =>
  http(`${simulator.url}/__control/checkouts/${id}/${decision}`, { method: 'POST' });

const wait = (id: string, count: number) => waitForNotifications(id, count, { simulatorUrl: simulator.url });

const verify = (privateKey: string, received: Received, now: Date) =>
  affirmSignatureVerifier(async () => privateKey).verify({
    rawBody: received.rawBody,
    headers: { 'x-affirm-signature': String(received.headers['x-affirm-signature']) },
    now,
  });

/** `2020-01-24T21:42:23.849774`, the documented example's timestamps. */
const AFFIRM_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

describe('Affirm simulator webhooks', () => {
  it('posts a form-encoded, signed `confirmed` event with the documented fields when the customer confirms', async () => {
    const { id } = await checkout({ webhook_session_id: 'session-42' });
    expect((await control(id, 'approve')).status).toBe(200);

    const [sent] = await wait(id, 1);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received as [Received];
    expect(request.path).toBe('/hooks/affirm');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.fields).toEqual({
      checkout_token: id,
      event: 'confirmed',
      event_timestamp: expect.stringMatching(AFFIRM_TIME),
      created: expect.stringMatching(AFFIRM_TIME),
      order_id: expect.stringMatching(/^order-/),
      webhook_session_id: 'session-42',
      total: '12345',
      amount_financed: '12345',
      email_address: 'jane@example.com',
      first_name: 'Jane',
      last_name: 'Doe',
    });
    expect(sent).toMatchObject({
      checkoutId: id,
      event: 'confirmed',
      url: `${receiver.url}/hooks/affirm`,
      mode: 'deliver',
      pending: false,
      body: request.rawBody.toString('utf8'),
      signature: request.headers['x-affirm-signature'],
      deliveries: [{ status: 200, body: 'thanks', ms: expect.any(Number) }],
    });
  });

  it("signs with the merchant's private key in a way the hub's verifier accepts, and no other key passes", async () => {
    const { id } = await checkout();
    await control(id, 'approve');
    await wait(id, 1);
    const [request] = receiver.received as [Received];
    expect(String(request.headers['x-affirm-signature'])).toMatch(/^t=\d+,v0=[0-9a-f]{128}$/);

    await expect(verify(PRIVATE_KEY, request, simulator.now())).resolves.toEqual({ valid: true });
    await expect(verify('another_private_key', request, simulator.now())).resolves.toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it("signs at the simulator's clock, which tests move forward", async () => {
    const { id } = await checkout();
    await http(`${simulator.url}/__control/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 3_600 }),
    });
    await control(id, 'approve');
    await wait(id, 1);
    const [request] = receiver.received as [Received];
    // An hour ahead of the real clock: stale for a verifier an hour behind, valid on the moved clock.
    await expect(verify(PRIVATE_KEY, request, new Date())).resolves.toEqual({
      valid: false,
      reason: 'future',
    });
    await expect(verify(PRIVATE_KEY, request, simulator.now())).resolves.toEqual({ valid: true });
  });

  it('answers the approve control call without waiting for the receiver; the record stays pending until answered', async () => {
    const { id } = await checkout();
    receiver.holding = true;
    expect((await control(id, 'approve')).status).toBe(200);

    const [pending] = await affirmSim.notifications(id, simulator.url);
    expect(pending).toMatchObject({ event: 'confirmed', pending: true, deliveries: [] });

    await expect.poll(() => receiver.received.length).toBe(1);
    receiver.answer = { status: 401, body: '{"code":"INVALID_SIGNATURE"}' };
    receiver.release();
    const [answered] = await wait(id, 1);
    expect(answered?.deliveries).toEqual([
      { status: 401, body: '{"code":"INVALID_SIGNATURE"}', ms: expect.any(Number) },
    ]);
  });

  it('sends `opened` on the first view of the link page only, and `not_approved` when the customer declines', async () => {
    const { id, link } = await checkout();
    await http(link);
    await http(link);
    await http(`${link}decline`, { method: 'POST' });
    await control(id, 'decline'); // the same decision again: nothing more to tell

    const sent = await wait(id, 2);
    expect(sent.map((n) => n.event)).toEqual(['opened', 'not_approved']);
    expect(receiver.received.map((r) => r.fields.event).sort()).toEqual(['not_approved', 'opened']);
    const declined = receiver.received.find((r) => r.fields.event === 'not_approved');
    expect(declined?.fields).not.toHaveProperty('amount_financed');
    expect(declined?.fields).toMatchObject({ checkout_token: id, total: '12345' });
  });

  it('drops the next notification in mode drop, then delivers again', async () => {
    const dropped = await checkout();
    const delivered = await checkout();
    expect(await affirmSim.notificationMode({ mode: 'drop' }, simulator.url)).toEqual({
      mode: 'drop',
      times: 1,
    });

    await control(dropped.id, 'approve');
    await control(delivered.id, 'approve');

    const [lost] = await wait(dropped.id, 1);
    expect(lost).toMatchObject({ mode: 'drop', pending: false, deliveries: [{ status: null }] });
    const [sent] = await wait(delivered.id, 1);
    expect(sent).toMatchObject({ mode: 'deliver', deliveries: [{ status: 200 }] });
    expect(receiver.received.map((r) => r.fields.checkout_token)).toEqual([delivered.id]);
  });

  it('sends the same signed body twice in mode duplicate', async () => {
    const { id } = await checkout();
    await affirmSim.notificationMode({ mode: 'duplicate' }, simulator.url);
    await control(id, 'approve');

    const [sent] = await wait(id, 1);
    expect(sent?.deliveries.map((d) => d.status)).toEqual([200, 200]);
    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received as [Received, Received];
    expect(second.rawBody.equals(first.rawBody)).toBe(true);
    expect(second.headers['x-affirm-signature']).toBe(first.headers['x-affirm-signature']);
  });

  it('holds the next notifications back in mode delay, so that later ones overtake them', async () => {
    const late = await checkout();
    const early = await checkout();
    await affirmSim.notificationMode({ mode: 'delay', delayMs: 400, times: 1 }, simulator.url);
    await control(late.id, 'approve');
    await control(early.id, 'approve');

    await wait(early.id, 1);
    const [held] = await wait(late.id, 1);
    expect(held).toMatchObject({ mode: 'delay', delayMs: 400, deliveries: [{ status: 200 }] });
    expect(receiver.received.map((r) => r.fields.checkout_token)).toEqual([early.id, late.id]);
  });

  it('applies a mode to `times` notifications', async () => {
    const checkouts = [await checkout(), await checkout(), await checkout()];
    await affirmSim.notificationMode({ mode: 'drop', times: 2 }, simulator.url);
    for (const { id } of checkouts) await control(id, 'approve');
    const modes = [];
    for (const { id } of checkouts) modes.push((await wait(id, 1))[0]?.mode);
    expect(modes).toEqual(['drop', 'drop', 'deliver']);
  });

  it('refuses an invalid notification mode with 400', async () => {
    for (const rule of [
      {},
      { mode: 'retry' },
      { mode: 'drop', times: 0 },
      { mode: 'drop', times: 1.5 },
      { mode: 'deliver', delayMs: 10 },
      { mode: 'delay', delayMs: -1 },
      { mode: 'drop', extra: true },
      [],
    ]) {
      const answer = await http(`${simulator.url}/__control/notifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rule),
      });
      expect(answer.status, JSON.stringify(rule)).toBe(400);
    }
  });

  it('records what could not be delivered: no URL, nobody listening, no answer in time', async () => {
    const noUrl = await checkout();
    webhookUrl = undefined;
    await control(noUrl.id, 'approve');
    const [unsent] = await wait(noUrl.id, 1);
    expect(unsent).toMatchObject({
      url: null,
      deliveries: [{ status: null, error: expect.stringContaining('no webhook URL') }],
    });

    const refused = await checkout();
    webhookUrl = 'http://127.0.0.1:9/hooks'; // the discard port: nothing listens there
    await control(refused.id, 'approve');
    const [unanswered] = await wait(refused.id, 1);
    expect(unanswered?.deliveries).toEqual([
      { status: null, error: expect.any(String), ms: expect.any(Number) },
    ]);

    const slow = await checkout();
    webhookUrl = `${receiver.url}/hooks`;
    receiver.holding = true;
    await control(slow.id, 'approve');
    const [timedOut] = await wait(slow.id, 1);
    expect(timedOut?.deliveries).toEqual([
      { status: null, error: expect.stringContaining('timeout'), ms: expect.any(Number) },
    ]);
  });

  it('sends Basic auth embedded in the webhook URL as a header, and masks its password in the record', async () => {
    const { id } = await checkout();
    webhookUrl = receiver.url.replace('http://', 'http://hook-user:s3cret@');
    await control(id, 'approve');
    const [sent] = await wait(id, 1);
    expect(receiver.received[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('hook-user:s3cret').toString('base64')}`,
    );
    expect(sent?.url).not.toContain('s3cret');
    expect(sent?.deliveries[0]?.status).toBe(200);
  });
});

describe('the link page sends the browser back to the merchant', () => {
  it('after confirming, posts checkout_token to user_confirmation_url (a script submits the form)', async () => {
    const { id, link } = await checkout();
    const page = await http<string>(`${link}approve`, { method: 'POST' });
    expect(page.text).toContain(
      `<form id="return" method="post" action="${CONFIRM_URL}"><input type="hidden" name="checkout_token" value="${id}">`,
    );
    expect(page.text).toContain("document.getElementById('return').submit()");
    // A later visit shows the way back without sending the browser there again.
    const revisited = await http<string>(link);
    expect(revisited.text).toContain('id="return"');
    expect(revisited.text).not.toContain('.submit()');
  });

  it('puts checkout_token in the query string, beside the URL’s own, when the action is GET', async () => {
    const { id, link } = await checkout(
      {},
      {
        user_confirmation_url: `${CONFIRM_URL}?store=denver`,
        user_confirmation_url_action: 'GET',
      },
    );
    const page = await http<string>(`${link}approve`, { method: 'POST' });
    expect(page.text).toContain(
      `<form id="return" method="get" action="${CONFIRM_URL}"><input type="hidden" name="store" value="denver"><input type="hidden" name="checkout_token" value="${id}">`,
    );
  });

  it("takes no decision posted under another merchant's public key", async () => {
    const { id } = await checkout();
    const forged = await http<string>(`${simulator.url}/checkout/another_public_key/new/${id}/approve`, {
      method: 'POST',
    });
    expect(forged.status).toBe(404);
    expect(await affirmSim.notifications(id, simulator.url)).toEqual([]);
    expect(simulator.state.checkouts.get(id)?.status).toBe('sent');
  });

  it('after declining, links to user_cancel_url', async () => {
    const { link } = await checkout();
    const page = await http<string>(`${link}decline`, { method: 'POST' });
    expect(page.text).toContain(`<a href="${CANCEL_URL}" data-testid="cancel-link">Return to Demo Store</a>`);
    expect(page.text).not.toContain('id="return"');
  });
});

describe("the local stack's Affirm simulator", () => {
  it("sends its webhooks to the hub's webhook route, and records the hub's answer", async () => {
    const { body } = await http<{ checkout_id: string }>(`${stack().affirmUrl}/api/v2/checkout/store`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        merchant: { public_api_key: 'sim_affirm_public' },
        billing: {
          name: { full: 'Sam Roe' },
          address: { line1: '1 Main St', city: 'Denver', state: 'CO', zipcode: '80202', country: 'USA' },
          email: 'sam@example.com',
        },
        order_id: uniqueId('order'),
        total: 5_000,
      }),
    });
    await affirmSim.approve(body.checkout_id);
    const [sent] = await waitForNotifications(body.checkout_id, 1);
    expect(sent?.url).toBe(`${stack().hubUrl}/v1/affirm/webhooks`);
    expect(sent?.deliveries[0]?.status).toEqual(expect.any(Number));
  });
});
