/**
 * The hub's request bodies (API.md). Amounts are integers in minor units; unknown
 * fields are dropped rather than refused, so callers may send newer optional fields.
 */

import * as z from 'zod/mini';
import { MAX_MINOR_AMOUNT } from '../domain/money.ts';

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const amount = z.int().check(z.positive(), z.lte(MAX_MINOR_AMOUNT));
const nonNegativeAmount = z.int().check(z.nonnegative(), z.lte(MAX_MINOR_AMOUNT));

export const ORDER_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const OrderId = z.string().check(z.regex(ORDER_ID));

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

export const CreateStoreCheckoutBody = z.object({
  orderId: OrderId,
  channel: z.enum(['in_store', 'telesales']),
  amount,
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
  items: z.optional(
    z
      .array(
        z.object({
          sku: text(100),
          name: text(200),
          unitPrice: nonNegativeAmount,
          quantity: z.int().check(z.positive(), z.lte(10_000)),
        }),
      )
      .check(z.maxLength(500)),
  ),
  taxAmount: z.optional(nonNegativeAmount),
  shippingAmount: z.optional(nonNegativeAmount),
  metadata: z.optional(z.object({ storeLocation: z.optional(text(100)), entityName: z.optional(text(100)) })),
});
export type CreateStoreCheckoutBody = z.infer<typeof CreateStoreCheckoutBody>;

export const CaptureBody = z.object({ amount: z.optional(amount) });
export const RefundBody = z.object({ amount: z.optional(amount), reason: z.optional(text(200)) });
export const VoidBody = z.object({});
export const NoBody = z.object({});
