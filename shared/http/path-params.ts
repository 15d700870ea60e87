/**
 * Path parameters: their formats, and the schemas endpoint() validates them with. A value that
 * does not match cannot name anything, so the route answers 404 (never 400: ids are not probed).
 */

import * as z from 'zod/mini';

/** API.md: 1-128 of [A-Za-z0-9._:-]. */
export const ORDER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Affirm checkout ids are 16 upper-case alphanumerics today; this leaves room without letting anything odd through. */
export const CHECKOUT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A path schema, and what a value that fails it is called in the 404 ("The order was not found."). */
export interface PathSpec<T> {
  schema: z.ZodMiniType<T>;
  names: string;
}

export const OrderPath: PathSpec<{ orderId: string }> = {
  schema: z.object({ orderId: z.string().check(z.regex(ORDER_ID)) }),
  names: 'The order',
};

export const CheckoutPath: PathSpec<{ checkoutId: string }> = {
  schema: z.object({ checkoutId: z.string().check(z.regex(CHECKOUT_ID)) }),
  names: 'The checkout',
};
