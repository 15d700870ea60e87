/** POST /v1/affirm/checkouts (API.md). Amounts are integers in minor units; unknown fields are dropped, so callers may send newer optional fields. */

import * as z from 'zod/mini';
import { once } from '../../once.ts';
import { amount, nonNegativeAmount, orderId, text, wholeNumber } from './fields.ts';

/**
 * Built on first use, once per container, not at import: this ~40-field schema is the largest
 * part of the function's import cost (docs/performance.md: cold load, and what the first
 * request pays instead).
 */
export const createStoreCheckoutBody = once(() => {
  /** E.164-ish: digits with optional leading + and common separators, 7 to 15 digits. */
  const Phone = z.string().check(
    z.refine((value) => /^\+?[\d ().-]{7,25}$/.test(value) && value.replace(/\D/g, '').length >= 7, {
      error: 'must be a phone number',
    }),
  );

  const Name = z.union([z.object({ first: text(100), last: text(100) }), z.object({ full: text(200) })], {
    error: 'must be { first, last } or { full }',
  });

  const Address = z.object({
    line1: text(200),
    line2: z.optional(text(200)),
    city: text(100),
    state: text(50),
    zipcode: text(20),
    country: text(3),
  });

  return z.object({
    orderId: orderId(),
    channel: z.enum(['in_store', 'telesales']),
    amount: amount(),
    currency: z.enum(['USD', 'CAD']),
    customer: z
      .object({
        name: Name,
        email: z.optional(z.email()),
        phone: z.optional(Phone),
        address: Address,
      })
      .check(
        z.refine((customer) => Boolean(customer.email || customer.phone), {
          error: 'needs an email or a phone number for the checkout link',
          path: ['email'],
        }),
      ),
    // That items, tax and shipping add up to `amount` is checked by createStoreCheckout, not here (see there why).
    items: z.optional(
      z
        .array(
          z.object({
            sku: text(100),
            name: text(200),
            unitPrice: nonNegativeAmount(),
            quantity: wholeNumber(1, 10_000),
          }),
        )
        .check(z.maxLength(500)),
    ),
    taxAmount: z.optional(nonNegativeAmount()),
    shippingAmount: z.optional(nonNegativeAmount()),
    metadata: z.optional(
      z.object({ storeLocation: z.optional(text(100)), entityName: z.optional(text(100)) }),
    ),
  });
});
export type CreateStoreCheckoutBody = z.infer<ReturnType<typeof createStoreCheckoutBody>>;
