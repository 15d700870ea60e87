/** Path parameters are checked with plain regular expressions (no schema built at cold start): same answers as before. */

import { describe, expect, it } from 'vitest';
import { CheckoutPath, matchPathParams, OrderPath } from '#shared/http/path-params.ts';

describe('matchPathParams', () => {
  it('returns exactly the named parameters when each matches its format', () => {
    expect(matchPathParams(OrderPath, { orderId: 'pos-1:A.b_c', other: 'x' })).toEqual({
      orderId: 'pos-1:A.b_c',
    });
    expect(matchPathParams(CheckoutPath, { checkoutId: 'ABCDEF0123456789' })).toEqual({
      checkoutId: 'ABCDEF0123456789',
    });
  });

  it('refuses a missing, empty, over-long or malformed value', () => {
    expect(matchPathParams(OrderPath, {})).toBeUndefined();
    expect(matchPathParams(OrderPath, { orderId: '' })).toBeUndefined();
    expect(matchPathParams(OrderPath, { orderId: 'a'.repeat(129) })).toBeUndefined();
    expect(matchPathParams(OrderPath, { orderId: 'a'.repeat(128) })).toEqual({ orderId: 'a'.repeat(128) });
    expect(matchPathParams(OrderPath, { orderId: 'bad id' })).toBeUndefined();
    expect(matchPathParams(OrderPath, { orderId: 'a\nb' })).toBeUndefined();
    expect(matchPathParams(CheckoutPath, { checkoutId: 'has.dot' })).toBeUndefined();
  });
});
