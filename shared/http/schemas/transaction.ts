/**
 * Bodies of the order operations (API.md): capture, refunds, void. Each is built the first time
 * its route is served, not at import: building zod schemas is most of what validating them costs
 * in a fresh container (docs/performance.md: cold load, and what the first request pays instead).
 */

import * as z from 'zod/mini';
import { once } from '../../once.ts';
import { amount, orderCurrency, text } from './fields.ts';

export const captureBody = once(() => z.object({ amount: z.optional(amount()), currency: orderCurrency() }));
export const refundBody = once(() =>
  z.object({ amount: z.optional(amount()), currency: orderCurrency(), reason: z.optional(text(200)) }),
);
export const voidBody = once(() => z.object({}));
