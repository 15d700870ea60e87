/** The hub has one upper limit for amounts, MAX_MINOR_AMOUNT, and states it the same way wherever an amount is refused. */

import { describe, expect, it } from 'vitest';
import { MAX_MINOR_AMOUNT, toMinorUnits } from '#shared/domain/money.ts';
import { createStoreCheckoutBody } from '#shared/http/schemas/store-checkout.ts';
import { refundBody } from '#shared/http/schemas/transaction.ts';
import { fieldErrors } from '#shared/http/validation.ts';

const HUGE = [MAX_MINOR_AMOUNT + 1, 2 ** 53, Number.MAX_VALUE];
const LIMIT = `must be at most ${MAX_MINOR_AMOUNT}`;

function errorsFor(
  schema: { safeParse(input: unknown): { success: boolean; error?: unknown } },
  input: unknown,
) {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return fieldErrors((result.error as { issues: Parameters<typeof fieldErrors>[0] }).issues, input);
}

describe('the amount limit', () => {
  it('is the only limit an over-large amount is refused with, one error per field', () => {
    for (const amount of HUGE) {
      expect(errorsFor(refundBody(), { amount }), String(amount)).toEqual([
        { path: 'amount', message: LIMIT },
      ]);
      const checkout = errorsFor(createStoreCheckoutBody(), {
        orderId: 'o-1',
        channel: 'in_store',
        amount,
        currency: 'USD',
        customer: {
          name: { full: 'Jane Doe' },
          email: 'jane@example.com',
          address: { line1: '1', city: 'D', state: 'CO', zipcode: '1', country: 'USA' },
        },
        items: [{ sku: 'A', name: 'A', unitPrice: amount, quantity: amount }],
        taxAmount: amount,
      });
      expect(checkout, String(amount)).toEqual([
        { path: 'amount', message: LIMIT },
        { path: 'items[0].unitPrice', message: LIMIT },
        { path: 'items[0].quantity', message: 'must be at most 10000' },
        { path: 'taxAmount', message: LIMIT },
      ]);
    }
  });

  it('still refuses fractions and non-positive amounts with their own message', () => {
    expect(errorsFor(refundBody(), { amount: 12.5 })).toEqual([
      { path: 'amount', message: 'must be an integer' },
    ]);
    expect(errorsFor(refundBody(), { amount: 0 })).toEqual([
      { path: 'amount', message: 'must be greater than 0' },
    ]);
    expect(errorsFor(refundBody(), { amount: MAX_MINOR_AMOUNT })).toEqual([]);
  });

  it('is the limit decimal amounts from outside are converted against', () => {
    const over = new RegExp(`must be at most ${MAX_MINOR_AMOUNT} minor units`);
    expect(() => toMinorUnits('1000000000.01', 'USD')).toThrow(over);
    expect(() => toMinorUnits(1e21, 'USD')).toThrow(over);
    expect(() => toMinorUnits('99999999999999999999', 'JPY')).toThrow(over);
    expect(toMinorUnits('1000000000.00', 'USD')).toBe(MAX_MINOR_AMOUNT);
  });
});
