/**
 * Affirm's answers on the wire (providers/affirm.md), read tolerantly (looseObject:
 * unknown fields are kept, not refused) because Affirm adds fields over time. What the hub
 * sends is in request-schemas.ts: the hub uses only its types, the simulator validates
 * with it, so function bundles do not build it.
 *
 * Each schema is built the first time it is used (`once`): a function builds only the
 * answers it reads, and the error and recovery schemas stay off the happy path, which keeps
 * cold starts within budget (npm run bench).
 */

import * as z from 'zod/mini';
import { once } from '../../once.ts';

const text = () => z.string();
const optionalText = () => z.optional(z.nullable(z.string()));

export const storeCheckoutResponseWire = once(() =>
  z.looseObject({ checkout_id: text(), redirect_url: text() }),
);

/**
 * GET /api/v2/checkout/{id}: the fields the hub reads. The recorded sandbox read has no
 * `checkout_id`, `items` as an object keyed by SKU (not read), and `checkout_status: "unknown"`.
 */
export const checkoutWire = once(() =>
  z.looseObject({
    checkout_status: z.optional(text()),
    order_id: optionalText(),
    total: z.optional(z.int()),
    currency: optionalText(),
  }),
);
export type CheckoutWire = z.infer<ReturnType<typeof checkoutWire>>;

/** The event object: what capture, refund and void answer, and the items of `events` (newest first). */
export const transactionEventWire = once(() =>
  z.looseObject({
    id: text(),
    type: text(),
    amount: z.optional(z.int()),
    currency: optionalText(),
    created: optionalText(),
    reference_id: optionalText(),
  }),
);
export type TransactionEventWire = z.infer<ReturnType<typeof transactionEventWire>>;

/** The transaction object (authorize and read). */
export const transactionWire = once(() =>
  z.looseObject({
    id: text(),
    checkout_id: optionalText(),
    order_id: optionalText(),
    status: text(),
    amount: z.int(),
    amount_refunded: z.optional(z.int()),
    currency: optionalText(),
    created: optionalText(),
    authorization_expiration: optionalText(),
    events: z.optional(z.array(transactionEventWire())),
  }),
);
export type TransactionWire = z.infer<ReturnType<typeof transactionWire>>;

/**
 * Affirm's error body. The documented shape carries `code`; the real v1 state errors
 * (already_captured, void_forbidden_on_captured...) carry only `type`. Every field is optional.
 */
export const errorWire = once(() =>
  z.looseObject({
    status_code: z.optional(z.int()),
    type: optionalText(),
    code: optionalText(),
    message: optionalText(),
    field: optionalText(),
  }),
);
export type ErrorWire = z.infer<ReturnType<typeof errorWire>>;
