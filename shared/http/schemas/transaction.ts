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
/**
 * A void takes no amount: it cancels everything that remains. Unknown fields are dropped, but an
 * `amount` is refused: a caller sending one expects a partial void, and would lose the whole
 * remaining authorization (found by a black-box test).
 */
export const voidBody = once(() =>
  z.object({
    amount: z.optional(
      z.never({
        error:
          'A void cancels everything that remains: there is no partial void (refund, or ship less, instead).',
      }),
    ),
  }),
);
