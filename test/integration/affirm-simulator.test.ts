/** The Affirm simulator's own behaviour, as providers/affirm.md describes Affirm's. */

import { afterEach, describe, expect, it } from 'vitest';
import { uniqueId } from '../support/ids.ts';
import { advanceClocks, affirmSim, http } from '../support/stack.ts';

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
