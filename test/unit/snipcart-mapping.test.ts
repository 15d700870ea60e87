/**
 * Snipcart wire <-> domain (shared/providers/snipcart/mapping.ts, money.ts), the request token
 * verifier and the configuration, without any network.
 */

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_MINOR_AMOUNT, toMajorText } from '#shared/domain/money.ts';
import { SNIPCART_ENV, snipcartConfig, snipcartSecret } from '#shared/providers/snipcart/config.ts';
import {
  mapItemType,
  mapMode,
  readPaymentMethodsRequest,
  readRefundRequest,
  toConfirmationWire,
} from '#shared/providers/snipcart/mapping.ts';
import { fromMinorUnits, toMinorUnits } from '#shared/providers/snipcart/money.ts';
import { snipcartRequestTokenVerifier } from '#shared/providers/snipcart/verify.ts';

describe('money: Snipcart major units <-> minor units', () => {
  it('reads every two-decimal amount exactly, and round-trips it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_MINOR_AMOUNT }),
        fc.constantFrom('usd', 'eur', 'CAD'),
        (cents, currency) => {
          const wire = fromMinorUnits(cents, currency);
          // What Snipcart would send: the decimal text as a JSON number.
          expect(wire).toBe(Number(toMajorText(cents, currency.toUpperCase())));
          expect(toMinorUnits(JSON.parse(JSON.stringify(wire)) as number, currency)).toBe(cents);
        },
      ),
    );
  });

  it('reads 599.80 as 59980 where a float product gives 59979.99999999999', () => {
    expect(599.8 * 100).not.toBe(59_980);
    expect(toMinorUnits(599.8, 'usd')).toBe(59_980);
    expect(toMinorUnits(599.8, 'USD')).toBe(59_980);
    expect(toMinorUnits(169.9, 'cad')).toBe(16_990);
    expect(toMinorUnits(10, 'cad')).toBe(1_000);
    expect(toMinorUnits(0, 'cad')).toBe(0);
  });

  it('refuses sums carrying float error (0.1 + 0.2), never rounding them, and adds parts exactly', () => {
    expect(() => toMinorUnits(0.1 + 0.2, 'eur')).toThrow(RangeError);
    expect(() => toMinorUnits(1.1 + 2.2, 'eur')).toThrow(RangeError);
    expect(toMinorUnits(0.1, 'eur') + toMinorUnits(0.2, 'eur')).toBe(toMinorUnits(0.3, 'eur'));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (a, b) => {
          const sum = fromMinorUnits(a, 'eur') + fromMinorUnits(b, 'eur');
          // A float sum is either exactly the two-decimal amount or refused: never another amount.
          try {
            expect(toMinorUnits(sum, 'eur')).toBe(a + b);
          } catch (error) {
            expect(error).toBeInstanceOf(RangeError);
          }
        },
      ),
    );
  });

  it('reads zero-decimal currencies in whole units, refusing decimals', () => {
    for (const currency of ['jpy', 'krw', 'JPY']) {
      expect(toMinorUnits(1234, currency)).toBe(1234);
      expect(fromMinorUnits(1234, currency)).toBe(1234);
      expect(() => toMinorUnits(12.5, currency)).toThrow(/more than 0 decimals/);
    }
  });

  it('reads three-decimal currencies to the fils, and round-trips them', () => {
    for (const currency of ['kwd', 'bhd', 'jod', 'omr', 'tnd']) {
      expect(toMinorUnits(1.005, currency)).toBe(1_005);
      expect(toMinorUnits(12.5, currency)).toBe(12_500);
      expect(fromMinorUnits(1_005, currency)).toBe(1.005);
      expect(() => toMinorUnits(1.0005, currency)).toThrow(/more than 3 decimals/);
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_MINOR_AMOUNT }),
        fc.constantFrom('kwd', 'bhd', 'jpy'),
        (m, c) => {
          expect(toMinorUnits(fromMinorUnits(m, c), c)).toBe(m);
        },
      ),
    );
  });

  it('refuses three decimals for EUR, negatives, NaN, infinities, amounts over the limit and unknown currencies', () => {
    expect(() => toMinorUnits(1.005, 'eur')).toThrow(/more than 2 decimals/);
    expect(() => toMinorUnits(74.123, 'eur')).toThrow(/more than 2 decimals/);
    for (const amount of [-1, -0.01, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => toMinorUnits(amount, 'eur')).toThrow(RangeError);
    }
    expect(toMinorUnits(MAX_MINOR_AMOUNT / 100, 'eur')).toBe(MAX_MINOR_AMOUNT);
    expect(() => toMinorUnits(MAX_MINOR_AMOUNT / 100 + 0.01, 'eur')).toThrow(/over the limit/);
    expect(() => toMinorUnits(1e21, 'eur')).toThrow(RangeError);
    expect(() => toMinorUnits(10, 'xts')).toThrow(/unknown currency/);
    expect(() => toMinorUnits('10' as unknown as number, 'eur')).toThrow(RangeError);
    expect(() => fromMinorUnits(1.5, 'eur')).toThrow(RangeError);
    expect(() => fromMinorUnits(-1, 'eur')).toThrow(RangeError);
  });
});

