/**
 * Field schemas shared by the hub's request bodies. Each is a factory, not a schema built at
 * import: a function bundles and builds only the fields its own bodies use (docs/performance.md).
 */

import * as z from 'zod/mini';
import { MAX_MINOR_AMOUNT } from '../../domain/money.ts';
import { ORDER_ID } from '../path-params.ts';

/** Trimmed, non-empty text of at most `max` characters. */
export const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/**
 * A whole number from `min` to `max`. Not z.int(): its built-in safe-integer bound would show
 * a second upper limit (9007199254740991) beside `max` in the errors for a huge value.
 */
export const wholeNumber = (min: 0 | 1, max: number) =>
  z
    .number()
    .check(
      z.refine(Number.isInteger, { error: 'must be an integer' }),
      min === 1 ? z.positive() : z.nonnegative(),
      z.lte(max),
    );

/** A positive amount in the currency's minor unit, at most MAX_MINOR_AMOUNT: the hub's one amount limit. */
export const amount = () => wholeNumber(1, MAX_MINOR_AMOUNT);

export const nonNegativeAmount = () => wholeNumber(0, MAX_MINOR_AMOUNT);

export const orderId = () => z.string().check(z.regex(ORDER_ID));

/**
 * An optional currency on a request about an existing order (a shipment, a refund): when given,
 * it must be the order's, which the domain checks (a caller who thinks in another currency is
 * told so rather than charged in the order's).
 */
export const orderCurrency = () => z.optional(z.string().check(z.regex(/^[A-Z]{3}$/)));
