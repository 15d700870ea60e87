/**
 * Typed errors. Every failure a caller can see is a HubError with a stable
 * SCREAMING_SNAKE `code`; `shared/http/problem.ts` is the one place that turns
 * a code into an HTTP status and an RFC 9457 body. Nothing here knows HTTP.
 */

/** Every code a problem may carry, listed once: clients (the agent console) check they know each one. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_BODY',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'INVALID_SIGNATURE',
  'INVALID_TOKEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'ORDER_EXISTS',
  'CHECKOUT_NOT_CONFIRMED',
  'AUTHORIZATION_DECLINED',
  'CHECKOUT_EXPIRED',
  'AUTHORIZATION_EXPIRED',
  'INVALID_STATE',
  'AMOUNT_EXCEEDS_CAPTURED',
  'AMOUNT_EXCEEDS_REMAINING',
  'ORDER_NOT_AUTHORIZED',
  'SHIPMENT_CONFLICT',
  'SPLIT_CAPTURE_NOT_ENABLED',
  'OPERATION_IN_PROGRESS',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_IN_PROGRESS',
  'PROVIDER_REJECTED',
  'PROVIDER_UNAVAILABLE',
  'STORAGE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldError {
  /** Dotted path into the request body, e.g. `customer.address.zipcode`. */
  path: string;
  message: string;
}

export interface HubErrorOptions {
  /** True when the same request may succeed later without change (the caller should retry). */
  retryable?: boolean;
  fieldErrors?: FieldError[];
  /** Response headers the error implies (e.g. `allow` for 405). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class HubError extends Error {
  readonly retryable: boolean;
  readonly fieldErrors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: HubErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HubError';
    this.retryable = options.retryable ?? false;
    this.fieldErrors = options.fieldErrors;
    this.headers = options.headers ?? {};
  }
}

export class ValidationError extends HubError {
  constructor(message: string, fieldErrors: FieldError[]) {
    super('VALIDATION_FAILED', message, { fieldErrors });
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends HubError {
  constructor(what = 'The resource') {
    super('NOT_FOUND', `${what} was not found.`);
    this.name = 'NotFoundError';
  }
}

/** The request is valid but the order's current state does not allow it. */
export class StateConflictError extends HubError {
  constructor(
    code: Extract<
      ErrorCode,
      | 'ORDER_EXISTS'
      | 'CHECKOUT_NOT_CONFIRMED'
      | 'INVALID_STATE'
      | 'AMOUNT_EXCEEDS_CAPTURED'
      | 'AMOUNT_EXCEEDS_REMAINING'
      | 'ORDER_NOT_AUTHORIZED'
      | 'SHIPMENT_CONFLICT'
      | 'OPERATION_IN_PROGRESS'
    >,
    message: string,
    options: HubErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'StateConflictError';
  }
}

export class ExpiredError extends HubError {
  constructor(code: 'CHECKOUT_EXPIRED' | 'AUTHORIZATION_EXPIRED', message: string) {
    super(code, message);
    this.name = 'ExpiredError';
  }
}

export class DeclinedError extends HubError {
  constructor(message: string) {
    super('AUTHORIZATION_DECLINED', message);
    this.name = 'DeclinedError';
  }
}

/** The provider refused the request for a reason the caller must fix; nothing was done. */
export class ProviderRejectedError extends HubError {
  constructor(message: string, options: HubErrorOptions = {}) {
    super('PROVIDER_REJECTED', message, options);
    this.name = 'ProviderRejectedError';
  }
}

/**
 * The provider could not be reached or answered 5xx or timed out. The outcome of a
 * write is unknown; the hub resolves it on the next attempt, never by guessing.
 */
export class ProviderUnavailableError extends HubError {
  /**
   * What happened, in words the caller may see (e.g. "Affirm answered 503 (service unavailable)."),
   * chosen by the adapter from a fixed set; never an upstream or internal message.
   */
  readonly publicDetail: string | undefined;

  constructor(message: string, options: HubErrorOptions & { publicDetail?: string } = {}) {
    const { publicDetail, ...rest } = options;
    super('PROVIDER_UNAVAILABLE', message, { retryable: true, ...rest });
    this.name = 'ProviderUnavailableError';
    this.publicDetail = publicDetail;
  }
}

/** A provider notification already applied: the write that would apply it again was refused. */
export class DuplicateEventError extends Error {
  constructor(
    readonly provider: string,
    readonly eventId: string,
  ) {
    super(`${provider} event ${eventId} was already applied`);
    this.name = 'DuplicateEventError';
  }
}

/** Raised by the data layer when a conditional write lost a race; callers re-read and decide again. */
export class ConcurrentUpdateError extends Error {
  constructor(message = 'the item changed since it was read') {
    super(message);
    this.name = 'ConcurrentUpdateError';
  }
}
