/** The Affirm simulator's own behaviour, as providers/affirm.md describes Affirm's. */

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueId } from '../support/ids.ts';
import { advanceClocks, affirmSim, http } from '../support/stack.ts';

const DAY_MS = 86_400_000;

/** A recorded sandbox answer (test/fixtures/affirm/). */
const recorded = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/affirm/${name}.json`, import.meta.url), 'utf8')) as {
    body: Record<string, unknown>;
  };

const BASIC = `Basic ${Buffer.from('sim_affirm_public:sim_affirm_private').toString('base64')}`;

function storeBody(overrides: Record<string, unknown> = {}) {
  const contact = {
    name: { full: 'Jane Doe' },
    address: { line1: '1 Main St', city: 'Denver', state: 'CO', zipcode: '80202', country: 'USA' },
    email: 'jane@example.com',
  };
  return {
    merchant: { public_api_key: 'sim_affirm_public', name: 'Demo Store' },
    billing: contact,
    order_id: uniqueId('order'),
    total: 12_345,
    currency: 'USD',
    items: [{ display_name: 'Lamp', sku: 'LAMP', unit_price: 12_345, qty: 1 }],
    ...overrides,
  };
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  http<Record<string, unknown>>(`${affirmSim.url()}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const get = (path: string) =>
  http<Record<string, unknown>>(`${affirmSim.url()}${path}`, { headers: { authorization: BASIC } });

interface WireEvent {
  id: string;
  type: string;
  amount?: number;
  created: string;
  reference_id?: string;
}
type WireTransaction = Record<string, unknown> & { events: WireEvent[] };

/** A checkout the customer has confirmed, not yet authorized. */
async function confirmedCheckout(overrides: Record<string, unknown> = {}): Promise<string> {
  const { body } = await post('/api/v2/checkout/store', storeBody(overrides));
  const checkoutId = String(body.checkout_id);
  await affirmSim.approve(checkoutId);
  return checkoutId;
}

async function authorize(checkoutId: string): Promise<WireTransaction> {
  const answer = await post(
    '/api/v1/transactions',
    { transaction_id: checkoutId, expand: 'events' },
    { authorization: BASIC },
  );
  expect(answer.status).toBe(200);
  return answer.body as WireTransaction;
}

afterEach(() => affirmSim.clearFaults());

