/**
 * Path parameters: their formats, and the specs endpoint() checks them with. A value that
 * does not match cannot name anything, so the route answers 404 (never 400: ids are not probed).
 * Plain regular expressions, not schemas: a path check needs nothing more, and building a zod
 * schema at import costs every function's cold start (docs/performance.md).
 */

/** API.md: 1-128 of [A-Za-z0-9._:-]. */
// Not made of dots only: "." and ".." are path segments every client rewrites, so such an order
// could never be reached again.
export const ORDER_ID = /^(?!\.+$)[A-Za-z0-9._:-]{1,128}$/;

/** Affirm checkout ids are 16 upper-case alphanumerics today; this leaves room without letting anything odd through. */
export const CHECKOUT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Each parameter's format, and what a value that fails it is called in the 404 ("The order was not found."). */
export interface PathSpec<T> {
  formats: { [K in keyof T]: RegExp };
  names: string;
}

export const OrderPath: PathSpec<{ orderId: string }> = {
  formats: { orderId: ORDER_ID },
  names: 'The order',
};

export const CheckoutPath: PathSpec<{ checkoutId: string }> = {
  formats: { checkoutId: CHECKOUT_ID },
  names: 'The checkout',
};

/** The named parameters (and only those) when each matches its format; undefined when any is missing or does not match. */
export function matchPathParams<T>(
  spec: PathSpec<T>,
  raw: Record<string, string | undefined>,
): T | undefined {
  const params: Record<string, string> = {};
  for (const [name, format] of Object.entries(spec.formats) as [string, RegExp][]) {
    const value = raw[name];
    if (typeof value !== 'string' || !format.test(value)) return undefined;
    params[name] = value;
  }
  return params as T;
}
