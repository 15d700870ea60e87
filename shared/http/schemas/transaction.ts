/** Bodies of the order operations (API.md): capture, refunds, void. */

import * as z from 'zod/mini';
import { amount, text } from './fields.ts';

export const CaptureBody = z.object({ amount: z.optional(amount) });
export const RefundBody = z.object({ amount: z.optional(amount), reason: z.optional(text(200)) });
export const VoidBody = z.object({});