describe('Affirm simulator', () => {
  it('accepts the store call with the public key in the body (no Basic auth), as Affirm documents it', async () => {
    const answer = await post('/api/v2/checkout/store', storeBody());
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      checkout_id: expect.stringMatching(/^[A-Z0-9]{16}$/),
      redirect_url: expect.stringContaining('/new/'),
    });
  });

  it('answers auth failures the way Affirm does', async () => {
    const missing = await post('/api/v2/checkout/store', storeBody({ merchant: {} }));
    expect(missing).toMatchObject({
      status: 401,
      body: { status_code: 401, code: 'public-api-key-not-specified' },
    });
    const wrongKey = await post(
      '/api/v2/checkout/store',
      storeBody({ merchant: { public_api_key: 'nope' } }),
    );
    expect(wrongKey).toMatchObject({ status: 401, body: { code: 'public-api-key-invalid' } });
    const wrongPair = await post(
      '/api/v1/transactions',
      { transaction_id: 'X' },
      { authorization: 'Basic bm9wZTpub3Bl' },
    );
    expect(wrongPair).toMatchObject({
      status: 401,
      body: { type: 'unauthorized', code: 'api-key-pair-invalid' },
    });
    const bearer = await post('/api/v1/transactions', { transaction_id: 'X' }, { authorization: 'Bearer x' });
    expect(bearer.status).toBe(404);
    expect(bearer.headers.get('content-type')).toBe('application/xml');
    expect(bearer.text).toContain(
      '<Code>InvalidArgument</Code><Message>Unsupported Authorization Type</Message><ArgumentName>Authorization</ArgumentName>',
    );
  });

  it('refuses an invalid request with the field at fault', async () => {
    const answer = await post('/api/v2/checkout/store', storeBody({ total: 'a lot' }), {
      authorization: BASIC,
    });
    expect(answer).toMatchObject({
      status: 400,
      body: { status_code: 400, type: 'invalid_request', code: 'invalid_field', field: 'total' },
    });
  });

  it('serves the customer a real link page and takes the decision from its form', async () => {
    const { body } = await post('/api/v2/checkout/store', storeBody());
    const link = String(body.redirect_url);
    const page = await http<string>(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('$123.45');
    expect(page.text).toContain('Confirm loan');

    const decided = await http<string>(`${link}decline`, { method: 'POST' });
    expect(decided.text).toContain('You declined this financing');
    const checkout = await http<Record<string, unknown>>(
      `${affirmSim.url()}/api/v2/checkout/${body.checkout_id}`,
      { headers: { authorization: BASIC } },
    );
    expect(checkout.body).toMatchObject({
      checkout_status: 'not_approved',
      total: 12_345,
      metadata: { checkout_channel_type: 'in_store' },
    });
    expect((await affirmSim.approve(String(body.checkout_id))).status).toBe(409);
  });

  it('records the link it sends, by e-mail in the sandbox and by SMS when there is only a phone', async () => {
    const byEmail = await post('/api/v2/checkout/store', storeBody());
    const billing = {
      name: { full: 'Sam Roe' },
      address: storeBody().billing.address,
      phone_number: '+13035550142',
    };
    const bySms = await post('/api/v2/checkout/store', storeBody({ billing }));
    const outbox = await affirmSim.outbox();
    expect(outbox).toContainEqual(
      expect.objectContaining({
        checkoutId: byEmail.body.checkout_id,
        channel: 'email',
        to: 'jane@example.com',
      }),
    );
    expect(outbox).toContainEqual(
      expect.objectContaining({ checkoutId: bySms.body.checkout_id, channel: 'sms', to: '+13035550142' }),
    );
  });

  it('logs every provider request with the credentials masked', async () => {
    await post('/api/v1/transactions', { transaction_id: 'UNKNOWN' }, { authorization: BASIC });
    const last = (await affirmSim.requests()).at(-1);
    expect(last).toMatchObject({
      method: 'POST',
      path: '/api/v1/transactions',
      body: { transaction_id: 'UNKNOWN' },
    });
    expect(last?.headers.authorization).toBe('Basic ***');
  });

  it('replays an Idempotency-Key and refuses it with another request', async () => {
    const { body } = await post('/api/v2/checkout/store', storeBody());
    await affirmSim.approve(String(body.checkout_id));
    const key = { authorization: BASIC, 'idempotency-key': uniqueId('key') };
    const first = await post('/api/v1/transactions', { transaction_id: body.checkout_id }, key);
    const again = await post('/api/v1/transactions', { transaction_id: body.checkout_id }, key);
    expect(again.body).toEqual(first.body);
    const other = await post(
      '/api/v1/transactions',
      { transaction_id: body.checkout_id, order_id: 'x' },
      key,
    );
    expect(other).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('idempotency key') },
    });
  });

  it('expires an uncaptured authorization after 30 days', async () => {
    const { body } = await post(
      '/api/v2/checkout/store',
      storeBody({ checkout_expiration: new Date(Date.now() + 400 * 86_400_000).toISOString() }),
    );
    await affirmSim.approve(String(body.checkout_id));
    const authorized = await post(
      '/api/v1/transactions',
      { transaction_id: body.checkout_id },
      { authorization: BASIC },
    );
    const id = String(authorized.body.id);
    await advanceClocks(29 * 86_400);
    expect((await affirmSim.transaction(id)).body.status).toBe('authorized');
    await advanceClocks(2 * 86_400);
    expect((await affirmSim.transaction(id)).body.status).toBe('auth_expired');
    const capture = await post(`/api/v1/transactions/${id}/capture`, {}, { authorization: BASIC });
    expect(capture).toMatchObject({ status: 400, body: { code: 'expired-authorization' } });
  });
});

