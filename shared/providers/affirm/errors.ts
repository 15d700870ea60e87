/**
 * Affirm's error answers, read where they arrive (the client): a 5xx, 408 or 429 is an
 * unknown outcome (ProviderUnavailableError); a 4xx is a definite refusal (AffirmFailure) with
 * a reason read from both error shapes Affirm sends: the documented `code`, and the real 403
 * state errors that carry only a `type`.
 */

import type { AffirmFailureReason } from '../../domain/affirm/types.ts';
import { AffirmFailure } from '../../domain/affirm/types.ts';
import { ProviderUnavailableError } from '../../errors.ts';
import type { AffirmResponse } from './client.ts';
import { type ErrorWire, errorWire } from './schemas.ts';

/** The `type` of a real 403 state error (they carry no `code`). */
const FORBIDDEN_TYPES: Record<string, AffirmFailureReason> = {
  already_authorized: 'already_authorized',
  already_captured: 'already_captured',
  already_voided: 'already_voided',
  refund_forbidden_on_authorized: 'not_refundable',
  refund_forbidden_on_voided: 'not_refundable',
  void_forbidden_on_captured: 'not_voidable',
  void_forbidden_on_confirmed: 'not_voidable',
};

/** Documented `code` values, plus the two checkout codes the hub reads (marked in the simulator as unconfirmed). */
const CODES: Record<string, AffirmFailureReason> = {
  'auth-declined': 'declined',
  'checkout-not-confirmed': 'not_confirmed',
  'checkout-expired': 'checkout_expired',
  'expired-authorization': 'authorization_expired',
  'refund-expired': 'not_refundable',
  'refund-exceeded': 'refund_exceeded',
  'refund-uncaptured': 'not_refundable',
  'refund-voided': 'not_refundable',
  'capture-voided': 'not_found',
  'capture-greater-instrument': 'amount_mismatch',
  'capture-unequal-instrument': 'amount_mismatch',
  'partial-capture-instrument': 'amount_mismatch',
  'capture-declined': 'rejected',
  'capture-limit-exceeded': 'rejected',
  invalid_field: 'rejected',
};

/** Standard reason phrases, for the caller's detail of an unknown outcome (never Affirm's own text). */
const REASON_PHRASES: Record<number, string> = {
  408: 'request timeout',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/**
 * Maps a non-2xx answer. 5xx (and 408/429) is an unknown outcome; 4xx is a definite refusal
 * with a reason. A 2xx never comes here.
 */
export function failureFrom(response: AffirmResponse): AffirmFailure | ProviderUnavailableError {
  const { status } = response;
  if (status >= 500 || status === 408 || status === 429) {
    const phrase = REASON_PHRASES[status];
    return new ProviderUnavailableError(`Affirm answered ${status}.`, {
      publicDetail: `Affirm answered ${status}${phrase ? ` (${phrase})` : ''}.`,
    });
  }
  const parsed = errorWire().safeParse(response.body);
  const error: ErrorWire = parsed.success ? parsed.data : {};
  const type = error.type ?? '';
  const code = error.code ?? '';
  const message = (error.message ?? `HTTP ${status}`).slice(0, 300);
  const providerCode = code || type || `http_${status}`;
  return new AffirmFailure(reasonFor(status, type, code, message), status, providerCode, message);
}

function reasonFor(status: number, type: string, code: string, message: string): AffirmFailureReason {
  if (status === 401 || code.startsWith('public-api-key') || code.startsWith('api-key-pair'))
    return 'credentials';
  if (FORBIDDEN_TYPES[type]) return FORBIDDEN_TYPES[type];
  if (CODES[code]) return CODES[code];
  // 409 is both "idempotency key still processing" and "capture amount unequal" (errors page).
  if (status === 409) return /idempotency|processing/i.test(message) ? 'in_progress' : 'amount_mismatch';
  if (status === 404) return 'not_found';
  return 'rejected';
}
