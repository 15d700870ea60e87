/**
 * The Snipcart simulator (providers/snipcart.md) over real HTTP, with a stub standing in for the
 * hub's payment-methods and refund URLs: the cart's checkout and its webhook, the public token
 * endpoints, the payment confirmation and its state machine, the dashboard's refund, request-token
 * validation, the demo storefront, and the bodies' keys against the official examples.
 */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SnipcartSimulator } from '../../infra/local/simulators/snipcart/server.ts';
import { BEARER, HubStub, INVOICE, json, REST_BASIC, startSnipcart } from '../support/snipcart-sim.ts';

const METHODS_PATH = '/v1/snipcart/payment-methods';
const REFUND_PATH = '/v1/snipcart/refunds/order-1';
const hub = new HubStub();
let sim: SnipcartSimulator;

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/snipcart/${name}.json`, import.meta.url), 'utf8')).body;
const keys = (value: object) => Object.keys(value).sort();

beforeAll(async () => {
  await hub.start();
  sim = await startSnipcart(hub);
});
afterAll(async () => {
  await sim?.close();
  await hub.close();
});
beforeEach(() => {
  hub.received.length = 0;
  hub.answers.set(METHODS_PATH, {
    status: 200,
    body: [
      { id: 'card', name: 'Carte bancaire', checkoutUrl: `${hub.url}/v1/snipcart/checkout?method=card` },
    ],
  });
  hub.answers.set(REFUND_PATH, { status: 200, body: { refundId: 'refund-1' } });
});

/** The cart's checkout through the control route. */
async function checkout(invoice: unknown = INVOICE, base = sim.url) {
  const created = await json(`${base}/__control/sessions`, { body: { invoice, mode: 'Test' } });
  expect(created.status).toBe(201);
  return created.body as { sessionId: string; publicToken: string; paymentMethods: unknown };
}

const confirm = (body: unknown, authorization: string | null = BEARER) =>
  json(`${sim.url}/api/private/custom-payment-gateway/payment`, {
    body,
    headers: authorization ? { authorization } : {},
  });

const sessionOf = async (id: string) => (await json(`${sim.url}/__control/sessions/${id}`)).body;

describe('the cart checkout (POST /__control/sessions)', () => {
  it('posts { invoice, publicToken, mode } with a request token to the payment-methods URL and answers what the hub said', async () => {
    const { sessionId, publicToken, paymentMethods } = await checkout();
    const [call] = hub.received;
    expect(call?.method).toBe('POST');
    expect(call?.path).toBe(METHODS_PATH);
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call?.headers['x-snipcart-requesttoken']).toMatch(/^[0-9a-f-]{36}$/);
    expect(call?.body).toMatchObject({ publicToken, mode: 'Test', invoice: { currency: 'eur' } });
    expect(call?.body.invoice.amount).toBe(609.7);
    expect(call?.body.invoice.items[0]).toMatchObject({ unitPrice: 299.9, quantity: 2, amount: 599.8 });
    expect(publicToken.split('.')).toHaveLength(3);
    expect(paymentMethods).toEqual([expect.objectContaining({ id: 'card' })]);
    const session = await sessionOf(sessionId);
    expect(session).toMatchObject({ id: sessionId, state: 'created', payments: [], refunds: [] });
    expect(session.paymentMethodsCall.status).toBe(200);
  });

  it('records the hub refusing the token, and refuses an invoice it cannot read', async () => {
    hub.answers.set(METHODS_PATH, { status: 401, body: { code: 'INVALID_TOKEN' } });
    const created = await json(`${sim.url}/__control/sessions`, { body: { invoice: INVOICE } });
    expect(created.body).toMatchObject({
      paymentMethodsStatus: 401,
      paymentMethods: { code: 'INVALID_TOKEN' },
    });
    const bad = await json(`${sim.url}/__control/sessions`, { body: { invoice: { currency: 'EUR' } } });
    expect(bad.status).toBe(400);
  });
});

describe('public token endpoints', () => {
  it('validates an issued token (2xx) and answers 404 for any other', async () => {
    const { publicToken } = await checkout();
    const base = `${sim.url}/api/public/custom-payment-gateway/validate`;
    const ok = await fetch(`${base}?publicToken=${encodeURIComponent(publicToken)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect((await fetch(`${base}?publicToken=${publicToken}x`)).status).toBe(404);
    expect((await fetch(base)).status).toBe(404);
  });

  it('serves the documented camelCase session plus the undocumented fields, CORS open', async () => {
    const { sessionId, publicToken } = await checkout();
    const url = `${sim.url}/api/public/custom-payment-gateway/payment-session?publicToken=${encodeURIComponent(publicToken)}`;
    const { status, headers, body } = await json(url);
    expect(status).toBe(200);
    expect(headers.get('access-control-allow-origin')).toBe('*');
    expect(body.id).toBe(sessionId);
    expect(body.paymentAuthorizationRedirectUrl).toMatch(
      new RegExp(`^${sim.url}/store/checkout/${sessionId}`),
    );
    expect(body.invoice).toMatchObject({
      currency: 'eur',
      amount: 609.7,
      email: 'jeanne.martin@example.com',
    });
    expect(body.invoice.items[0]).toEqual({
      name: 'Vélo',
      unitPrice: 299.9,
      quantity: 2,
      type: 'Physical',
      rateOfTaxIncludedInPrice: 0,
      amount: 599.8,
      hasSelectedPlan: false,
    });
    expect(body).toMatchObject({
      state: 'created',
      availablePaymentMethods: [expect.objectContaining({ id: 'card', flow: 'External' })],
      paymentMethod: null,
      authorization: null,
      customerGatewayId: null,
    });
    expect(body.customerId).toEqual(expect.any(String));
    expect(body.invoice).toHaveProperty('plan', null);
    const preflight = await fetch(url, { method: 'OPTIONS' });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('payment confirmation (POST /api/private/custom-payment-gateway/payment)', () => {
  it('answers 401 without the Bearer secret key, or with a wrong one, and records nothing', async () => {
    const { sessionId } = await checkout();
    const body = { paymentSessionId: sessionId, state: 'processed', transactionId: 't-1' };
    expect((await confirm(body, null)).status).toBe(401);
    expect((await confirm(body, 'Bearer sim_snipcart_wrong')).status).toBe(401);
    expect(
      (await confirm(body, `Basic ${Buffer.from('sim_snipcart_secret:').toString('base64')}`)).status,
    ).toBe(401);
    expect((await sessionOf(sessionId)).payments).toEqual([]);
  });

  it('answers 400 with a JSON error for an invalid body, 404 for an unknown session', async () => {
    const { sessionId } = await checkout();
    const invalid = await confirm({ paymentSessionId: sessionId, state: 'paid' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toMatch(/state/);
    expect(
      (await confirm({ paymentSessionId: sessionId, state: 'processed', transactionID: 'x' })).status,
    ).toBe(400);
    const unknown = await confirm({ paymentSessionId: crypto.randomUUID(), state: 'processed' });
    expect(unknown.status).toBe(404);
  });

  it('records the confirmation, answers a returnUrl whose page shows the order, and takes a re-post of the same transaction', async () => {
    const { sessionId } = await checkout();
    const first = {
      paymentSessionId: sessionId,
      state: 'processed',
      transactionId: 'hub-tx-1',
      links: { refunds: `${hub.url}${REFUND_PATH}?secret=s1` },
    };
    const answered = await confirm(first);
    expect(answered.status).toBe(200);
    expect(answered.body).toEqual({ returnUrl: `${sim.url}/store/order/${sessionId}` });
    const page = await fetch(answered.body.returnUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-state="processed"');

    const repost = { ...first, links: { refunds: `${hub.url}${REFUND_PATH}?secret=s2` } };
    expect((await confirm(repost)).status).toBe(200);
    const other = await confirm({ ...first, transactionId: 'hub-tx-2' });
    expect(other.status).toBe(409);
    expect((await confirm({ paymentSessionId: sessionId, state: 'failed' })).status).toBe(409);

    const session = await sessionOf(sessionId);
    expect(session.state).toBe('processed');
    expect(session.transactionId).toBe('hub-tx-1');
    expect(session.refundsUrl).toBe(repost.links.refunds);
    expect(session.payments).toHaveLength(4);
    expect(session.payments[0]).toEqual(first);
    expect(session.paymentAnswers.map((a: { status: number }) => a.status)).toEqual([200, 200, 409, 409]);
  });

  it('lets a failed payment be tried again, and shows the error in the session authorization', async () => {
    const { sessionId, publicToken } = await checkout();
    const failed = {
      paymentSessionId: sessionId,
      state: 'failed',
      error: { code: 'card_declined', message: 'Refusée' },
    };
    expect((await confirm(failed)).status).toBe(200);
    const url = `${sim.url}/api/public/custom-payment-gateway/payment-session?publicToken=${encodeURIComponent(publicToken)}`;
    expect((await json(url)).body.authorization).toMatchObject({
      state: 'failed',
      stateDescriptorCode: 'card_declined',
    });
    expect(
      (await confirm({ paymentSessionId: sessionId, state: 'processed', transactionId: 't' })).status,
    ).toBe(200);
  });
});

describe('the dashboard refund (POST /__control/sessions/{id}/refund)', () => {
  it('posts { paymentId, amount } to links.refunds as registered, query string kept, with a request token', async () => {
    const { sessionId } = await checkout();
    expect(
      (await json(`${sim.url}/__control/sessions/${sessionId}/refund`, { body: { amount: 20.75 } })).status,
    ).toBe(409);
    const refunds = `${hub.url}${REFUND_PATH}?secret=abc%2Fdef&transactionId=hub-tx-9`;
    await confirm({
      paymentSessionId: sessionId,
      state: 'processed',
      transactionId: 'hub-tx-9',
      links: { refunds },
    });
    hub.received.length = 0;

    const answer = await json(`${sim.url}/__control/sessions/${sessionId}/refund`, {
      body: { amount: 20.75 },
    });
    expect(answer.body).toEqual({ status: 200, body: { refundId: 'refund-1' } });
    const [call] = hub.received;
    expect(call?.path).toBe(REFUND_PATH);
    expect(call?.query.toString()).toBe('secret=abc%2Fdef&transactionId=hub-tx-9');
    expect(call?.headers['x-snipcart-requesttoken']).toMatch(/^[0-9a-f-]{36}$/);
    const session = await sessionOf(sessionId);
    expect(call?.body).toEqual({ paymentId: session.paymentId, amount: 20.75 });
    expect(session.refunds).toEqual([
      expect.objectContaining({
        url: refunds,
        status: 200,
        body: { refundId: 'refund-1' },
        request: { paymentId: session.paymentId, amount: 20.75 },
      }),
    ]);
  });
});

describe('request-token validation (GET /api/requestvalidation/{token})', () => {
  let own: SnipcartSimulator;
  beforeAll(async () => {
    own = await startSnipcart(hub);
  });
  afterAll(() => own?.close());

  const check = (token: string, headers: Record<string, string>) =>
    fetch(`${own.url}/api/requestvalidation/${token}`, { headers });

  it('confirms a token it sent within the hour, with the REST key, and no longer after 61 minutes', async () => {
    await checkout(INVOICE, own.url);
    const token = String(hub.received[0]?.headers['x-snipcart-requesttoken']);
    const ok = await check(token, { authorization: REST_BASIC, accept: 'application/json' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ token });
    expect(
      (
        await check('0b0e7e4c-0000-4000-8000-000000000000', {
          authorization: REST_BASIC,
          accept: 'application/json',
        })
      ).status,
    ).toBe(404);
    expect([401, 403]).toContain((await check(token, { accept: 'application/json' })).status);
    const wrong = `Basic ${Buffer.from('sim_snipcart_secret:').toString('base64')}`;
    expect([401, 403]).toContain(
      (await check(token, { authorization: wrong, accept: 'application/json' })).status,
    );

    await json(`${own.url}/__control/clock`, { body: { advanceSeconds: 59 * 60 } });
    expect((await check(token, { authorization: REST_BASIC, accept: 'application/json' })).status).toBe(200);
    await json(`${own.url}/__control/clock`, { body: { advanceSeconds: 2 * 60 } });
    expect((await check(token, { authorization: REST_BASIC, accept: 'application/json' })).status).toBe(404);
  });

  it('lets public tokens expire after an hour', async () => {
    const { publicToken } = await checkout(INVOICE, own.url);
    const url = `${own.url}/api/public/custom-payment-gateway/validate?publicToken=${encodeURIComponent(publicToken)}`;
    expect((await fetch(url)).status).toBe(200);
    await json(`${own.url}/__control/clock`, { body: { advanceSeconds: 3600 } });
    expect((await fetch(url)).status).toBe(404);
  });
});

describe('the demo storefront', () => {
  it('sells in EUR under a strict CSP, checks out as the cart does, and links each method with publicToken appended', async () => {
    hub.answers.set(METHODS_PATH, {
      status: 200,
      body: [
        {
          id: 'card',
          name: 'Carte <b>bancaire</b>',
          checkoutUrl: `${hub.url}/v1/snipcart/checkout?method=card`,
        },
        { id: 'plain', name: 'Plain', checkoutUrl: `${hub.url}/pay` },
        { id: 'evil', name: 'Evil', checkoutUrl: 'javascript:alert(1)' },
      ],
    });
    const store = await fetch(`${sim.url}/store`);
    expect(store.headers.get('content-security-policy')).toMatch(/default-src 'none'.*style-src 'sha256-/);
    expect(await store.text()).toMatch(/599,80/);

    const posted = await fetch(`${sim.url}/store/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'qty-velo=1&qty-sacoche=2',
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    expect(hub.received[0]?.body.invoice).toMatchObject({ currency: 'eur', amount: 679.6 });
    const page = await (await fetch(new URL(posted.headers.get('location') ?? '', sim.url))).text();
    expect(page).toContain('Carte &#60;b&#62;bancaire&#60;/b&#62;');
    expect(page).toMatch(
      /href="http:\/\/127\.0\.0\.1:\d+\/v1\/snipcart\/checkout\?method=card&#38;publicToken=ey/,
    );
    expect(page).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/pay\?publicToken=ey/);
    expect(page).not.toContain('javascript:');
  });
});

describe('bodies against the official examples (shared/fixtures/snipcart)', () => {
  it('sends the payment-methods webhook with the example keys (plus the draft publicToken)', async () => {
    await checkout();
    const sent = hub.received[0]?.body;
    const example = fixture('payment_methods_webhook__request__doc_example');
    expect(keys(sent)).toEqual(keys({ ...example, publicToken: '' }));
    expect(keys(sent.invoice)).toEqual(keys(example.invoice));
    expect(keys(sent.invoice.shippingAddress)).toEqual(keys(example.invoice.shippingAddress));
    expect(keys(sent.invoice.items[0])).toEqual(keys(example.invoice.items[0]));
  });

  it('serves the session with the example keys plus the undocumented ones', async () => {
    const { publicToken } = await checkout();
    const url = `${sim.url}/api/public/custom-payment-gateway/payment-session?publicToken=${encodeURIComponent(publicToken)}`;
    const { body } = await json(url);
    const example = fixture('payment_session__doc_example');
    const extra = [
      'state',
      'availablePaymentMethods',
      'paymentMethod',
      'authorization',
      'customerId',
      'customerGatewayId',
    ];
    expect(keys(body)).toEqual([...Object.keys(example), ...extra].sort());
    expect(keys(body.invoice)).toEqual([...Object.keys(example.invoice), 'plan'].sort());
    expect(keys(body.invoice.billingAddress).filter((k) => k !== 'surname')).toEqual(
      keys(example.invoice.billingAddress),
    );
    expect(keys(body.invoice.items[0])).toEqual(
      [...Object.keys(example.invoice.items[0]), 'hasSelectedPlan'].sort(),
    );
  });

  it('takes the example confirmation, and refunds with the example body keys', async () => {
    const { sessionId } = await checkout();
    const failed = {
      ...fixture('confirm_payment__request_failed__doc_example'),
      paymentSessionId: sessionId,
    };
    expect((await confirm(failed)).status).toBe(200);
    const refunds = `${hub.url}${REFUND_PATH}?secret=s`;
    await confirm({
      paymentSessionId: sessionId,
      state: 'processed',
      transactionId: 't',
      links: { refunds },
    });
    hub.received.length = 0;
    await json(`${sim.url}/__control/sessions/${sessionId}/refund`, { body: { amount: 20.75 } });
    expect(keys(hub.received[0]?.body)).toEqual(keys(fixture('refund_webhook__request__doc_example')));
  });
});