describe('enumerations', () => {
  it('reads the webhook mode case-insensitively ("Live" published, "test" in the draft)', () => {
    expect(['Live', 'live', 'LIVE'].map(mapMode)).toEqual(['live', 'live', 'live']);
    expect(['Test', 'test'].map(mapMode)).toEqual(['test', 'test']);
    expect([null, undefined, '', 'production'].map(mapMode)).toEqual(['other', 'other', 'other', 'other']);
  });

  it('reads every item type, anything else as `other`', () => {
    expect(['Physical', 'Digital', 'Tax', 'Shipping', 'Discount', 'Plan', null].map(mapItemType)).toEqual([
      'physical',
      'digital',
      'tax',
      'shipping',
      'discount',
      'other',
      'other',
    ]);
  });
});

const INVOICE = {
  amount: 90,
  currency: 'eur',
  items: [
    { name: 'Print', unitPrice: 100, quantity: 1, type: 'Physical', amount: 100 },
    { name: 'Promo', unitPrice: -10, quantity: 1, type: 'Discount', amount: -10 },
  ],
};

describe('the payment methods webhook', () => {
  it('takes the body token over the query string, and reads a discount line as negative', () => {
    expect(
      readPaymentMethodsRequest({ invoice: INVOICE, publicToken: 'body-token', mode: 'Live' }, 'query'),
    ).toEqual({
      publicToken: 'body-token',
      mode: 'live',
      invoice: {
        amount: 9_000,
        currency: 'EUR',
        items: [
          { name: 'Print', type: 'physical', quantity: 1, unitPrice: 10_000, amount: 10_000 },
          { name: 'Promo', type: 'discount', quantity: 1, unitPrice: -1_000, amount: -1_000 },
        ],
      },
    });
  });

  it('still reads the token when the invoice cannot be read exactly (the invoice is then absent)', () => {
    const request = readPaymentMethodsRequest(
      { invoice: { ...INVOICE, amount: 0.1 + 0.2 }, mode: 'test' },
      'q',
    );
    expect(request).toEqual({ publicToken: 'q', mode: 'test' });
    expect(readPaymentMethodsRequest({ mode: 'test' }, 'q')).toEqual({ publicToken: 'q', mode: 'test' });
  });

  it('reads nothing without a well-shaped token, or from what is not an object', () => {
    expect(readPaymentMethodsRequest({ invoice: INVOICE, mode: 'Live' })).toBeUndefined();
    expect(readPaymentMethodsRequest({ publicToken: 'two words' })).toBeUndefined();
    expect(readPaymentMethodsRequest([], 'q')).toBeUndefined();
    expect(readPaymentMethodsRequest('text', 'q')).toBeUndefined();
  });
});

