/**
 * What the hub sends Affirm (providers/affirm.md). The Affirm simulator validates every
 * incoming request with these schemas; the hub imports only their types, so that function
 * bundles do not build schemas they never run.
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
