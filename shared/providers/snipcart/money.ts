/**
 * Snipcart's amounts: JSON numbers in MAJOR units with no fixed precision (`169.9`, `79.95`, `10`)
 * and lower-case ISO 4217 codes (providers/snipcart.md section 6). The hub's amounts are integers
 * in minor units with upper-case codes. Both directions go through the decimal text, never a float
 * product (`599.8 * 100` is 59979.99999999999): shared/domain/money.ts holds the exponent table and
 * the exact conversion, reused here.
 *
 * How Snipcart writes zero-decimal currencies (JPY, KRW...) is [UNCONFIRMED]: read as ISO 4217
 * says (`1234` JPY is 1234 yen), and an amount with more decimals than the currency has is
 * refused, never rounded: rounding would charge another amount than the cart shows.
 */

import { toMinorUnits as decimalToMinor, toMajorText } from '../../domain/money.ts';

/** The hub's code for Snipcart's currency (`usd` -> `USD`). */
export function hubCurrency(currency: string): string {
  return currency.toUpperCase();
}

/**
 * A Snipcart amount in minor units, exactly: read through the number's shortest decimal text
 * (String(599.8) is "599.8" -> 59980). Throws RangeError when the amount has more decimals than
 * the currency allows (0.1 + 0.2, 74.123 EUR), is negative, NaN or infinite, is over the hub's
 * MAX_MINOR_AMOUNT, or when the currency is not one the hub knows. Either case of code is taken.
 */
export function toMinorUnits(amount: number, currency: string): number {
  if (typeof amount !== 'number') throw new RangeError('a Snipcart amount is a JSON number');
  return decimalToMinor(amount, hubCurrency(currency));
}

/**
 * Minor units as the JSON number Snipcart writes (59980 USD -> 599.8), exactly: the decimal text
 * (at most 12 significant digits under MAX_MINOR_AMOUNT) parses to the double whose shortest text
 * is that same decimal, so toMinorUnits(fromMinorUnits(x)) === x. Throws RangeError for a
 * non-integer or negative amount, or an unknown currency.
 */
export function fromMinorUnits(minor: number, currency: string): number {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`not a minor amount: ${minor}`);
  return Number(toMajorText(minor, hubCurrency(currency)));
}

/** A line amount that may be negative (a discount line [UNCONFIRMED]), in minor units, exactly. */
export function toSignedMinorUnits(amount: number, currency: string): number {
  return amount < 0 ? -toMinorUnits(-amount, currency) : toMinorUnits(amount, currency);
}
