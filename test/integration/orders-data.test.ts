import { describe, expect, it } from 'vitest';
import { claimIdempotencyKey, completionRider } from '#shared/data/idempotency.ts';
import { orderRepository } from '#shared/data/orders.ts';
import { reservation, settlement } from '#shared/domain/operation-money.ts';
import { change, event, type Operation } from '#shared/domain/order.ts';
import { ReservationRefusedError } from '#shared/domain/ports.ts';
import { ConcurrentUpdateError } from '#shared/errors.ts';
import { uniqueId } from '../support/ids.ts';
import { type AffirmOrderOverrides, AUTHORIZED, affirmOrder } from '../support/orders.ts';

const NOW = new Date('2026-01-01T00:05:00.000Z');

/** An order of its own: its checkout id too (the table gives a provider reference to one order only). */
const storedOrder = (overrides: AffirmOrderOverrides) =>
  affirmOrder({ checkout: { checkoutId: uniqueId('CHK') }, ...overrides });

async function stored(orderId: string) {
  const order = await orderRepository.get(orderId);
  if (!order) throw new Error(`order ${orderId} not stored`);
  return order;
}

describe('order repository on DynamoDB Local', () => {
  it('creates an order once; a second insert returns the stored one untouched', async () => {
    const orderId = uniqueId('order');
    const first = storedOrder({ orderId, version: 0, amount: 1_000 });
    expect(await orderRepository.insert(first)).toEqual({ created: true });
    const second = await orderRepository.insert({ ...first, amount: 9_999 });
    expect(second.created).toBe(false);
    expect(second.created === false && second.existing.amount).toBe(1_000);
  });

  it('refuses a write based on a stale version, and keeps the stored order', async () => {
    const orderId = uniqueId('order');
    const order = storedOrder({ orderId, version: 0 });
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
    const order = storedOrder({ orderId, version: 0 });
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

  it('finds an order by its Affirm checkout id at once, and round-trips payment, operations, refunds and events', async () => {
    const orderId = uniqueId('order');
    const checkoutId = uniqueId('CHK');
    const order = storedOrder({
      orderId,
      version: 0,
      checkout: { state: 'creating', expiresAt: '2026-01-01T01:00:00.000Z', checkoutId: undefined },
    });
    await orderRepository.insert(order);
    expect(await orderRepository.findByProviderRef('affirm', checkoutId)).toBeUndefined();
    const _sent = await orderRepository.save(
      change(
        order,
        {
          payment: {
            checkout: {
              state: 'sent',
              expiresAt: order.payment.checkout.expiresAt,
              checkoutId,
              redirectUrl: 'https://x/',
            },
            transactionId: 'TXN-1',
          },
          authorizedAmount: 1_000,
          capturableAmount: 1_000,
        },
        NOW,
        [event(NOW, 'checkout.sent', { checkoutId })],
      ),
    );
    // Found at once, by a strongly consistent read (no index to catch up).
    expect((await orderRepository.findByProviderRef('affirm', checkoutId))?.version).toBe(1);

    const capture = operation('op_c', 'capture', 1_000);
    await orderRepository.beginOperation(orderId, {
      ...reserve(capture),
      exclusive: true,
      events: [],
      now: NOW,
    });
    const captured = { ...capture, state: 'succeeded' as const, owner: undefined, providerRef: 'EV0' };
    expect(
      await orderRepository.updateOperation(orderId, {
        operation: captured,
        expected: { states: ['running'], owner: capture.owner },
        deltas: settlement(capture, 'succeeded'),
        releaseExclusive: true,
        events: [event(NOW, 'capture.succeeded')],
        now: NOW,
      }),
    ).toEqual({ written: true, rode: false });
    const refund = { refundId: 'rf_1', amount: 250, createdAt: NOW.toISOString(), reason: 'damaged' };
    const refunding = operation('rf_1', 'refund', 250);
    await orderRepository.beginOperation(orderId, {
      ...reserve(refunding),
      exclusive: true,
      events: [],
      now: NOW,
    });
    await orderRepository.updateOperation(orderId, {
      operation: { ...refunding, state: 'succeeded', owner: undefined, providerRef: 'EV1' },
      expected: { states: ['running'], owner: refunding.owner },
      deltas: settlement(refunding, 'succeeded'),
      releaseExclusive: true,
      events: [event(NOW, 'refund.succeeded')],
      refund,
      now: NOW,
    });

    const found = await orderRepository.findByProviderRef('affirm', checkoutId);
    expect(found).toMatchObject({
      orderId,
      version: 5,
      capturedAmount: 1_000,
      refundedAmount: 250,
      capturableAmount: 0,
      refundableAmount: 750,
      reservedAmount: 0,
      refundReservedAmount: 0,
      inFlight: 0,
      payment: { checkout: { state: 'sent', checkoutId }, transactionId: 'TXN-1' },
    });
    expect(found?.exclusiveOperationId).toBeUndefined();
    expect(found?.refunds).toEqual([refund]);
    expect(found?.operations.map((op) => [op.operationId, op.state])).toEqual([
      ['op_c', 'succeeded'],
      ['rf_1', 'succeeded'],
    ]);
    expect(found?.events.map((e) => e.type)).toEqual([
      'checkout.sent',
      'capture.succeeded',
      'refund.succeeded',
    ]);
  });

  it('refuses to give one provider reference to two orders', async () => {
    const checkoutId = uniqueId('CHK');
    const sendWith = async (orderId: string) => {
      const order = storedOrder({ orderId, version: 0 });
      await orderRepository.insert(order);
      return orderRepository.save(
        change(
          order,
          { payment: { checkout: { ...order.payment.checkout, checkoutId, state: 'sent' } } },
          NOW,
          [],
        ),
      );
    };
    const first = uniqueId('order');
    await sendWith(first);
    await expect(sendWith(uniqueId('order'))).rejects.toThrow();
    expect((await orderRepository.findByProviderRef('affirm', checkoutId))?.orderId).toBe(first);
  });

  it('gives twenty concurrent reservations of 10.00 on 100.00 each its own answer: ten reserved, ten insufficient', async () => {
    // Prepare: an order with 100.00 capturable; debits are not exclusive.
    const orderId = uniqueId('order');
    await orderRepository.insert(
      storedOrder({ orderId, version: 0, authorization: { ...AUTHORIZED, amount: 10_000 } }),
    );

    // Act: twenty reservations at once.
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const debit = { ...operation(`op_${i}`, 'debit', 1_000), shipmentId: `sh-${i}` };
        try {
          await orderRepository.beginOperation(orderId, {
            ...reserve(debit),
            exclusive: false,
            events: [],
            now: NOW,
          });
          return 'reserved';
        } catch (error) {
          return error instanceof ReservationRefusedError ? error.reason : String(error);
        }
      }),
    );

    // Assess: exactly what the balance allows, and no request turned away because another was in flight.
    expect(results.filter((r) => r === 'reserved')).toHaveLength(10);
    expect(results.filter((r) => r === 'insufficient')).toHaveLength(10);
    const stored = await orderRepository.get(orderId);
    expect(stored).toMatchObject({ capturableAmount: 0, reservedAmount: 10_000, inFlight: 10 });
    expect(stored?.operations).toHaveLength(10);
  });

  it('lets an exclusive operation start only on an order with nothing in flight, and nothing start beside it', async () => {
    const orderId = uniqueId('order');
    await orderRepository.insert(storedOrder({ orderId, version: 0, authorization: AUTHORIZED }));
    const refusal = async (begin: Promise<void>) => {
      try {
        await begin;
        return 'begun';
      } catch (error) {
        return error instanceof ReservationRefusedError ? error.reason : String(error);
      }
    };
    const first = operation('op_1', 'capture', 1_000);
    expect(
      await refusal(
        orderRepository.beginOperation(orderId, { ...reserve(first), exclusive: true, events: [], now: NOW }),
      ),
    ).toBe('begun');
    const second = operation('op_2', 'capture', 1_000);
    expect(
      await refusal(
        orderRepository.beginOperation(orderId, {
          ...reserve(second),
          exclusive: false,
          events: [],
          now: NOW,
        }),
      ),
    ).toBe('exclusive_in_flight');
    const third = operation('op_3', 'capture', 1_000);
    expect(
      await refusal(
        orderRepository.beginOperation(orderId, { ...reserve(third), exclusive: true, events: [], now: NOW }),
      ),
    ).toBe('exclusive_in_flight');
  });

  it('moves an operation on only while it is as expected (state, owner, lease)', async () => {
    const orderId = uniqueId('order');
    await orderRepository.insert(storedOrder({ orderId, version: 0, authorization: AUTHORIZED }));
    const op = operation('op_1', 'capture', 1_000);
    await orderRepository.beginOperation(orderId, { ...reserve(op), exclusive: false, events: [], now: NOW });
    const step = (owner: string, states: ('running' | 'unresolved')[] = ['running']) =>
      orderRepository.updateOperation(orderId, {
        operation: { ...op, state: 'unresolved', owner: undefined },
        expected: { states, owner },
        events: [],
        now: NOW,
      });
    expect((await step('someone-else')).written).toBe(false);
    expect((await step(String(op.owner))).written).toBe(true);
    expect((await step(String(op.owner))).written).toBe(false);
    expect((await orderRepository.get(orderId))?.operations[0]?.state).toBe('unresolved');
  });

  it('records a learnt provider reference on the operation and its shipment once, only while both are unknown', async () => {
    // Prepare: a debit Lyra said it did, recorded with the unknown reference on its shipment.
    const orderId = uniqueId('order');
    await orderRepository.insert(storedOrder({ orderId, version: 0, authorization: AUTHORIZED }));
    const debit = { ...operation('op_1', 'debit', 1_000), shipmentId: 'parcel-1' };
    await orderRepository.beginOperation(orderId, {
      ...reserve(debit),
      exclusive: false,
      events: [],
      now: NOW,
    });
    const done: Operation = { ...debit, state: 'succeeded', owner: undefined, providerRef: 'unknown' };
    await orderRepository.updateOperation(orderId, {
      operation: done,
      expected: { states: ['running'], owner: String(debit.owner) },
      deltas: settlement(debit, 'succeeded'),
      shipment: {
        shipmentId: 'parcel-1',
        amount: 1_000,
        createdAt: NOW.toISOString(),
        status: 'debited',
        providerRef: 'unknown',
      },
      events: [],
      now: NOW,
    });
    const learn = (providerRef: string) =>
      orderRepository.updateOperation(orderId, {
        operation: { ...done, providerRef },
        expected: { states: ['succeeded'], providerRef: 'unknown' },
        learntRef: { providerRef, unknownRef: 'unknown', shipmentId: 'parcel-1' },
        events: [event(NOW, 'debit.provider_ref_learnt')],
        now: NOW,
      });

    // Act: two learners, one after the other (the second finds it learnt).
    const first = await learn('d-1');
    const second = await learn('d-2');

    // Assess: the first wrote both records, the second nothing.
    expect([first.written, second.written]).toEqual([true, false]);
    const order = await stored(orderId);
    expect(order.operations[0]?.providerRef).toBe('d-1');
    expect(order.shipments[0]?.providerRef).toBe('d-1');
    expect(order.events.filter((e) => e.type === 'debit.provider_ref_learnt')).toHaveLength(1);
  });

  it("writes an Idempotency-Key's answer with the order change it rides in, and the change alone when the key moved on", async () => {
    // Prepare: a claimed key, and an order.
    const orderId = uniqueId('order');
    const order = storedOrder({ orderId, version: 0 });
    await orderRepository.insert(order);
    const scope = uniqueId('key');
    expect(await claimIdempotencyKey(scope, 'k1', 'fp-1', NOW, 60_000)).toEqual({ outcome: 'claimed' });
    const answer = { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":1}' };

    // Act: the change carries the completion of k1; a second change carries one for a key never claimed.
    const rider = completionRider(scope, 'k1', 'fp-1', answer);
    const first = await orderRepository.save(change(order, { amount: 2 }, NOW, []), rider);
    const stray = completionRider(scope, 'never-claimed', 'fp-2', answer);
    await orderRepository.save(change(first, { amount: 3 }, NOW, []), stray);

    // Assess: the first rode (the key replays the answer); the second change was written without its rider.
    expect(rider.rode).toBe(true);
    expect(await claimIdempotencyKey(scope, 'k1', 'fp-1', NOW, 60_000)).toEqual({
      outcome: 'replay',
      response: answer,
    });
    expect(stray.rode).toBeUndefined();
    expect((await stored(orderId)).amount).toBe(3);
  });

  it('removes a reservation only if nobody changed it', async () => {
    const orderId = uniqueId('order');
    const order = storedOrder({ orderId, version: 0 });
    await orderRepository.insert(order);
    await orderRepository.save(change(order, { capturedAmount: 1 }, NOW, []));
    await orderRepository.remove(order);
    expect(await orderRepository.get(orderId)).toBeDefined();
    await orderRepository.remove(await stored(orderId));
    expect(await orderRepository.get(orderId)).toBeUndefined();
  });
});

function operation(operationId: string, kind: Operation['kind'], amount: number): Operation {
  return {
    kind,
    operationId,
    amount,
    startedAt: NOW.toISOString(),
    state: 'running',
    owner: `owner-${operationId}`,
    leaseUntil: '2026-01-02T00:01:00.000Z',
  };
}

function reserve(op: Operation) {
  const { deltas, requires } = reservation(op);
  return { operation: op, deltas, requires };
}
