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
 * A provider write in flight. At most one per order: it reserves its amount, names the
 * provider idempotency key (through operationId), and survives a crash or a timeout so
 * the next request can find out what happened at the provider before doing anything else.
 */
export interface PendingOperation {
  kind: OperationKind;
  operationId: string;
  amount: number;
  startedAt: string;
  /** running: a request is executing it until leaseUntil. unresolved: it ended without knowing the outcome. */
  state: 'running' | 'unresolved';
  leaseUntil: string;
  /** The caller's scoped Idempotency-Key, when it sent one: a retry with it continues this operation. */
  requestKey?: string;
  reason?: string;
}

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
  pending?: PendingOperation;
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

/** What can still be refunded: captured minus refunded minus a refund in flight. */
export function refundableAmount(order: Order): number {
  const inFlight = order.pending?.kind === 'refund' ? order.pending.amount : 0;
  return order.capturedAmount - order.refundedAmount - inFlight;
}
