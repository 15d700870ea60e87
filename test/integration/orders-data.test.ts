import { describe, expect, it } from 'vitest';
import { orderRepository } from '#shared/data/orders.ts';
import { change, event } from '#shared/domain/order.ts';
import { ConcurrentUpdateError } from '#shared/errors.ts';
import { uniqueId } from '../support/ids.ts';
import { affirmOrder } from '../support/orders.ts';

const NOW = new Date('2026-01-01T00:05:00.000Z');

async function stored(orderId: string) {
  const order = await orderRepository.get(orderId);
  if (!order) throw new Error(`order ${orderId} not stored`);
  return order;
}

describe('order repository on DynamoDB Local', () => {
  it('creates an order once; a second insert returns the stored one untouched', async () => {
    const orderId = uniqueId('order');
    const first = affirmOrder({ orderId, version: 0, amount: 1_000 });
    expect(await orderRepository.insert(first)).toEqual({ created: true });
    const second = await orderRepository.insert({ ...first, amount: 9_999 });
    expect(second.created).toBe(false);
    expect(second.created === false && second.existing.amount).toBe(1_000);
  });

  it('refuses a write based on a stale version, and keeps the stored order', async () => {
    const orderId = uniqueId('order');
    const order = affirmOrder({ orderId, version: 0 });
    await orderRepository.insert(order);
    const saved = await orderRepository.save(
      change(order, { capturedAmount: 100 }, NOW, [event(NOW, 'capture.succeeded')]),
    );
    expect(saved.version).toBe(1);
    await expect(
      orderRepository.save(change(order, { capturedAmount: 999 }, NOW, [])),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect((await stored(orderId)).capturedAmount).toBe(100);
  });

  it('lets exactly one of many concurrent writers from the same version win', async () => {
    const orderId = uniqueId('order');
    const order = affirmOrder({ orderId, version: 0 });
    await orderRepository.insert(order);
    const writers = Array.from({ length: 8 }, (_, i) =>
      orderRepository.save(
        change(order, { refundedAmount: i + 1 }, NOW, [event(NOW, 'refund.succeeded', { writer: i })]),
      ),
    );
    const results = await Promise.allSettled(writers);
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r.status === 'rejected')) {
      expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrentUpdateError);
    }
    const final = await stored(orderId);
    expect(final.version).toBe(1);
    // Only the winner's event is written, with the winner's root: losers' writes went down with their transaction.
    expect(final.events).toHaveLength(1);
    expect(final.refundedAmount).toBe(Number(final.events[0]?.detail?.writer) + 1);
  });

  it('finds an order by its Affirm checkout id and round-trips refunds and events', async () => {
    const orderId = uniqueId('order');
    const checkoutId = uniqueId('CHK');
    const order = affirmOrder({
      orderId,
      version: 0,
      checkout: { state: 'creating', expiresAt: '2026-01-01T01:00:00.000Z' },
    });
    await orderRepository.insert(order);
    expect(await orderRepository.findByProviderRef('affirm', checkoutId)).toBeUndefined();
    const sent = await orderRepository.save(
      change(
        order,
        {
          checkout: {
            state: 'sent',
            expiresAt: order.checkout.expiresAt,
            checkoutId,
            redirectUrl: 'https://x/',
          },
        },
        NOW,
        [event(NOW, 'checkout.sent', { checkoutId })],
      ),
    );
    // Found at once, by a strongly consistent read (no index to catch up).
    expect((await orderRepository.findByProviderRef('affirm', checkoutId))?.version).toBe(1);
    const refund = { refundId: 'rf_1', amount: 250, createdAt: NOW.toISOString(), reason: 'damaged' };
    const operation = {
      kind: 'refund' as const,
      operationId: 'rf_1',
      amount: 250,
      startedAt: NOW.toISOString(),
      state: 'succeeded' as const,
      requestKey: 'key_1:r1',
      providerRef: 'EV1',
    };
    await orderRepository.save(
      change(
        sent,
        { capturedAmount: 1_000, refundedAmount: 250, operations: [operation] },
        NOW,
        [event(NOW, 'refund.succeeded')],
        refund,
      ),
    );

    const found = await orderRepository.findByProviderRef('affirm', checkoutId);
    expect(found).toMatchObject({
      orderId,
      version: 2,
      capturedAmount: 1_000,
      refundedAmount: 250,
      checkout: { state: 'sent', checkoutId },
    });
    expect(found?.refunds).toEqual([refund]);
    expect(found?.operations).toEqual([operation]);
    expect(found?.events.map((e) => e.type)).toEqual(['checkout.sent', 'refund.succeeded']);
  });

  it('refuses to give one provider reference to two orders', async () => {
    const checkoutId = uniqueId('CHK');
    const sendWith = async (orderId: string) => {
      const order = affirmOrder({ orderId, version: 0 });
      await orderRepository.insert(order);
      return orderRepository.save(
        change(order, { checkout: { ...order.checkout, checkoutId, state: 'sent' } }, NOW, []),
      );
    };
    const first = uniqueId('order');
    await sendWith(first);
    await expect(sendWith(uniqueId('order'))).rejects.toThrow();
    expect((await orderRepository.findByProviderRef('affirm', checkoutId))?.orderId).toBe(first);
  });

  it('removes a reservation only if nobody changed it', async () => {
    const orderId = uniqueId('order');
    const order = affirmOrder({ orderId, version: 0 });
    await orderRepository.insert(order);
    await orderRepository.save(change(order, { capturedAmount: 1 }, NOW, []));
    await orderRepository.remove(order);
    expect(await orderRepository.get(orderId)).toBeDefined();
    await orderRepository.remove(await stored(orderId));
    expect(await orderRepository.get(orderId)).toBeUndefined();
  });
});
