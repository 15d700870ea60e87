/**
 * Rules on opening a store checkout that the hub enforces itself, through the local gateway:
 * whose store the checkout is for, and that the listed items add up to the amount.
 */

import { describe, expect, it } from 'vitest';
import { checkoutBody, hub } from '../support/hub.ts';
import { uniqueId } from '../support/ids.ts';
import { affirmSim, stack } from '../support/stack.ts';

/** The store-checkout requests Affirm received for one order id. */
async function checkoutRequestsFor(orderId: string) {
  return (await affirmSim.requests()).filter(
    (r) =>
      r.path === '/api/v2/checkout/store' &&
      (r.body as { order_id?: string } | undefined)?.order_id === orderId,
  );
}

/** The store location Affirm recorded for the one checkout it received for the order. */
async function storeLocationSentFor(orderId: string): Promise<string | undefined> {
  const [request, ...more] = await checkoutRequestsFor(orderId);
  expect(more).toEqual([]);
  const body = request?.body as { metadata?: { store_location?: string } } | undefined;
  return body?.metadata?.store_location;
}

describe('store location of a new checkout', () => {
  it("refuses a location key's checkout for another store with 400, and Affirm never hears of it", async () => {
    expect(stack().keys.posLocation).toBe('Denver');
    const orderId = uniqueId('order');
    const answer = await hub.post(
      '/v1/affirm/checkouts',
      checkoutBody({ orderId, metadata: { storeLocation: 'Boston', entityName: 'Demo Store' } }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(answer.body.errors).toEqual([{ path: 'metadata.storeLocation', message: expect.any(String) }]);
    expect(await checkoutRequestsFor(orderId)).toEqual([]);
    expect((await hub.get(`/v1/orders/${orderId}`)).status).toBe(404);
  });

  it("sends Affirm the key's own location when the body names none", async () => {
    const orderId = uniqueId('order');
    const answer = await hub.post('/v1/affirm/checkouts', checkoutBody({ orderId, metadata: undefined }));
    expect(answer.status).toBe(201);
    expect(await storeLocationSentFor(orderId)).toBe('Denver');
  });

  it('lets an admin key open a checkout for another store, which that store then owns', async () => {
    const orderId = uniqueId('order');
    const answer = await hub.post(
      '/v1/affirm/checkouts',
      checkoutBody({ orderId, metadata: { storeLocation: 'Boston' } }),
      { key: stack().keys.admin },
    );
    expect(answer.status).toBe(201);
    expect(await storeLocationSentFor(orderId)).toBe('Boston');
    // Denver's key cannot see Boston's order.
    expect((await hub.get(`/v1/orders/${orderId}`)).status).toBe(404);
  });
});

describe('items that do not add up', () => {
  it('refuses items, tax and shipping that disagree with the amount, stating their sum', async () => {
    const orderId = uniqueId('order');
    const answer = await hub.post(
      '/v1/affirm/checkouts',
      checkoutBody({
        orderId,
        amount: 125_000,
        items: [{ sku: 'SOFA-1', name: 'Sofa', unitPrice: 125_000, quantity: 1 }],
        shippingAmount: 4_900,
      }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(answer.body.errors).toEqual([{ path: 'amount', message: expect.stringContaining('129900') }]);
    expect(await checkoutRequestsFor(orderId)).toEqual([]);
  });
});
