/**
 * Affirm's wire formats (providers/affirm.md). Responses are read tolerantly
 * (looseObject: unknown fields are kept, not refused) because Affirm adds fields over
 * time; the simulator validates incoming requests with the same schemas.
 */

import * as z from 'zod/mini';

const text = z.string();
const optionalText = z.optional(z.nullable(z.string()));

const WireName = z.union([z.looseObject({ first: text, last: text }), z.looseObject({ full: text })]);

const WireAddress = z.looseObject({
  line1: text,
  line2: optionalText,
  city: text,
  state: text,
  zipcode: text,
  country: text,
});

const WireContact = z.looseObject({
  name: WireName,
  address: WireAddress,
  phone_number: optionalText,
  email: optionalText,
});

/** POST /api/v2/checkout/store (in-store and telesales). */
export const StoreCheckoutRequestWire = z.looseObject({
  merchant: z.looseObject({
    public_api_key: optionalText,
    user_confirmation_url: optionalText,
    user_cancel_url: optionalText,
    user_confirmation_url_action: z.optional(z.enum(['POST', 'GET'])),
    name: optionalText,
  }),
  billing: WireContact,
  shipping: z.optional(WireContact),
  items: z.optional(
    z.array(
      z.looseObject({
        display_name: text,
        sku: text,
        unit_price: z.int().check(z.nonnegative()),
        qty: z.int().check(z.positive()),
      }),
    ),
  ),
  metadata: z.optional(z.record(z.string(), z.unknown())),
  order_id: z.string().check(z.minLength(1), z.maxLength(128)),
  total: z.int().check(z.positive()),
  tax_amount: z.optional(z.int().check(z.nonnegative())),
  shipping_amount: z.optional(z.int().check(z.nonnegative())),
  currency: z.optional(z.enum(['USD', 'CAD', 'GBP'])),
  checkout_expiration: z.optional(z.string()),
  financing_program: z.optional(z.string()),
});
export type StoreCheckoutRequestWire = z.infer<typeof StoreCheckoutRequestWire>;

export const StoreCheckoutResponseWire = z.looseObject({ checkout_id: text, redirect_url: text });

/** GET /api/v2/checkout/{id}: only the fields the hub reads. */
export const CheckoutWire = z.looseObject({
  checkout_id: z.optional(text),
  checkout_status: z.optional(text),
  order_id: optionalText,
  total: z.optional(z.int()),
  currency: z.optional(text),
});

/** POST /api/v1/transactions */
export const AuthorizeRequestWire = z.looseObject({
  transaction_id: z.string().check(z.minLength(1)),
  order_id: optionalText,
  reference_id: optionalText,
  expand: optionalText,
});

const optionalAmount = z.optional(z.int().check(z.positive()));

/** POST /api/v1/transactions/{id}/capture */
export const CaptureRequestWire = z.looseObject({
  order_id: optionalText,
  reference_id: optionalText,
  shipping_carrier: optionalText,
  shipping_confirmation: optionalText,
  amount: optionalAmount,
});

/** POST /api/v1/transactions/{id}/refund (no amount: refund everything left) */
export const RefundRequestWire = z.looseObject({ amount: optionalAmount, reference_id: optionalText });

/** POST /api/v1/transactions/{id}/void (amount only with split capture) */
export const VoidRequestWire = z.looseObject({ reference_id: optionalText, amount: optionalAmount });

/** The event object: what capture, refund and void answer, and the items of `events`. */
export const TransactionEventWire = z.looseObject({
  id: text,
  type: text,
  amount: z.optional(z.int()),
  currency: optionalText,
  created: optionalText,
  reference_id: optionalText,
});
export type TransactionEventWire = z.infer<typeof TransactionEventWire>;

/** The transaction object (authorize and read). */
export const TransactionWire = z.looseObject({
  id: text,
  checkout_id: optionalText,
  order_id: optionalText,
  status: text,
  amount: z.int(),
  amount_refunded: z.optional(z.int()),
  currency: optionalText,
  created: optionalText,
  authorization_expiration: optionalText,
  events: z.optional(z.array(TransactionEventWire)),
});
export type TransactionWire = z.infer<typeof TransactionWire>;

/**
 * Affirm's error body. The documented shape carries `code`; the real v1 state errors
 * (already_captured, void_forbidden_on_captured...) carry only `type`. Every field is optional.
 */
export const ErrorWire = z.looseObject({
  status_code: z.optional(z.int()),
  type: optionalText,
  code: optionalText,
  message: optionalText,
  field: optionalText,
});
export type ErrorWire = z.infer<typeof ErrorWire>;
