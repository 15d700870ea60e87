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
    // In binary floating point 0.29 * 100 === 28.999999999999996 and 4.35 * 100 === 434.99999999999994
    expect(0.29 * 100).not.toBe(29);
    expect(4.35 * 100).not.toBe(435);
    expect(toMinorUnits(4.35, 'EUR')).toBe(435);
    expect(toMinorUnits(74.12, 'EUR')).toBe(7412);
    expect(toMinorUnits(0.29, 'EUR')).toBe(29);
    expect(toMinorUnits('35.00', 'EUR')).toBe(3500);
    expect(toMinorUnits('14.1', 'EUR')).toBe(1410);
    expect(toMinorUnits(1234, 'JPY')).toBe(1234);
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
    expect(toMinorUnits('10.500', 'EUR')).toBe(1050);
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
