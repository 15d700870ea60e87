/**
 * Money inside the hub is always an integer count of the currency's minor unit
 * (ISO 4217 exponent: EUR 2, JPY 0, KWD 3). Decimal amounts from the outside world
 * (Snipcart sends major units) are converted here, from their decimal text, never by
 * multiplying floats.
 */

/** ISO 4217 minor-unit exponents for the currencies the providers can settle. */
const EXPONENTS: Readonly<Record<string, number>> = {
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  COP: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MAD: 2,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PEN: 2,
  PLN: 2,
  RON: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TND: 3,
  TRY: 2,
  TWD: 2,
  USD: 2,
  VND: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  ZAR: 2,
};

/** The largest amount the hub accepts: well inside Number.MAX_SAFE_INTEGER and any provider's limit. */
export const MAX_MINOR_AMOUNT = 100_000_000_000;

export function isKnownCurrency(code: string): boolean {
  return Object.hasOwn(EXPONENTS, code);
}

/** Returns the ISO 4217 exponent. Throws RangeError for a currency the hub does not know. */
export function currencyExponent(currency: string): number {
  const exponent = EXPONENTS[currency];
  if (exponent === undefined) throw new RangeError(`unknown currency ${currency}`);
  return exponent;
}

function overLimit(text: string): RangeError {
  return new RangeError(
    `${text} is over the limit: an amount must be at most ${MAX_MINOR_AMOUNT} minor units`,
  );
}

/** True for a positive integer amount in minor units within the hub's limit. */
export function isPositiveMinorAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= MAX_MINOR_AMOUNT;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Converts a non-negative decimal amount in major units to minor units, exactly.
 * A number is read through its shortest round-trip text (74.12 -> "74.12"), so
 * binary float error never leaks in. Throws RangeError when the amount has more
 * decimals than the currency allows, is negative, or is not a finite decimal.
 */
export function toMinorUnits(major: string | number, currency: string): number {
  const exponent = currencyExponent(currency);
  const text = typeof major === 'number' ? numberToPlainText(major) : major.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a non-negative decimal amount: ${text}`);
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) {
    throw new RangeError(`${text} has more than ${exponent} decimals for ${currency}`);
  }
  const minor = Number(whole + fraction.padEnd(exponent, '0'));
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR_AMOUNT) throw overLimit(text);
  return minor;
}

/** Formats minor units as a plain decimal string in major units ("7412" EUR -> "74.12"). */
export function toMajorText(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an integer amount: ${minor}`);
  const exponent = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

function numberToPlainText(value: number): string {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`not a non-negative finite amount: ${value}`);
  if (value > MAX_MINOR_AMOUNT) throw overLimit(String(value));
  const text = String(value);
  // 1e-7 and 1e21 style texts: a real price never looks like this.
  if (/e/i.test(text)) throw new RangeError(`amount out of range: ${text}`);
  return text;
}
