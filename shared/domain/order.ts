/**
 * The order aggregate and its pure transitions. A transition takes the current order
 * and returns the next one plus the events to append; the data layer writes both in
 * one conditional transaction keyed on `version`, so two writers racing on one order
 * cannot both win. Nothing here does I/O.
 */

export type Channel = 'in_store' | 'telesales';

/** Where the customer is with the Affirm checkout, as far as the hub knows. */
export type CheckoutState = 'creating' | 'sent' | 'confirmed' | 'declined' | 'expired';

export type OperationKind = 'capture' | 'refund' | 'void';

/**
 * One provider write (capture, refund, void) and what became of it. Every operation is kept,
 * finished or not, so that a caller retrying with its Idempotency-Key finds the operation it
 * started, whoever finished it, and never starts a second one.
 *
 *   running     a request is executing it until leaseUntil
 *   unresolved  it ended without knowing the outcome at the provider (timeout, 5xx, reset)
 *   succeeded   the provider applied it; its amounts are in the order's totals
 *   failed      the provider did not apply it (a refusal, or no trace of it when read)
 *
 * Affirm allows one write at a time on a loan, so at most one operation is running or
 * unresolved per order; it reserves its amount until it is settled.
 */
export interface Operation {
  kind: OperationKind;
  operationId: string;
  amount: number;
  startedAt: string;
  state: 'running' | 'unresolved' | 'succeeded' | 'failed';
  /** While running: the request executing it owns it until this instant. */
  leaseUntil?: string;
  /** The caller's scoped Idempotency-Key, when it sent one: a retry with it continues this operation. */
  requestKey?: string;
  reason?: string;
  finishedAt?: string;
  /** The provider's id for what it did (Affirm's event id), when it succeeded. */
  providerRef?: string;
  /** Why it failed: the provider's error code, or `not_found_at_provider`. */
  failure?: string;
}

/** Operation failure meaning "the provider showed no trace of it": a retry of the same request may send it again, with the same provider key. */
export const NOT_FOUND_AT_PROVIDER = 'not_found_at_provider';

export interface RefundRecord {
  refundId: string;
  amount: number;
  createdAt: string;
  reason?: string;
  providerRefundId?: string;
}

export type EventDetail = Record<string, string | number | boolean>;

export interface OrderEvent {
  at: string;
  type: string;
  detail?: EventDetail;
}

export interface AffirmCheckout {
  state: CheckoutState;
  /** The hub refuses to authorize after this instant (sent to Affirm as checkout_expiration). */
  expiresAt: string;
  checkoutId?: string;
  redirectUrl?: string;
  /** While `creating`: the create attempt that owns the reservation until this instant. */
  leaseUntil?: string;
  /**
   * Names the provider Idempotency-Key of the next authorize call. It changes only after
   * Affirm definitely refused an attempt: a retry after an unknown outcome reuses the key
   * (Affirm replays instead of authorizing twice), while a retry after "not confirmed yet"
   * needs a fresh key, or Affirm would replay the stored refusal.
   */
  authorizeAttempt?: number;
}

export interface AffirmAuthorization {
  transactionId: string;
  amount: number;
  authorizedAt: string;
  expiresAt: string;
}

export interface AffirmOrder {
  orderId: string;
  provider: 'affirm';
  channel: Channel;
  /** The location whose keys may act on the order; admin keys act on every order. */
  location: string;
  amount: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  /** Incremented by every write; the condition of every conditional write. */
  version: number;
  /** Fingerprint of the create request, so that a retry of the same request can resume it. */
  requestFingerprint: string;
  checkout: AffirmCheckout;
  authorization?: AffirmAuthorization;
  capturedAmount: number;
  refundedAmount: number;
  voidedAt?: string;
  /** Every operation, oldest first. */
  operations: Operation[];
  refunds: RefundRecord[];
  events: OrderEvent[];
}

export type Order = AffirmOrder;

/** A transition's result: what to write. `refund` is a new refund record to store. */
export interface OrderChange {
  previous: Order;
  next: Order;
  events: OrderEvent[];
  refund?: RefundRecord;
}

/** Builds a change: bumps version and updatedAt, appends the events to the in-memory view. */
export function change(
  previous: Order,
  patch: Partial<Order>,
  now: Date,
  events: OrderEvent[],
  refund?: RefundRecord,
): OrderChange {
  const next: Order = {
    ...previous,
    ...patch,
    version: previous.version + 1,
    updatedAt: now.toISOString(),
    events: [...previous.events, ...events],
    refunds: refund ? [...previous.refunds, refund] : previous.refunds,
  };
  return refund ? { previous, next, events, refund } : { previous, next, events };
}

export function event(now: Date, type: string, detail?: EventDetail): OrderEvent {
  return detail ? { at: now.toISOString(), type, detail } : { at: now.toISOString(), type };
}

export function isPast(instant: string, now: Date): boolean {
  return now.getTime() >= Date.parse(instant);
}

/** The operation in flight (running or unresolved), if any. */
export function pendingOperation(order: Order): Operation | undefined {
  return order.operations.find((op) => op.state === 'running' || op.state === 'unresolved');
}

/** The operation a request with this scoped Idempotency-Key started on the order, if any (newest first). */
export function operationOfRequest(order: Order, requestKey: string | undefined): Operation | undefined {
  if (requestKey === undefined) return undefined;
  return order.operations.findLast((op) => op.requestKey === requestKey);
}

/** The order's operations with `operation` added, or replacing the one with its id. */
export function withOperation(order: Order, operation: Operation): Operation[] {
  const known = order.operations.some((op) => op.operationId === operation.operationId);
  return known
    ? order.operations.map((op) => (op.operationId === operation.operationId ? operation : op))
    : [...order.operations, operation];
}

/** What can still be refunded: captured minus refunded minus a refund in flight. */
export function refundableAmount(order: Order): number {
  const pending = pendingOperation(order);
  const inFlight = pending?.kind === 'refund' ? pending.amount : 0;
  return order.capturedAmount - order.refundedAmount - inFlight;
}
