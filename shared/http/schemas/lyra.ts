/** Bodies of the Lyra routes (API.md): a payment on shipment, a shipment, and Lyra's signed form posts. */

import * as z from 'zod/mini';
import { isKnownCurrency } from '../../domain/money.ts';
import { once } from '../../once.ts';
import { amount, orderCurrency, orderId, text } from './fields.ts';

/** POST /v1/lyra/payments. Built on first use (cold load). */
export const createPaymentBody = once(() =>
  z.object({
    // Lyra takes order ids of at most 64 characters (INT_013): a longer one is refused here, not there.
    orderId: orderId().check(z.maxLength(64)),
    amount: amount(),
    currency: z.string().check(
      z.refine((code) => /^[A-Z]{3}$/.test(code) && isKnownCurrency(code), {
        error: 'must be an upper-case ISO 4217 code the hub knows',
      }),
    ),
    customer: z.object({
      email: z.email(),
      reference: z.optional(text(64)),
      firstName: z.optional(text(100)),
      lastName: z.optional(text(100)),
      phone: z.optional(text(32)),
    }),
    metadata: z.optional(z.record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(255)))),
  }),
);
export type CreatePaymentBody = z.infer<ReturnType<typeof createPaymentBody>>;

/** POST /v1/orders/{orderId}/shipments. */
export const createShipmentBody = once(() =>
  z.object({
    shipmentId: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\x21-\x7e]+$/)),
    amount: amount(),
    currency: orderCurrency(),
    items: z.optional(
      z
        .array(z.object({ sku: text(100), quantity: z.int().check(z.positive(), z.lte(10_000)) }))
        .check(z.maxLength(500)),
    ),
  }),
);
export type CreateShipmentBody = z.infer<ReturnType<typeof createShipmentBody>>;

/** Lyra's signed form post (IPN or browser return): the verifier has checked kr-hash over kr-answer. */
export const krFormBody = once(() =>
  z.object({ 'kr-answer': z.string().check(z.minLength(2)), 'kr-answer-type': z.optional(z.string()) }),
);
