import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currencyExponent,
  isPositiveMinorAmount,
  MAX_MINOR_AMOUNT,
  toMajorText,
  toMinorUnits,
} from '#shared/domain/money.ts';

describe('money', () => {
  it('knows the ISO 4217 exponents the providers use', () => {
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(() => currencyExponent('XXX')).toThrow(RangeError);
  });

  it('converts decimal amounts exactly, where float multiplication would not', () => {
    // Float traps: x * 100 gives 28.999999999999996 for 0.29, 434.99999999999994 for 4.35,
    // 59979.99999999999 for 599.80 and 1998.9999999999998 for 19.99 (truncating loses a cent),
    // and 1.005 * 1000 gives 1004.9999999999999 (rounding a KWD amount).
    expect(toMinorUnits(0.29, 'EUR')).toBe(29);
    expect(toMinorUnits(4.35, 'EUR')).toBe(435);
    expect(toMinorUnits(599.8, 'USD')).toBe(59_980);
    expect(toMinorUnits('599.80', 'USD')).toBe(59_980);
    expect(toMinorUnits(19.99, 'USD')).toBe(1_999);
    expect(toMinorUnits(1.005, 'KWD')).toBe(1_005);
    // 0.1 + 0.2 is 0.30000000000000004, not a two-decimal amount: refused, never rounded to 30.
    expect(() => toMinorUnits(0.1 + 0.2, 'EUR')).toThrow(/more than 2 decimals/);
    expect(toMinorUnits(0.1, 'EUR') + toMinorUnits(0.2, 'EUR')).toBe(toMinorUnits(0.3, 'EUR'));
    // 1.005 has three decimals: for a two-decimal currency it is refused, not rounded to 1.00 or 1.01.
    expect(() => toMinorUnits(1.005, 'USD')).toThrow(/more than 2 decimals/);
    expect(toMinorUnits(74.12, 'EUR')).toBe(7412);
    expect(toMinorUnits(0.29, 'EUR')).toBe(29);
    expect(toMinorUnits('35.00', 'EUR')).toBe(3500);
    expect(toMinorUnits('14.1', 'EUR')).toBe(1410);
    expect(toMinorUnits(1234, 'JPY')).toBe(1234);
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
    expect(toMinorUnits('10.500', 'EUR')).toBe(1050);
  });

  it('formats minor units as exact decimal text', () => {
    expect(toMajorText(7_412, 'EUR')).toBe('74.12');
    expect(toMajorText(59_980, 'USD')).toBe('599.80');
    expect(toMajorText(30, 'EUR')).toBe('0.30');
    expect(toMajorText(5, 'EUR')).toBe('0.05');
    expect(toMajorText(1_005, 'KWD')).toBe('1.005');
    expect(toMajorText(100, 'USD')).toBe('1.00');
    expect(toMajorText(1_234, 'JPY')).toBe('1234');
    expect(toMajorText(-7_412, 'EUR')).toBe('-74.12');
    expect(() => toMajorText(74.12, 'EUR')).toThrow(RangeError);
  });

  it('refuses amounts with more decimals than the currency has, negatives and non-numbers', () => {
    expect(() => toMinorUnits('74.123', 'EUR')).toThrow(/more than 2 decimals/);
    expect(() => toMinorUnits('1.5', 'JPY')).toThrow(/more than 0 decimals/);
    expect(() => toMinorUnits(-1, 'EUR')).toThrow(RangeError);
    expect(() => toMinorUnits('1e3', 'EUR')).toThrow(RangeError);
    expect(() => toMinorUnits(Number.NaN, 'EUR')).toThrow(RangeError);
    expect(() => toMinorUnits(1e21, 'EUR')).toThrow(RangeError);
  });

  it('round-trips every minor amount through its decimal text', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_MINOR_AMOUNT }),
        fc.constantFrom('EUR', 'JPY', 'KWD', 'USD'),
        (minor, currency) => {
          expect(toMinorUnits(toMajorText(minor, currency), currency)).toBe(minor);
        },
      ),
    );
  });

  it('reads every two-decimal price given as a JavaScript number exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (cents) => {
        const asNumber = Number(toMajorText(cents, 'EUR'));
        expect(toMinorUnits(asNumber, 'EUR')).toBe(cents);
      }),
    );
  });

  it('accepts only positive safe integers as amounts', () => {
    expect(isPositiveMinorAmount(1)).toBe(true);
    expect(isPositiveMinorAmount(0)).toBe(false);
    expect(isPositiveMinorAmount(1.5)).toBe(false);
    expect(isPositiveMinorAmount(MAX_MINOR_AMOUNT + 1)).toBe(false);
    expect(isPositiveMinorAmount('100')).toBe(false);
  });
});
