/**
 * The reconciler settles what nobody came back for: an operation whose outcome stayed unknown
 * and whose request never retried. And the listing of authorizations nearing their expiry.
 * These tests move the hub's and the simulator's clocks forward together.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { authorizedOrder, hub } from '../support/hub.ts';
import { advanceClocks, affirmSim, http, stack, withoutWebhooks } from '../support/stack.ts';

withoutWebhooks();
afterEach(() => affirmSim.clearFaults());

/** A sweep of the given orders (others' leftovers in the shared table are not this test's). */
const reconcile = (orderIds: string[]) =>
  http<{ payments: Record<string, number>; operationsSettled: number; failed: number }>(
    `${stack().hubUrl}/__local/reconcile`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderIds }) },
  );

describe('the reconciler and operations nobody came back for', () => {
  it('records a refund Affirm applied whose answer was lost, once its request is long gone', async () => {
    // Prepare: a refund without an Idempotency-Key, applied at Affirm, its answer lost.
    const order = await authorizedOrder();
    await hub.post(`/v1/orders/${order.orderId}/capture`, {});
    await affirmSim.fault({ match: 'POST /api/v1/transactions/{id}/refund', mode: 'reset', when: 'after' });
    expect((await hub.post(`/v1/orders/${order.orderId}/refunds`, { amount: 10_000 })).status).toBe(502);
    expect((await hub.get(`/v1/orders/${order.orderId}`)).body.pendingOperation).toMatchObject({
      kind: 'refund',
      state: 'unresolved',
    });

    // Act: not yet due (its request may still retry), then past the grace period.
    expect((await reconcile([order.orderId])).body.operationsSettled).toBe(0);
    await advanceClocks(3 * 60);
    const swept = await reconcile([order.orderId]);

    // Assess: recorded from Affirm's books, nothing sent again.
    expect(swept.body.operationsSettled).toBeGreaterThanOrEqual(1);
    const after = (await hub.get(`/v1/orders/${order.orderId}`)).body;
    expect(after.pendingOperation).toBeUndefined();
    expect(after.refundedAmount).toBe(10_000);
    const atAffirm = await affirmSim.transaction(String(order.affirm.transactionId));
    expect(atAffirm.body.amount_refunded).toBe(10_000);
    expect(atAffirm.body.events?.filter((e) => e.type === 'refund')).toHaveLength(1);
  });

  it('finishes a capture Affirm never received, under its first Idempotency-Key, rather than drop it', async () => {
    // Dropped after a read that found no trace, a capture Affirm was merely slow to apply would
    // land later unrecorded (found by a black-box test with a 14 s delay).
    const order = await authorizedOrder();
    await affirmSim.fault({ match: 'POST /api/v1/transactions/{id}/capture', mode: 'reset', when: 'before' });
    expect((await hub.post(`/v1/orders/${order.orderId}/capture`, {})).status).toBe(502);
    await advanceClocks(3 * 60);
    expect((await reconcile([order.orderId])).body.operationsSettled).toBe(1);
    const after = (await hub.get(`/v1/orders/${order.orderId}`)).body;
    expect(after).toMatchObject({ status: 'captured', capturedAmount: order.amount });
    expect(after.pendingOperation).toBeUndefined();
    expect(after.events.map((e) => e.type)).toContain('capture.succeeded');
    const captures = (await affirmSim.requests()).filter(
      (r) => r.path === `/api/v1/transactions/${order.affirm.transactionId}/capture`,
    );
    expect(captures).toHaveLength(2);
    expect(new Set(captures.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    // The caller's retry answers the capture done, and sends nothing.
    expect((await hub.post(`/v1/orders/${order.orderId}/capture`, {})).body.status).toBe('captured');
    expect(
      (await affirmSim.requests()).filter(
        (r) => r.path === `/api/v1/transactions/${order.affirm.transactionId}/capture`,
      ),
    ).toHaveLength(2);
  });
});

describe('GET /v1/admin/authorizations/expiring', () => {
  it('lists what is still capturable before its authorization expires, soonest first, to the keys that may see it', async () => {
    const order = await authorizedOrder();
    const list = async (withinDays: number, key?: string) =>
      (
        await hub.get<{ authorizations: { orderId: string; remainingAmount: number }[] }>(
          `/v1/admin/authorizations/expiring?withinDays=${withinDays}`,
          key ? { key } : {},
        )
      ).body.authorizations.map((a) => a.orderId);

    expect(await list(1)).not.toContain(order.orderId);
    expect(await list(31)).toContain(order.orderId);
    expect(await list(31, stack().keys.admin)).toContain(order.orderId);

    // Nearly 30 days later it is within a day; once captured it is no longer listed.
    await advanceClocks(29.5 * 86_400);
    expect(await list(1)).toContain(order.orderId);
    await hub.post(`/v1/orders/${order.orderId}/capture`, {});
    expect(await list(1)).not.toContain(order.orderId);

    const bad = await hub.get(`/v1/admin/authorizations/expiring?withinDays=0`);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });
});
