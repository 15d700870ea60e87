/**
 * Telling Snipcart of an authorized payment (shared/domain/snipcart/confirm.ts): once, whoever
 * asks first; an outage retried after a backoff; a refusal kept for a person; the same
 * transactionId and refund link on every attempt. A scripted Snipcart, the in-memory orders.
 */

import { describe, expect, it } from 'vitest';
import type { Order } from '#shared/domain/order.ts';
import { ProviderRefusal } from '#shared/domain/ports.ts';
import { confirmWithSnipcart } from '#shared/domain/snipcart/confirm.ts';
import type { SnipcartLink } from '#shared/domain/snipcart/link.ts';
import { awaitsFirstTell, confirmationDueAt, mustConfirm } from '#shared/domain/snipcart/link.ts';
import type { SnipcartConfirmation } from '#shared/domain/snipcart/types.ts';
import { ProviderUnavailableError } from '#shared/errors.ts';
import { memoryOrders } from '../support/memory-orders.ts';
import { AUTHORIZED, affirmOrder } from '../support/orders.ts';

const NOW = new Date('2026-01-02T00:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

const link = (): SnipcartLink => ({
  kind: 'snipcart',
  sessionId: 'session-1',
  storeUrl: 'https://shop.example/#/checkout',
  refundSecret: 'secret-1',
  confirmation: { state: 'pending', attempts: 0 },
});

/** A scripted Snipcart: each call takes the next outcome ('ok' by default), after an optional pause. */
function scriptedSnipcart(script: ('ok' | 'down' | 'refuse')[] = [], pauseMs = 0) {
  const calls: SnipcartConfirmation[] = [];
  const confirmPayment = async (confirmation: SnipcartConfirmation) => {
    calls.push(confirmation);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const outcome = script.shift() ?? 'ok';
    if (outcome === 'down') throw new ProviderUnavailableError('Snipcart answered 503.');
    if (outcome === 'refuse') throw new ProviderRefusal('invalid_request', '400', 'refused');
    return { returnUrl: `https://shop.example/order/${confirmation.paymentSessionId}` };
  };
  return { calls, confirmPayment };
}

function setup(order: Order, snipcart: ReturnType<typeof scriptedSnipcart>) {
  const orders = memoryOrders();
  orders.stored.set(order.orderId, order);
  const deps = {
    orders,
    snipcart,
    refundsUrl: (o: Order, l: SnipcartLink) =>
      `https://hub.example/v1/snipcart/refunds/${o.orderId}?secret=${l.refundSecret}`,
  };
  const stored = () => orders.stored.get(order.orderId) as Order;
  return { deps, stored };
}

const authorizedWithLink = () => affirmOrder({ authorization: AUTHORIZED, storefront: link() });

describe('telling Snipcart of a payment', () => {
  it('tells nothing before the payment is authorized', async () => {
    const snipcart = scriptedSnipcart();
    const { deps, stored } = setup(affirmOrder({ storefront: link() }), snipcart);
    expect(mustConfirm(stored())).toBe(false);
    expect(await confirmWithSnipcart(deps, stored(), NOW)).toEqual({ outcome: 'not_due' });
    expect(snipcart.calls).toEqual([]);
  });

  it('confirms once with a stable transactionId and the refund link, then answers from the order', async () => {
    const snipcart = scriptedSnipcart();
    const { deps, stored } = setup(authorizedWithLink(), snipcart);
    expect(awaitsFirstTell(stored())).toBe(true);
    const first = await confirmWithSnipcart(deps, stored(), NOW);
    expect(first).toEqual({ outcome: 'confirmed', returnUrl: 'https://shop.example/order/session-1' });
    const again = await confirmWithSnipcart(deps, stored(), later(1000));
    expect(again).toEqual(first);
    expect(snipcart.calls).toEqual([
      {
        paymentSessionId: 'session-1',
        state: 'processed',
        transactionId: 'order-1',
        refundsUrl: 'https://hub.example/v1/snipcart/refunds/order-1?secret=secret-1',
      },
    ]);
    expect(mustConfirm(stored())).toBe(false);
    expect(stored().events.map((e) => e.type)).toContain('snipcart.confirmed');
  });

  it('lets one of two concurrent askers call Snipcart; the other hears it is in progress', async () => {
    const snipcart = scriptedSnipcart([], 20);
    const { deps, stored } = setup(authorizedWithLink(), snipcart);
    const order = stored();
    const outcomes = (
      await Promise.all([confirmWithSnipcart(deps, order, NOW), confirmWithSnipcart(deps, order, NOW)])
    )
      .map((o) => o.outcome)
      .sort();
    expect(outcomes).toEqual(['confirmed', 'in_progress']);
    expect(snipcart.calls).toHaveLength(1);
  });

  it('after an outage waits for its backoff when the reconciler asks, and the shopper’s browser does not', async () => {
    const snipcart = scriptedSnipcart(['down']);
    const { deps, stored } = setup(authorizedWithLink(), snipcart);
    expect((await confirmWithSnipcart(deps, stored(), NOW)).outcome).toBe('retry_later');
    expect(stored().storefront?.confirmation).toMatchObject({ state: 'pending', attempts: 1 });
    expect(awaitsFirstTell(stored())).toBe(false);
    const due = confirmationDueAt(stored()) ?? '';
    expect(Date.parse(due)).toBe(NOW.getTime() + 10_000);
    // The reconciler before the backoff: nothing sent.
    expect((await confirmWithSnipcart(deps, stored(), later(5_000), { respectBackoff: true })).outcome).toBe(
      'not_due',
    );
    expect(snipcart.calls).toHaveLength(1);
    // The browser does not wait; the same confirmation is sent again.
    expect((await confirmWithSnipcart(deps, stored(), later(5_000))).outcome).toBe('confirmed');
    expect(snipcart.calls).toHaveLength(2);
    expect(snipcart.calls[1]).toEqual(snipcart.calls[0]);
  });

  it('keeps a refusal for a person to look at, and stops asking', async () => {
    const snipcart = scriptedSnipcart(['refuse']);
    const { deps, stored } = setup(authorizedWithLink(), snipcart);
    expect((await confirmWithSnipcart(deps, stored(), NOW)).outcome).toBe('rejected');
    expect(mustConfirm(stored())).toBe(false);
    expect(confirmationDueAt(stored())).toBeUndefined();
    expect((await confirmWithSnipcart(deps, stored(), later(60_000))).outcome).toBe('rejected');
    expect(snipcart.calls).toHaveLength(1);
  });

  it('takes over a confirmation whose sender died once its lease ran out', async () => {
    const snipcart = scriptedSnipcart();
    const order = affirmOrder({
      authorization: AUTHORIZED,
      storefront: {
        ...link(),
        confirmation: { state: 'sending', attempts: 1, leaseUntil: later(30_000).toISOString() },
      },
    });
    const { deps, stored } = setup(order, snipcart);
    expect((await confirmWithSnipcart(deps, stored(), later(10_000))).outcome).toBe('in_progress');
    expect(confirmationDueAt(stored())).toBe(later(30_000).toISOString());
    expect((await confirmWithSnipcart(deps, stored(), later(31_000))).outcome).toBe('confirmed');
    expect(snipcart.calls).toHaveLength(1);
  });
});
