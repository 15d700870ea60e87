/**
 * Recognises the AWS SDK's "DynamoDB did not answer" failures: timeouts (the bounds set in
 * client.ts), refused or reset connections, server faults and throttling that outlived the SDK's
 * retries. The caller sees them as 503 STORAGE_UNAVAILABLE, a retryable problem, rather than
 * as a 500. No SDK import: shared/http/problem.ts uses this without loading the client.
 */

/** Error names the SDK and its HTTP handler give a call that did not complete. */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'ServiceUnavailable',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

/** Node's socket error codes for a DynamoDB that cannot be reached (`socket hang up` is ECONNRESET). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

interface SdkError extends Error {
  code?: unknown;
  $fault?: unknown;
  $metadata?: unknown;
}

/**
 * True for an error thrown by an AWS SDK call (it carries `$metadata`, network failures included)
 * that says the service could not be reached or did not answer in time.
 */
export function isStorageUnavailable(error: unknown): boolean {
  if (!(error instanceof Error) || !('$metadata' in error)) return false;
  const { name, code, $fault } = error as SdkError;
  return (
    UNAVAILABLE_NAMES.has(name) ||
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    $fault === 'server'
  );
}
