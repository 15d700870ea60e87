/** Field schemas shared by the hub's request bodies. */

import * as z from 'zod/mini';
import { MAX_MINOR_AMOUNT } from '../../domain/money.ts';
import { ORDER_ID } from '../path-params.ts';

/** Trimmed, non-empty text of at most `max` characters. */
export const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/** A positive amount in the currency's minor unit. */
export const amount = z.int().check(z.positive(), z.lte(MAX_MINOR_AMOUNT));

export const nonNegativeAmount = z.int().check(z.nonnegative(), z.lte(MAX_MINOR_AMOUNT));

export const OrderId = z.string().check(z.regex(ORDER_ID));
