/** Path parameter formats. A value that does not match cannot name anything: the route answers 404. */

/** API.md: 1-128 of [A-Za-z0-9._:-]. */
export const ORDER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Affirm checkout ids are 16 upper-case alphanumerics today; this leaves room without letting anything odd through. */
export const CHECKOUT_ID = /^[A-Za-z0-9_-]{1,64}$/;