describe('the refund webhook', () => {
  it('reads a positive major amount in the order currency, exactly', () => {
    expect(readRefundRequest({ paymentId: 'p1', amount: 599.8 }, 'EUR')).toEqual({
      paymentId: 'p1',
      amount: 59_980,
    });
    expect(readRefundRequest({ paymentId: 'p1', amount: 3, publicToken: 'tok' }, 'jpy')).toEqual({
      paymentId: 'p1',
      amount: 3,
      publicToken: 'tok',
    });
  });

  it.each([
    ['a zero amount', { paymentId: 'p1', amount: 0 }],
    ['a negative amount', { paymentId: 'p1', amount: -5 }],
    ['three decimals', { paymentId: 'p1', amount: 20.755 }],
    ['a string amount', { paymentId: 'p1', amount: '20.75' }],
    ['no paymentId', { amount: 20.75 }],
  ])('refuses %s', (_what, body) => {
    expect(readRefundRequest(body, 'usd')).toBeUndefined();
  });
});

describe('the confirmation body', () => {
  it('sends only the fields given, with refundsUrl as links.refunds and no amount', () => {
    expect(
      toConfirmationWire({
        paymentSessionId: 's1',
        state: 'processing',
        transactionId: 't1',
        instructions: 'Paid by card',
        refundsUrl: 'https://hub.test/r?secret=x',
      }),
    ).toStrictEqual({
      paymentSessionId: 's1',
      state: 'processing',
      transactionId: 't1',
      instructions: 'Paid by card',
      links: { refunds: 'https://hub.test/r?secret=x' },
    });
    expect(
      toConfirmationWire({
        paymentSessionId: 's1',
        state: 'invalidated',
        transactionId: 't1',
        error: { code: 'card_declined' },
      }),
    ).toStrictEqual({
      paymentSessionId: 's1',
      state: 'invalidated',
      transactionId: 't1',
      error: { code: 'card_declined' },
    });
  });
});

describe('the request token verifier', () => {
  const asked: string[] = [];
  const verifier = snipcartRequestTokenVerifier(async (token) => {
    asked.push(token);
    if (token === 'outage') throw new Error('Snipcart did not answer');
    return token === 'genuine';
  });
  const check = (token?: string) =>
    verifier.verify({
      rawBody: Buffer.from('{}'),
      headers: token === undefined ? {} : { 'x-snipcart-requesttoken': token },
      now: new Date(),
    });

  it('accepts what Snipcart vouches for, refuses the rest, and asks only about well-shaped tokens', async () => {
    expect(await check('genuine')).toEqual({ valid: true });
    expect(await check('forged')).toEqual({ valid: false, reason: 'mismatch' });
    expect(await check()).toEqual({ valid: false, reason: 'missing' });
    expect(await check('two words')).toEqual({ valid: false, reason: 'malformed' });
    expect(asked).toEqual(['genuine', 'forged']);
  });

  it('rejects when Snipcart could not be asked (the route answers 5xx, never 2xx)', async () => {
    await expect(check('outage')).rejects.toThrow('Snipcart did not answer');
  });
});

describe('configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads both keys, refusing a REST key that cannot be a Basic user and blank keys', () => {
    const keys = { secretKey: 'sim_snipcart_secret', restApiKey: 'ST_abc' };
    expect(snipcartSecret().parse(keys)).toEqual(keys);
    expect(snipcartSecret().safeParse({ ...keys, restApiKey: 'ST:abc' }).success).toBe(false);
    expect(snipcartSecret().safeParse({ ...keys, secretKey: '' }).success).toBe(false);
    expect(snipcartSecret().safeParse({ ...keys, secretKey: 'a b' }).success).toBe(false);
    expect(snipcartSecret().safeParse({ secretKey: 'x' }).success).toBe(false);
  });

  it('defaults to Snipcart’s hosts and takes the simulator by configuration', () => {
    // Only what this test sets: the suite's process may carry the local stack's variables.
    delete process.env[SNIPCART_ENV.appBaseUrl];
    delete process.env[SNIPCART_ENV.timeoutMs];
    process.env[SNIPCART_ENV.secretId] = 'snipcart-secret';
    process.env[SNIPCART_ENV.paymentBaseUrl] = 'http://127.0.0.1:4030/';
    expect(snipcartConfig()).toEqual({
      paymentBaseUrl: 'http://127.0.0.1:4030',
      appBaseUrl: 'https://app.snipcart.com',
      secretId: 'snipcart-secret',
      timeoutMs: 10_000,
    });
  });
});
