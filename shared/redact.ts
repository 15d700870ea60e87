/**
 * Redaction for everything that is logged. Secrets and card data never appear; e-mail
 * addresses and phone numbers appear masked. Applied by the logger to every line, so a
 * careless call site cannot leak.
 */

const SECRET_KEY =
  /(authori[sz]ation|password|passwd|secret|private|api[-_]?key|token|signature|cookie|cvv|cvc|card[-_]?number|^pan$|kr-hash|credential)/i;
const EMAIL_KEY = /e-?mail/i;
const PHONE_KEY = /phone|mobile|msisdn/i;
const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const CARD_IN_TEXT = /\b\d(?:[ -]?\d){12,18}\b/g;
const PHONE_IN_TEXT = /\+\d(?:[ .-]?\d){7,14}/g;

export const REDACTED = '[REDACTED]';

/** `jane.doe@example.com` -> `j***@e***.com` */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return REDACTED;
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${email[0]}***@${domain[0] ?? ''}***${tld}`;
}

/** Keeps the last two digits only: `+1 303 555 0142` -> `***42` */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length < 4 ? REDACTED : `***${digits.slice(-2)}`;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Masks e-mail addresses, card numbers (Luhn-valid 13-19 digits) and international phone numbers inside free text. */
export function redactText(text: string): string {
  return text
    .replace(EMAIL_IN_TEXT, maskEmail)
    .replace(CARD_IN_TEXT, (match) => {
      const digits = match.replace(/\D/g, '');
      return luhnValid(digits) ? `****${digits.slice(-4)}` : match;
    })
    .replace(PHONE_IN_TEXT, maskPhone);
}

/** A deep copy of `value` that is safe to log. */
export function redact(value: unknown, key = '', depth = 0): unknown {
  if (key && SECRET_KEY.test(key)) return value === undefined || value === null ? value : REDACTED;
  if (typeof value === 'string') {
    if (key && EMAIL_KEY.test(key)) return maskEmail(value);
    if (key && PHONE_KEY.test(key)) return maskPhone(value);
    return redactText(value);
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[TRUNCATED]';
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message), code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, '', depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k, depth + 1)]));
}
