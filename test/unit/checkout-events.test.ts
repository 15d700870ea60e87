/**
 * Checkout events (shared/domain/affirm/checkout-events.ts) and their wire form
 * (shared/providers/affirm/webhook.ts): applied once, never backwards. No network.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCheckoutEvent, type CheckoutEvent } from '#shared/domain/affirm/checkout-events.ts';
import type { AffirmOrder } from '#shared/domain/affirm/order.ts';
import { toCheckoutEvent } from '#shared/providers/affirm/webhook.ts';
import { memoryOrders } from '../support/memory-orders.ts';
import { AUTHORIZED, affirmOrder } from '../support/orders.ts';

const NOW = new Date('2026-01-01T00:20:00.000Z');
const at = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`;

function setup(order: AffirmOrder = affirmOrder()) {
  const orders = memoryOrders();
  orders.stored.set(order.orderId, order);
  const stored = () => orders.stored.get(order.orderId) as AffirmOrder;
  const apply = (event: Partial<CheckoutEvent> & Pick<CheckoutEvent, 'type'>) =>
    applyCheckoutEvent(orders, { checkoutId: 'CHK1', source: 'webhook', ...event }, NOW);
  return { orders, stored, apply };
}

describe('applyCheckoutEvent', () => {
  it('moves a sent checkout to confirmed, or to declined, and logs it', async () => {
    const confirmed = setup();
    expect((await confirmed.apply({ type: 'confirmed', occurredAt: at(1), eventId: 'e1' })).outcome).toBe(
      'applied',
    );
    expect(confirmed.stored().payment.checkout).toMatchObject({ state: 'confirmed', lastEventAt: at(1) });
    expect(confirmed.stored().events.map((e) => e.type)).toEqual(['checkout.confirmed']);

    const declined = setup();
    await declined.apply({ type: 'not_approved', eventId: 'e2' });
    expect(declined.stored().payment.checkout.state).toBe('declined');
  });

  it('applies a webhook event once, however often it is delivered', async () => {
    const { apply, stored } = setup();
    const outcomes = await Promise.all(
      [1, 2, 3, 4, 5].map(() => apply({ type: 'confirmed', eventId: 'same' })),
    );
    expect(outcomes.map((o) => o.outcome).sort()).toEqual([
      'applied',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect(stored().events).toHaveLength(1);
  });

  it('keeps informational events in the log without moving the checkout', async () => {
    const { apply, stored } = setup();
    for (const type of ['opened', 'approved', 'more_information_needed', 'sent', 'not a name!'])
      expect((await apply({ type, eventId: type })).outcome).toBe('logged');
    expect(stored().payment.checkout.state).toBe('sent');
    expect(stored().events.map((e) => e.type)).toEqual([
      'checkout.opened',
      'checkout.approved',
      'checkout.more_information_needed',
      'checkout.sent',
      'checkout.other',
    ]);
  });

  it('answers unknown_checkout for a checkout the hub did not open, writing nothing', async () => {
    const { orders, stored } = setup();
    const result = await applyCheckoutEvent(
      orders,
      { checkoutId: 'NOT-OURS', type: 'confirmed', eventId: 'x', source: 'webhook' },
      NOW,
    );
    expect(result.outcome).toBe('unknown_checkout');
    expect(stored().events).toEqual([]);
  });

  it('never moves a checkout backwards, in any order of any events', async () => {
    const events = fc.array(
      fc.record({
        type: fc.constantFrom('confirmed', 'not_approved', 'opened', 'sent'),
        minute: fc.integer({ min: 0, max: 15 }),
      }),
      { maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(events, fc.boolean(), async (sequence, authorized) => {
        const { apply, stored } = setup(
          authorized ? affirmOrder({ authorization: AUTHORIZED }) : affirmOrder(),
        );
        let last = stored().payment.checkout.state;
        let lastAt = '';
        for (const [index, e] of sequence.entries()) {
          await apply({ type: e.type, occurredAt: at(e.minute), eventId: `e${index}` });
          const state = stored().payment.checkout.state;
          // Final states stay final, an authorized loan's checkout never moves, and a move needs a newer event.
          if (last === 'declined' || authorized) expect(state).toBe(last);
          if (last === 'confirmed') expect(['confirmed', 'declined']).toContain(state);
          if (state !== last) {
            expect(at(e.minute) >= lastAt).toBe(true);
            lastAt = at(e.minute);
          }
          last = state;
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("Affirm's webhook on the wire", () => {
  const body = {
    checkout_token: 'CHK1',
    event: 'confirmed',
    event_timestamp: '2020-01-24T21:42:23.849000',
    created: '2020-01-24T21:42:20.000000',
  };

  it("reads Affirm's zone-less microsecond times as UTC and names the event by checkout, name and time", () => {
    const event = toCheckoutEvent(body, 'raw');
    expect(event).toEqual({
      checkoutId: 'CHK1',
      type: 'confirmed',
      occurredAt: '2020-01-24T21:42:23.849Z',
      eventId: 'CHK1:confirmed:2020-01-24T21:42:23.849Z',
      source: 'webhook',
    });
  });

  it('falls back on the body itself to identify an event that carries no time', () => {
    const { event_timestamp: _t, created: _c, ...untimed } = body;
    const a = toCheckoutEvent(untimed, 'checkout_token=CHK1&event=confirmed');
    const b = toCheckoutEvent(untimed, 'checkout_token=CHK1&event=confirmed');
    const c = toCheckoutEvent(untimed, 'checkout_token=CHK1&event=confirmed&x=1');
    expect(a.occurredAt).toBeUndefined();
    expect(a.eventId).toBe(b.eventId);
    expect(a.eventId).not.toBe(c.eventId);
  });
});
