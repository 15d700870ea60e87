/**
 * Snipcart's failure answers, read where they arrive. Snipcart documents no error status or body
 * for any custom gateway endpoint [UNCONFIRMED] (providers/snipcart.md sections 1-3), so an
 * answer is read by its HTTP status alone, the safest way for money:
 *   - 5xx, 408, 429, a redirect, and a 2xx the hub cannot read: an unknown outcome (ProviderUnavailableError),
 *     never read as "valid" nor as "refused";
 *   - 401: the hub's key was refused (`credentials`) on the calls that send one;
 *   - any other 4xx: a definite refusal, Snipcart did nothing.
 * The body is read only for a code shaped like one (for logs and the order's events); Snipcart's
 * messages are never passed on: they may echo what the hub sent.
 */

import type { RefusalReason } from '../../domain/ports.ts';
import { ProviderRefusal } from '../../domain/ports.ts';
import { ProviderUnavailableError } from '../../errors.ts';

/**
 * Statuses whose answer says nothing about what Snipcart did: 5xx, 408, 429, and anything that is
 * neither 2xx nor 4xx (a redirect is not followed: it would carry a key to another address).
 */
export function isUnansweredStatus(status: number): boolean {
  const answered = (status >= 200 && status <= 299) || (status >= 400 && status <= 499);
  return !answered || status === 408 || status === 429;
}

/** Standard reason phrases, for the caller's detail of an unknown outcome (never Snipcart's own text). */
const REASON_PHRASES: Record<number, string> = {
  408: 'request timeout',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/** A code Snipcart may put in an error body, if shaped like one: `{code}`, `{error: {code}}` or `{errors: [{code}]}`. */
const CODE_SHAPE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export function errorCodeIn(body: unknown): string | undefined {
  const record = (value: unknown) =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  const top = record(body);
  const errors = top?.errors;
  const candidates = [
    top?.code,
    record(top?.error)?.code,
    Array.isArray(errors) ? record(errors[0])?.code : undefined,
  ];
  return candidates.find((code): code is string => typeof code === 'string' && CODE_SHAPE.test(code));
}

/** An answer that is not an answer (5xx, 408, 429): the outcome is unknown. */
export function snipcartUnavailable(status: number): ProviderUnavailableError {
  const phrase = REASON_PHRASES[status];
  return new ProviderUnavailableError(`Snipcart answered ${status}.`, {
    publicDetail: `Snipcart answered ${status}${phrase ? ` (${phrase})` : ''}.`,
  });
}

/**
 * A non-2xx answer of a call. `authenticated`: the call sent a key, so a 401 refuses the key
 * (`credentials`); on a call without a key a 401 is like any other 4xx. `otherwise`: what another
 * 4xx means for this call (a session Snipcart does not know: `not_found`).
 */
export function snipcartHttpFailure(
  status: number,
  body: unknown,
  call: { authenticated: boolean; otherwise: RefusalReason },
): ProviderRefusal | ProviderUnavailableError {
  if (isUnansweredStatus(status)) return snipcartUnavailable(status);
  const code = errorCodeIn(body) ?? `http_${status}`;
  const reason: RefusalReason =
    status === 401 && call.authenticated ? 'credentials' : status === 404 ? 'not_found' : call.otherwise;
  return new ProviderRefusal(reason, code, `Snipcart refused the request (HTTP ${status}, ${code}).`, status);
}

/** A 2xx answer the hub cannot read: the request may have been applied. */
export function unreadableAnswer(): ProviderUnavailableError {
  return new ProviderUnavailableError('Snipcart answered with an unreadable body.', {
    publicDetail: 'Snipcart answered with a body the hub could not read.',
  });
}
