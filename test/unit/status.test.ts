import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveAmounts, deriveStatus } from '#shared/domain/status.ts';
import { AUTHORIZED, affirmOrder } from '../support/orders.ts';

const DURING = new Date('2026-01-01T00:30:00.000Z');
const AFTER_CHECKOUT = new Date('2026-01-01T02:00:00.000Z');
const AFTER_AUTHORIZATION = new Date('2026-02-15T00:00:00.000Z');

describe('deriveStatus', () => {
  it('follows the checkout until the order is authorized', () => {
    expect(deriveStatus(affirmOrder(), DURING)).toBe('sent');
    expect(
      deriveStatus(affirmOrder({ checkout: { ...affirmOrder().checkout, state: 'confirmed' } }), DURING),
    ).toBe('confirmed');
    expect(
      deriveStatus(affirmOrder({ checkout: { ...affirmOrder().checkout, state: 'declined' } }), DURING),
    ).toBe('declined');
    expect(deriveStatus(affirmOrder(), AFTER_CHECKOUT)).toBe('expired');
  });

  it('derives the authorized life cycle from the amounts', () => {
    const authorized = affirmOrder({ authorization: AUTHORIZED });
    expect(deriveStatus(authorized, DURING)).toBe('authorized');
    expect(deriveStatus({ ...authorized, capturedAmount: 4_000 }, DURING)).toBe('partially_captured');
    expect(deriveStatus({ ...authorized, capturedAmount: 10_000 }, DURING)).toBe('captured');
    expect(deriveStatus({ ...authorized, capturedAmount: 10_000, refundedAmount: 1 }, DURING)).toBe(
      'partially_refunded',
    );
    expect(deriveStatus({ ...authorized, capturedAmount: 10_000, refundedAmount: 10_000 }, DURING)).toBe(
      'refunded',
    );
    expect(deriveStatus({ ...authorized, voidedAt: DURING.toISOString() }, DURING)).toBe('voided');
  });

  it('reads an uncaptured authorization past its expiry as expired, and a captured one as captured', () => {
    const authorized = affirmOrder({ authorization: AUTHORIZED });
    expect(deriveStatus(authorized, AFTER_AUTHORIZATION)).toBe('expired');
    expect(deriveStatus({ ...authorized, capturedAmount: 10_000 }, AFTER_AUTHORIZATION)).toBe('captured');
    expect(deriveAmounts(authorized, AFTER_AUTHORIZATION).remainingAmount).toBe(0);
  });

  it('never reports more captured than authorized or a negative remainder, for any amounts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.nat(), fc.nat(), (authorized, c, r) => {
        const captured = c % (authorized + 1);
        const refunded = captured === 0 ? 0 : r % (captured + 1);
        const order = affirmOrder({
          authorization: { ...AUTHORIZED, amount: authorized },
          capturedAmount: captured,
          refundedAmount: refunded,
        });
        const amounts = deriveAmounts(order, DURING);
        expect(amounts.remainingAmount).toBe(authorized - captured);
        expect(amounts.capturedAmount).toBeLessThanOrEqual(amounts.authorizedAmount);
        const status = deriveStatus(order, DURING);
        if (refunded > 0) expect(status).toMatch(/refunded$/);
        else if (captured === authorized) expect(status).toBe('captured');
      }),
    );
  });
});