describe('Affirm simulator, as the recorded sandbox answers show Affirm', () => {
  it('creates the transaction when the customer confirms: confirmed, a confirm event, provider_id 2', async () => {
    const checkoutId = await confirmedCheckout();
    const read = await get(`/api/v1/transactions/${checkoutId}?expand=events`);
    expect(read.status).toBe(200);
    const transaction = read.body as WireTransaction;
    expect(transaction).toMatchObject({
      id: expect.stringMatching(/^LS-[A-Z0-9]{4}-[A-Z0-9]{4}$/),
      checkout_id: checkoutId,
      status: 'confirmed',
      provider_id: 2,
      amount: 12_345,
      amount_refunded: 0,
    });
    expect(transaction.events).toEqual([
      { id: expect.stringMatching(/^LSE-/), type: 'confirm', currency: 'USD', created: expect.any(String) },
    ]);
    expect((await get(`/api/v1/transactions/${transaction.id}`)).body).toMatchObject({
      id: transaction.id,
      status: 'confirmed',
    });

    const voided = await post(`/api/v1/transactions/${transaction.id}/void`, {}, { authorization: BASIC });
    expect(voided).toMatchObject({ status: 403, body: recorded('void__not_authorized').body });

    const authorized = await authorize(checkoutId);
    expect(authorized).toMatchObject({ id: transaction.id, status: 'authorized', provider_id: 2 });
    expect(authorized.events.map((e) => e.type)).toEqual(['auth', 'confirm']);
    expect(authorized.events[0]).not.toHaveProperty('amount');
  });

  it("sets authorization_expiration 30 days after the transaction's created, the checkout's creation time", async () => {
    const checkoutId = await confirmedCheckout({
      checkout_expiration: new Date(Date.now() + 400 * DAY_MS).toISOString(),
    });
    await advanceClocks(2 * 86_400);
    const authorized = await authorize(checkoutId);
    const created = Date.parse(String(authorized.created));
    const authorizedAt = Date.parse(authorized.events[0]?.created ?? '');
    expect(authorizedAt - created).toBeGreaterThanOrEqual(2 * DAY_MS);
    expect(Date.parse(String(authorized.authorization_expiration)) - created).toBe(30 * DAY_MS);
  });

  it('lists events newest first; auth and void carry no amount, capture and refund do', async () => {
    const captured = await authorize(await confirmedCheckout());
    const base = `/api/v1/transactions/${captured.id}`;
    await post(`${base}/capture`, {}, { authorization: BASIC });
    await post(`${base}/refund`, { amount: 345 }, { authorization: BASIC });
    const read = (await get(`${base}?expand=events`)).body as WireTransaction;
    expect(read.events.map((e) => [e.type, e.amount])).toEqual([
      ['refund', 345],
      ['capture', 12_345],
      ['auth', undefined],
      ['confirm', undefined],
    ]);
    const times = read.events.map((e) => Date.parse(e.created));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const voided = await authorize(await confirmedCheckout());
    const answer = await post(`/api/v1/transactions/${voided.id}/void`, {}, { authorization: BASIC });
    expect(Object.keys(answer.body).sort()).toEqual(Object.keys(recorded('void__success').body).sort());
    const afterVoid = (await get(`/api/v1/transactions/${voided.id}?expand=events`)).body as WireTransaction;
    expect(afterVoid.events.map((e) => e.type)).toEqual(['void', 'auth', 'confirm']);
    expect(afterVoid.events.filter((e) => 'amount' in e)).toEqual([]);
  });

  it('answers a checkout read in the recorded shape: no checkout_id, items keyed by SKU', async () => {
    const { body } = await post(
      '/api/v2/checkout/store',
      storeBody({ shipping: storeBody().billing, tax_amount: 100, shipping_amount: 200 }),
    );
    const read = await get(`/api/v2/checkout/${body.checkout_id}`);
    expect(read.status).toBe(200);
    expect(Object.keys(read.body).sort()).toEqual(Object.keys(recorded('get_checkout__success').body).sort());
    expect(read.body).not.toHaveProperty('checkout_id');
    expect(read.body).toMatchObject({
      checkout_status: 'sent',
      items: { LAMP: { display_name: 'Lamp', sku: 'LAMP', unit_price: 12_345, qty: 1 } },
      merchant: { public_api_key: 'sim_affirm_public' },
      mfp_rule_input_data: { total: 12_345 },
      total: 12_345,
    });
  });

  it('keeps its settings across clearFaults, and the settings route sets them back', async () => {
    try {
      expect(await affirmSim.settings({ echoReferenceId: false, checkoutStatusUnknown: true })).toEqual({
        echoReferenceId: false,
        checkoutStatusUnknown: true,
      });
      await affirmSim.clearFaults();
      const checkoutId = await confirmedCheckout();
      expect((await get(`/api/v2/checkout/${checkoutId}`)).body.checkout_status).toBe('unknown');
      const transaction = await authorize(checkoutId);
      const capture = await post(
        `/api/v1/transactions/${transaction.id}/capture`,
        { reference_id: 'op_silent' },
        { authorization: BASIC },
      );
      expect(capture.status).toBe(200);
      expect(capture.body).not.toHaveProperty('reference_id');

      await affirmSim.settings({ echoReferenceId: true });
      const refund = await post(
        `/api/v1/transactions/${transaction.id}/refund`,
        { amount: 1, reference_id: 'rf_echoed' },
        { authorization: BASIC },
      );
      expect(refund.body.reference_id).toBe('rf_echoed');
      const read = (await get(`/api/v1/transactions/${transaction.id}?expand=events`))
        .body as WireTransaction;
      expect(read.events.map((e) => e.reference_id)).toEqual(['rf_echoed', undefined, undefined, undefined]);
    } finally {
      await affirmSim.settings({ echoReferenceId: true, checkoutStatusUnknown: false });
    }
    const refused = await http(`${affirmSim.url()}/__control/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ echoReferenceId: 'no' }),
    });
    expect(refused.status).toBe(400);
  });
});
