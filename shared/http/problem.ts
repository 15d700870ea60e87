/**
 * The one place where errors become HTTP: RFC 9457 problem+json with a stable `code`.
 * A 5xx never carries the underlying message: only a generic detail, or for PROVIDER_UNAVAILABLE
 * the public detail the adapter chose (what the provider did: answered 503, timed out...).
 */

import { isStorageUnavailable } from '../data/unavailable.ts';
import { type ErrorCode, HubError, ProviderUnavailableError } from '../errors.ts';
import type { HttpResult } from './types.ts';

const CATALOGUE: Record<ErrorCode, { status: number; title: string }> = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_BODY: { status: 400, title: 'The request body cannot be parsed' },
  UNAUTHENTICATED: { status: 401, title: 'A valid API key is required' },
  INVALID_SIGNATURE: { status: 401, title: "The provider's signature is not valid" },
  INVALID_TOKEN: { status: 401, title: 'The token or link is not valid' },
  AUTHORIZATION_DECLINED: { status: 402, title: 'The financing was declined' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  ORDER_EXISTS: { status: 409, title: 'The order already exists' },
  CHECKOUT_NOT_CONFIRMED: { status: 409, title: 'The customer has not finished the checkout' },
  INVALID_STATE: { status: 409, title: 'The order is not in a state that allows this' },
  AMOUNT_EXCEEDS_CAPTURED: { status: 409, title: 'The amount exceeds what was captured' },
  AMOUNT_EXCEEDS_REMAINING: { status: 409, title: 'The amount exceeds what remains authorized' },
  ORDER_NOT_AUTHORIZED: { status: 409, title: 'The payment has not been authorized' },
  SHIPMENT_CONFLICT: { status: 409, title: 'This shipment id was used with another amount' },
  OPERATION_IN_PROGRESS: { status: 409, title: 'Another operation on this order is in progress' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'A request with this Idempotency-Key is still running' },
  CHECKOUT_EXPIRED: { status: 410, title: 'The checkout has expired' },
  AUTHORIZATION_EXPIRED: { status: 410, title: 'The authorization has expired' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used with another request' },
  PROVIDER_REJECTED: { status: 422, title: 'The payment provider refused the request' },
  SPLIT_CAPTURE_NOT_ENABLED: { status: 422, title: 'Partial capture is not enabled' },
  PROVIDER_UNAVAILABLE: { status: 502, title: 'The payment provider is unavailable' },
  STORAGE_UNAVAILABLE: { status: 503, title: "The hub's storage is unavailable" },
  INTERNAL: { status: 500, title: 'Internal error' },
};

const RETRY_ADVICE =
  'Nothing is recorded as done yet; retry with the same Idempotency-Key to finish the operation (sent without one, read the order first: a request without a key is a new request).';

const GENERIC_DETAIL: Partial<Record<ErrorCode, string>> = {
  PROVIDER_UNAVAILABLE: `The payment provider could not complete the request. ${RETRY_ADVICE}`,
  STORAGE_UNAVAILABLE:
    "The hub's storage did not answer in time. Retry later; retry a write with the same Idempotency-Key.",
  INTERNAL: 'The hub could not complete the request.',
};

function serverDetail(code: ErrorCode, error: HubError | undefined, title: string): string {
  if (error instanceof ProviderUnavailableError && error.publicDetail)
    return `${error.publicDetail} ${RETRY_ADVICE}`;
  return GENERIC_DETAIL[code] ?? GENERIC_DETAIL.INTERNAL ?? title;
}

const RETRY_LATER = new Set<ErrorCode>([
  'PROVIDER_UNAVAILABLE',
  'IDEMPOTENCY_IN_PROGRESS',
  'OPERATION_IN_PROGRESS',
  'STORAGE_UNAVAILABLE',
]);

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: { path: string; message: string }[];
  requestId: string;
}

export function statusOf(code: ErrorCode): number {
  return CATALOGUE[code].status;
}

/**
 * Maps any thrown value to its problem. A DynamoDB call that timed out or could not connect is a
 * 503 STORAGE_UNAVAILABLE; anything else that is not a HubError is an INTERNAL 500.
 */
export function problemFor(error: unknown, requestId: string): ProblemBody {
  const hubError = error instanceof HubError ? error : undefined;
  const code: ErrorCode =
    hubError?.code ?? (isStorageUnavailable(error) ? 'STORAGE_UNAVAILABLE' : 'INTERNAL');
  const { status, title } = CATALOGUE[code];
  return {
    type: `urn:payments-hub:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    code,
    detail: status >= 500 ? serverDetail(code, hubError, title) : (hubError?.message ?? title),
    ...(hubError?.fieldErrors ? { errors: hubError.fieldErrors } : {}),
    requestId,
  };
}

export function problemResponse(
  error: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): HttpResult {
  const problem = problemFor(error, requestId);
  const extra: Record<string, string> = { ...(error instanceof HubError ? error.headers : {}), ...headers };
  if (problem.code === 'UNAUTHENTICATED') extra['www-authenticate'] = 'Bearer';
  // The error's own Retry-After when it knows better (an outcome known only in minutes).
  if (RETRY_LATER.has(problem.code)) extra['retry-after'] ??= '1';
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', ...extra },
    body: JSON.stringify(problem),
  };
}
