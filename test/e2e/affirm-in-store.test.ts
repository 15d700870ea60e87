/** Flow A end to end (SPEC.md; seed 000): Affirm in store without webhooks, through the local gateway. */

import { afterEach, describe, expect, it } from 'vitest';
import { checkoutBody, createCheckout, hub, type OrderView } from '../support/hub.ts';
import { uniqueId } from '../support/ids.ts';
import { affirmSim, withoutWebhooks } from '../support/stack.ts';

// Flow A: Affirm in store without webhooks (seed 000).
withoutWebhooks();

const authorizePath = (order: OrderView) => `/v1/affirm/checkouts/${order.affirm.checkoutId}/authorize`;

async function authorizedOrder(): Promise<OrderView> {
  const order = await createCheckout();
  await affirmSim.approve(order.affirm.checkoutId);
  const answer = await hub.post(authorizePath(order));
  expect(answer.status).toBe(200);
  return answer.body;
}

async function affirmCalls(path: string) {
  return (await affirmSim.requests()).filter((r) => r.path === path);
}

afterEach(() => affirmSim.clearFaults());

describe('flow A: Affirm in store without webhooks', () => {
  it('creates, waits for the customer, authorizes once, captures, refunds in parts, refuses what it must', async () => {
    // The POS starts the checkout; Affirm sends the customer the link.
    const created = await hub.post('/v1/affirm/checkouts', undefined);
    expect(created.status).toBe(400);
    const order = await createCheckout();
    expect(order).toMatchObject({
      status: 'sent',
      amount: 125_000,
      authorizedAmount: 0,
      affirm: { checkoutId: expect.any(String) },
    });
    expect((await affirmSim.outbox()).map((m) => m.checkoutId)).toContain(order.affirm.checkoutId);

    // The associate presses "authorize" too early.
    const early = await hub.post(authorizePath(order));
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toBe('application/problem+json');
    expect(early.body.code).toBe('CHECKOUT_NOT_CONFIRMED');

    // The customer accepts on their phone; the associate authorizes.
    await affirmSim.approve(order.affirm.checkoutId);
    const authorized = await hub.post(authorizePath(order));
    expect(authorized.status).toBe(200);
    expect(authorized.body).toMatchObject({
      status: 'authorized',
      authorizedAmount: 125_000,
      remainingAmount: 125_000,
    });
    // Both recorded shapes of a loan id: provider_id 1 (DVEP-FTQO) and 2 (LS-4BSY-SV6E, the simulator's).
    expect(authorized.body.affirm.transactionId).toMatch(/^(LS-)?[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    // Affirm's authorization lasts 30 days from the checkout's creation (a simulator counting from
    // the authorization, a second later, fits too). Measured from the order's createdAt on the
    // hub's clock, not this machine's: other tests move the stack's clocks forward.
    const { createdAt } = authorized.body as unknown as { createdAt: string }; // not in support's OrderView type
    const days =
      (Date.parse(authorized.body.authorizationExpiresAt ?? '') - Date.parse(createdAt)) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThanOrEqual(30.0001);

    // Authorizing again returns the same loan without asking Affirm again.
    const callsBefore = (await affirmCalls('/api/v1/transactions')).length;
    const again = await hub.post(authorizePath(order));
    expect(again.status).toBe(200);
    expect(again.body.affirm.transactionId).toBe(authorized.body.affirm.transactionId);
    expect((await affirmCalls('/api/v1/transactions')).length).toBe(callsBefore);

    // Fulfilment: capture, then two partial refunds.
    const base = `/v1/orders/${order.orderId}`;
    const captured = await hub.post(`${base}/capture`, {});
    expect(captured.body).toMatchObject({ status: 'captured', capturedAmount: 125_000, remainingAmount: 0 });
    const first = await hub.post(`${base}/refunds`, { amount: 20_000, reason: 'scratched leg' });
    expect(first.body).toMatchObject({ status: 'partially_refunded', refundedAmount: 20_000 });
    const second = await hub.post(`${base}/refunds`, { amount: 30_000 });
    expect(second.body).toMatchObject({ status: 'partially_refunded', refundedAmount: 50_000 });
    expect(second.body.refunds.map((r) => r.amount)).toEqual([20_000, 30_000]);
    const transactionId = String(authorized.body.affirm.transactionId);
    expect((await affirmSim.transaction(transactionId)).body.amount_refunded).toBe(50_000);

    // More than is left is refused before Affirm is asked.
    const refundCalls = (await affirmCalls(`/api/v1/transactions/${transactionId}/refund`)).length;
    const tooMuch = await hub.post(`${base}/refunds`, { amount: 75_001 });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.code).toBe('AMOUNT_EXCEEDS_CAPTURED');
    expect((await affirmCalls(`/api/v1/transactions/${transactionId}/refund`)).length).toBe(refundCalls);

    // A captured order cannot be voided.
    const voided = await hub.post(`${base}/void`, {});
    expect(voided.status).toBe(409);
    expect(voided.body.code).toBe('INVALID_STATE');

    const view = await hub.get(base);
    expect(view.body).toMatchObject({
      status: 'partially_refunded',
      capturedAmount: 125_000,
      refundedAmount: 50_000,
    });
    expect(view.body.events.map((e) => e.type)).toEqual([
      'checkout.sent',
      'authorization.succeeded',
      'capture.succeeded',
      'refund.succeeded',
      'refund.succeeded',
    ]);
  });

  it('refunds everything left when no amount is given, then reads refunded', async () => {
    const order = await authorizedOrder();
    const base = `/v1/orders/${order.orderId}`;
    await hub.post(`${base}/capture`, {});
    await hub.post(`${base}/refunds`, { amount: 25_000 });
    const rest = await hub.post(`${base}/refunds`, {});
    expect(rest.body).toMatchObject({ status: 'refunded', refundedAmount: 125_000 });
    expect((await hub.post(`${base}/refunds`, {})).body.code).toBe('AMOUNT_EXCEEDS_CAPTURED');
  });

  it('voids an authorization before capture; nothing can be captured after', async () => {
    const order = await authorizedOrder();
    const base = `/v1/orders/${order.orderId}`;
    expect((await hub.post(`${base}/void`, {})).body).toMatchObject({ status: 'voided', remainingAmount: 0 });
    expect((await hub.post(`${base}/capture`, {})).body.code).toBe('INVALID_STATE');
    expect((await affirmSim.transaction(String(order.affirm.transactionId))).body.status).toBe('voided');
  });

  it('answers 402 when the customer declines', async () => {
    const order = await createCheckout();
    await affirmSim.decline(order.affirm.checkoutId);
    const answer = await hub.post(authorizePath(order));
    expect(answer.status).toBe(402);
    expect(answer.body.code).toBe('AUTHORIZATION_DECLINED');
    expect((await hub.get(`/v1/orders/${order.orderId}`)).body.status).toBe('declined');
  });

  it('refuses an order id that is taken', async () => {
    const order = await createCheckout();
    const again = await hub.post('/v1/affirm/checkouts', { ...checkoutBody(), orderId: order.orderId });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORDER_EXISTS');
  });
});

describe('flow A when Affirm fails', () => {
  it('answers 502 when Affirm answers 503, records nothing, and the retry authorizes exactly once', async () => {
    const order = await createCheckout();
    await affirmSim.approve(order.affirm.checkoutId);
    await affirmSim.fault({ match: 'POST /api/v1/transactions', mode: 'status', status: 503 });
    const failed = await hub.post(authorizePath(order), undefined, { idempotencyKey: 'authorize-1' });
    expect(failed.status).toBe(502);
    expect(failed.body.code).toBe('PROVIDER_UNAVAILABLE');
    const between = await hub.get(`/v1/orders/${order.orderId}`);
    expect(between.body).toMatchObject({ status: 'sent', authorizedAmount: 0 });
    expect(between.body.affirm.transactionId).toBeUndefined();

    const retried = await hub.post(authorizePath(order), undefined, { idempotencyKey: 'authorize-1' });
    expect(retried.status).toBe(200);
    const atAffirm = await affirmSim.transaction(order.affirm.checkoutId);
    expect(atAffirm.body.id).toBe(retried.body.affirm.transactionId);
    expect(atAffirm.body.events?.filter((e) => e.type === 'auth')).toHaveLength(1);
  });

  it('answers 502 when Affirm authorizes but the answer is lost, and the retry records that same loan', async () => {
    const order = await createCheckout();
    await affirmSim.approve(order.affirm.checkoutId);
    await affirmSim.fault({ match: 'POST /api/v1/transactions', mode: 'timeout' });
    const failed = await hub.post(authorizePath(order));
    expect(failed.status).toBe(502);
    expect((await hub.get(`/v1/orders/${order.orderId}`)).body.authorizedAmount).toBe(0);

    const retried = await hub.post(authorizePath(order));
    expect(retried.status).toBe(200);
    const atAffirm = await affirmSim.transaction(order.affirm.checkoutId);
    expect(retried.body.affirm.transactionId).toBe(atAffirm.body.id);
    expect(atAffirm.body.events?.filter((e) => e.type === 'auth')).toHaveLength(1);
    const attempts = (await affirmSim.requests()).filter(
      (r) =>
        r.path === '/api/v1/transactions' &&
        (r.body as { transaction_id?: string }).transaction_id === order.affirm.checkoutId,
    );
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.headers['idempotency-key']).toBe(attempts[1]?.headers['idempotency-key']);
  });

  it('finishes a capture whose answer was lost when the POS retries with its Idempotency-Key', async () => {
    const order = await authorizedOrder();
    const path = `/api/v1/transactions/${order.affirm.transactionId}/capture`;
    await affirmSim.fault({ match: `POST ${path}`, mode: 'timeout' });
    const failed = await hub.post(`/v1/orders/${order.orderId}/capture`, {}, { idempotencyKey: 'capture-1' });
    expect(failed.status).toBe(502);
    const between = await hub.get(`/v1/orders/${order.orderId}`);
    expect(between.body).toMatchObject({
      capturedAmount: 0,
      pendingOperation: { kind: 'capture', state: 'unresolved' },
    });

    const retried = await hub.post(
      `/v1/orders/${order.orderId}/capture`,
      {},
      { idempotencyKey: 'capture-1' },
    );
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'captured', capturedAmount: 125_000 });
    expect(retried.body.pendingOperation).toBeUndefined();
    expect((await affirmCalls(path)).length).toBe(1);
  });

  it('refunds once when a refund answer is lost and the POS retries', async () => {
    const order = await authorizedOrder();
    await hub.post(`/v1/orders/${order.orderId}/capture`, {});
    const path = `/api/v1/transactions/${order.affirm.transactionId}/refund`;
    await affirmSim.fault({ match: `POST ${path}`, mode: 'timeout' });
    const failed = await hub.post(
      `/v1/orders/${order.orderId}/refunds`,
      { amount: 10_000 },
      { idempotencyKey: 'refund-1' },
    );
    expect(failed.status).toBe(502);
    const retried = await hub.post(
      `/v1/orders/${order.orderId}/refunds`,
      { amount: 10_000 },
      { idempotencyKey: 'refund-1' },
    );
    expect(retried.body).toMatchObject({ status: 'partially_refunded', refundedAmount: 10_000 });
    expect(retried.body.refunds).toHaveLength(1);
    expect((await affirmSim.transaction(String(order.affirm.transactionId))).body.amount_refunded).toBe(
      10_000,
    );
  });
});

describe('Idempotency-Key on hub routes', () => {
  it('replays the first answer for the same key and body, and refuses another body with 422', async () => {
    const key = uniqueId('idem');
    const body = checkoutBody();
    const first = await hub.post('/v1/affirm/checkouts', body, { idempotencyKey: key });
    expect(first.status).toBe(201);
    const storeCalls = (await affirmCalls('/api/v2/checkout/store')).length;

    const replay = await hub.post('/v1/affirm/checkouts', body, { idempotencyKey: key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text).toBe(first.text);
    expect((await affirmCalls('/api/v2/checkout/store')).length).toBe(storeCalls);

    const other = await hub.post('/v1/affirm/checkouts', { ...body, amount: 1 }, { idempotencyKey: key });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});
