/**
 * Flow C's answers to input the hub must refuse before anything is reserved or sent to Lyra, and
 * the pay page's framing rules. Each case was found by a black-box attack on the stack.
 */

import { describe, expect, it } from 'vitest';
import { hub } from '../support/hub.ts';
import { uniqueId } from '../support/ids.ts';
import { authorizedLyraOrder, createLyraPayment, lyraSim, order, shipment } from '../support/lyra-stack.ts';
import { http } from '../support/stack.ts';

const createCalls = async (orderId: string) =>
  (await lyraSim.requests()).filter(
    (r) => r.path.endsWith('/Charge/CreatePayment') && r.body?.orderId === orderId,
  );

describe('flow C: input refused before Lyra is called', () => {
  it('refuses an order id longer than Lyra takes (64), and reserves nothing', async () => {
    const orderId = `${uniqueId('long')}-${'x'.repeat(64)}`.slice(0, 65);
    expect(orderId).toHaveLength(65);
    const answer = await createLyraPayment({ orderId });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(await createCalls(orderId)).toEqual([]);
    // Not reserved: the same id at 64 characters or less is another order, and this one is free.
    expect((await hub.get(`/v1/orders/${orderId}`)).status).toBe(404);
  });

  it('refuses a location key naming another store location', async () => {
    const orderId = uniqueId('boston');
    const answer = await createLyraPayment({ orderId, metadata: { storeLocation: 'Boston' } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((e) => e.path)).toEqual(['metadata.storeLocation']);
    expect(await createCalls(orderId)).toEqual([]);
  });

  it('refuses a shipment or a refund naming another currency than the order’s', async () => {
    const { orderId } = await authorizedLyraOrder(5000);
    const shipped = await hub.post(`/v1/orders/${orderId}/shipments`, {
      shipmentId: 'in-dollars',
      amount: 1000,
      currency: 'USD',
    });
    expect(shipped.status).toBe(400);
    expect(shipped.body.errors?.map((e) => e.path)).toEqual(['currency']);
    expect((await shipment(orderId, 'in-euros', 1000)).status).toBe(201);
    const refunded = await hub.post(`/v1/orders/${orderId}/refunds`, { amount: 500, currency: 'USD' });
    expect(refunded.status).toBe(400);
    expect((await order(orderId)).refundedAmount).toBe(0);
  });

  it('refuses an order id made of dots only', async () => {
    for (const orderId of ['.', '..']) expect((await createLyraPayment({ orderId })).status).toBe(400);
  });
});

describe('flow C: the pay page', () => {
  it('may not be framed by another site', async () => {
    const created = await createLyraPayment();
    const page = await http(created.body.lyra.payUrl ?? '');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
