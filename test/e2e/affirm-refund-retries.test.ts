/**
 * Refunds retried after an interruption (issue: a refund retried after another request had
 * settled it was sent to Affirm a second time). A retry carrying the same Idempotency-Key must
 * answer with its own operation, whoever finished it, and never start another.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { authorizedOrder, hub, type OrderView } from '../support/hub.ts';
import { affirmSim } from '../support/stack.ts';

afterEach(async () => {
  await affirmSim.clearFaults();
  await affirmSim.settings({ echoReferenceId: true });
});

async function capturedOrder(amount: number): Promise<OrderView> {
  const order = await authorizedOrder({
    amount,
    items: [{ sku: 'SOFA-1', name: 'Sofa', unitPrice: amount, quantity: 1 }],
  });
  const captured = await hub.post(`/v1/orders/${order.orderId}/capture`, {});
  expect(captured.status).toBe(200);
  return captured.body;
}

const refund = (order: OrderView, body: object, key: string) =>
  hub.post(`/v1/orders/${order.orderId}/refunds`, body, { idempotencyKey: key });

async function refundsAtAffirm(order: OrderView) {
  const transaction = await affirmSim.transaction(String(order.affirm.transactionId));
  return {
    refunded: transaction.body.amount_refunded,
    events: (transaction.body.events ?? []).filter((e) => e.type === 'refund'),
  };
}

describe('a refund retried after another request settled it', () => {
  const cases = [
    { mode: 'reset', echo: true },
    { mode: 'timeout', echo: true },
    // Nothing proves Affirm echoes reference_id: the hub must then recognise A by amount, time and totals.
    { mode: 'reset', echo: false },
  ] as const;
  for (const { mode, echo } of cases) {
    it(`answers the retry with its own refund and sends Affirm nothing more (${mode} after Affirm applied it, reference_id ${echo ? 'echoed' : 'not echoed'})`, async () => {
      await affirmSim.settings({ echoReferenceId: echo });
      // Prepare: 600.00 captured; refund A's answer is lost after Affirm applied it.
      const order = await capturedOrder(60_000);
      await affirmSim.fault({
        match: 'POST /api/v1/transactions/{id}/refund',
        mode,
        when: 'after',
      });
      const a = await refund(order, { amount: 10_000 }, `refund-A-${mode}-${echo}`);
      expect(a.status).toBe(502);

      // Act: refund B settles A by reading Affirm, then refunds; then A is retried with its key.
      const b = await refund(order, { amount: 5_000 }, `refund-B-${mode}-${echo}`);
      expect(b.status).toBe(200);
      expect(b.body.refundedAmount).toBe(15_000);
      const retried = await refund(order, { amount: 10_000 }, `refund-A-${mode}-${echo}`);

      // Assess: A's retry names A's refund; Affirm refunded 150.00 in two refunds, not 250.00 in three.
      const atAffirm = await refundsAtAffirm(order);
      expect(atAffirm.refunded).toBe(15_000);
      expect(atAffirm.events).toHaveLength(2);
      expect(retried.status).toBe(200);
      expect(retried.body.refundedAmount).toBe(15_000);
      expect(retried.body.operation).toMatchObject({ kind: 'refund', amount: 10_000, state: 'succeeded' });
      expect(retried.body.operation?.operationId).not.toBe(b.body.operation?.operationId);
      expect(retried.body.refunds.map((r) => r.refundId)).toContain(retried.body.operation?.operationId);
    });
  }

  it('answers the retry with its own refund even when nothing is left to refund', async () => {
    const order = await capturedOrder(60_000);
    await affirmSim.fault({ match: 'POST /api/v1/transactions/{id}/refund', mode: 'reset' });
    expect((await refund(order, { amount: 10_000 }, 'refund-A-all')).status).toBe(502);
    // B refunds everything left once A is settled: 500.00.
    const b = await refund(order, {}, 'refund-B-all');
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({ status: 'refunded', refundedAmount: 60_000 });

    const retried = await refund(order, { amount: 10_000 }, 'refund-A-all');
    expect((await refundsAtAffirm(order)).refunded).toBe(60_000);
    expect(retried.status).toBe(200);
    expect(retried.body.operation).toMatchObject({ kind: 'refund', amount: 10_000 });
  });

  it('sends a refund that never reached Affirm again under the same provider key, whoever settles it', async () => {
    // Prepare: refund A is lost before Affirm applied it; B finds no trace of A and, rather than
    // drop it (Affirm may only be slow: it would then land unrecorded), sends A again under A's
    // Affirm Idempotency-Key, then itself.
    const order = await capturedOrder(60_000);
    await affirmSim.fault({ match: 'POST /api/v1/transactions/{id}/refund', mode: 'reset', when: 'before' });
    expect((await refund(order, { amount: 10_000 }, 'refund-A-lost')).status).toBe(502);
    const b = await refund(order, { amount: 5_000 }, 'refund-B-lost');
    expect(b.body.refundedAmount).toBe(15_000);

    // Act
    const retried = await refund(order, { amount: 10_000 }, 'refund-A-lost');

    // Assess: A happens once, sent with the Idempotency-Key of its first attempt; its retry sends nothing.
    expect(retried.status).toBe(200);
    expect(retried.body.refundedAmount).toBe(15_000);
    const sent = (await affirmSim.requests()).filter(
      (r) => r.path === `/api/v1/transactions/${order.affirm.transactionId}/refund`,
    );
    const keysOfA = sent
      .filter((r) => (r.body as { amount?: number }).amount === 10_000)
      .map((r) => r.headers['idempotency-key']);
    expect(keysOfA).toHaveLength(2);
    expect(new Set(keysOfA).size).toBe(1);
    expect((await refundsAtAffirm(order)).events).toHaveLength(2);
  });
});

describe('a key reused after a 502', () => {
  it('refuses another body under the key, and still answers the first request’s own retry', async () => {
    // Found by a black-box test: after a 502 the key took a different amount and answered it
    // with the first request's refund, then refused the first request's retry.
    const order = await capturedOrder(60_000);
    await affirmSim.fault({ match: 'POST /api/v1/transactions/{id}/refund', mode: 'status', status: 503 });
    expect((await refund(order, { amount: 20_000 }, 'reused-after-502')).status).toBe(502);
    const other = await refund(order, { amount: 30_000 }, 'reused-after-502');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const retried = await refund(order, { amount: 20_000 }, 'reused-after-502');
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ refundedAmount: 20_000, operation: { amount: 20_000 } });
  });
});

describe('refunds recognised without reference_id', () => {
  it('tells a lost refund from an earlier one of the same amount, whether or not Affirm applied it', async () => {
    // Prepare: an Affirm that does not echo reference_id, and a first refund of 50.00 recorded.
    await affirmSim.settings({ echoReferenceId: false });
    const order = await capturedOrder(60_000);
    expect((await refund(order, { amount: 5_000 }, 'same-1')).status).toBe(200);

    // Act: a second 50.00 lost after Affirm applied it, a third lost before; both retried.
    await affirmSim.fault({ match: 'POST /api/v1/transactions/{id}/refund', mode: 'reset', when: 'after' });
    expect((await refund(order, { amount: 5_000 }, 'same-2')).status).toBe(502);
    const second = await refund(order, { amount: 5_000 }, 'same-2');
    await affirmSim.fault({ match: 'POST /api/v1/transactions/{id}/refund', mode: 'reset', when: 'before' });
    expect((await refund(order, { amount: 5_000 }, 'same-3')).status).toBe(502);
    const third = await refund(order, { amount: 5_000 }, 'same-3');

    // Assess: three refunds at Affirm, three recorded, each request answered with its own.
    const atAffirm = await refundsAtAffirm(order);
    expect(atAffirm.events).toHaveLength(3);
    expect(atAffirm.refunded).toBe(15_000);
    expect(third.body.refundedAmount).toBe(15_000);
    expect(new Set(third.body.refunds.map((r) => r.refundId)).size).toBe(3);
    expect(second.body.operation?.operationId).not.toBe(third.body.operation?.operationId);
  });
});

describe('capture above the authorization', () => {
  it('refuses a capture amount other than the authorized one after the capture as before it', async () => {
    const order = await authorizedOrder({
      amount: 20_000,
      items: [{ sku: 'LAMP-1', name: 'Lamp', unitPrice: 20_000, quantity: 1 }],
    });
    const before = await hub.post(`/v1/orders/${order.orderId}/capture`, { amount: 30_000 });
    expect(before.status).toBe(422);
    expect(before.body.code).toBe('SPLIT_CAPTURE_NOT_ENABLED');
    expect((await hub.post(`/v1/orders/${order.orderId}/capture`, {})).status).toBe(200);

    const after = await hub.post(`/v1/orders/${order.orderId}/capture`, { amount: 30_000 });
    expect(after.status).toBe(422);
    expect(after.body.code).toBe('SPLIT_CAPTURE_NOT_ENABLED');
    const again = await hub.post(`/v1/orders/${order.orderId}/capture`, { amount: 20_000 });
    expect(again.status).toBe(200);
    expect(again.body.capturedAmount).toBe(20_000);
  });
});
