/**
 * Expiry is enforced by the hub before any call to Affirm. These tests move the hub's and the
 * simulator's clocks forward together; the clocks never go back, so this file keeps to itself.
 */

import { describe, expect, it } from 'vitest';
import { createCheckout, hub } from '../support/hub.ts';
import { advanceClocks, affirmSim } from '../support/stack.ts';

const calls = async (path: string) => (await affirmSim.requests()).filter((r) => r.path === path).length;

describe('expiry', () => {
  it('refuses to authorize a checkout past its expiry, without calling Affirm', async () => {
    const order = await createCheckout();
    await affirmSim.approve(order.affirm.checkoutId);
    await advanceClocks(2 * 3600);
    const before = await calls('/api/v1/transactions');
    const answer = await hub.post(`/v1/affirm/checkouts/${order.affirm.checkoutId}/authorize`);
    expect(answer.status).toBe(410);
    expect(answer.body.code).toBe('CHECKOUT_EXPIRED');
    expect(await calls('/api/v1/transactions')).toBe(before);
    expect((await hub.get(`/v1/orders/${order.orderId}`)).body.status).toBe('expired');
  });

  it('refuses to capture or void an authorization past 30 days, without calling Affirm', async () => {
    const order = await createCheckout();
    await affirmSim.approve(order.affirm.checkoutId);
    const authorized = await hub.post(`/v1/affirm/checkouts/${order.affirm.checkoutId}/authorize`);
    const transactionId = String(authorized.body.affirm.transactionId);
    await advanceClocks(31 * 86_400);

    const before = (await affirmSim.requests()).length;
    const capture = await hub.post(`/v1/orders/${order.orderId}/capture`, {});
    expect(capture.status).toBe(410);
    expect(capture.body.code).toBe('AUTHORIZATION_EXPIRED');
    const voided = await hub.post(`/v1/orders/${order.orderId}/void`, {});
    expect(voided.body.code).toBe('AUTHORIZATION_EXPIRED');
    expect((await affirmSim.requests()).length).toBe(before);
    expect(await calls(`/api/v1/transactions/${transactionId}/capture`)).toBe(0);
    expect((await hub.get(`/v1/orders/${order.orderId}`)).body).toMatchObject({
      status: 'expired',
      remainingAmount: 0,
    });
  });
});
