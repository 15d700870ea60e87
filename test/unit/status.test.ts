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
    expect(deriveStatus(affirmOrder({ checkout: { state: 'confirmed' } }), DURING)).toBe('confirmed');
    expect(deriveStatus(affirmOrder({ checkout: { state: 'declined' } }), DURING)).toBe('declined');
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

  it('derives the one exact status and the amounts for any captured, refunded, voided and expired mix', () => {
    /** The oracle: the one status an authorized order must show, spelled out case by case. */
    const expectedStatus = (o: {
      authorized: number;
      captured: number;
      refunded: number;
      voided: boolean;
      late: boolean;
    }) => {
      if (o.voided) return 'voided';
      if (o.refunded === o.captured && o.refunded > 0) return 'refunded';
      if (o.refunded > 0) return 'partially_refunded';
      if (o.captured === o.authorized) return 'captured';
      if (o.captured > 0) return 'partially_captured';
      return o.late ? 'expired' : 'authorized';
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        fc.boolean(),
        (authorized, c, r, voidIfUncaptured, late) => {
          const captured = c % (authorized + 1);
          const refunded = captured === 0 ? 0 : r % (captured + 1);
          // Only an uncaptured authorization can be voided.
          const voided = voidIfUncaptured && captured === 0;
          const order = affirmOrder({
            authorization: { ...AUTHORIZED, amount: authorized },
            capturedAmount: captured,
            refundedAmount: refunded,
            ...(voided ? { voidedAt: DURING.toISOString() } : {}),
          });
          const now = late ? AFTER_AUTHORIZATION : DURING;
          expect(deriveStatus(order, now)).toBe(
            expectedStatus({ authorized, captured, refunded, voided, late }),
          );
          expect(deriveAmounts(order, now)).toEqual({
            authorizedAmount: authorized,
            capturedAmount: captured,
            refundedAmount: refunded,
            // What can still be captured: nothing once voided or past the authorization's expiry.
            remainingAmount: voided || late ? 0 : authorized - captured,
          });
        },
      ),
    );
  });
});
