/**
 * The provider-neutral order. One core (amounts, reservations, operations, refunds, shipments,
 * events) for every provider, and the provider's own data in `payment`, discriminated by
 * `provider`. Nothing here does I/O.
 *
 * Money on an order, in minor units, with the two balances every reservation is checked against:
 *
 *   capturableAmount  = authorizedAmount - capturedAmount - reservedAmount - (voided remainder)
 *   refundableAmount  = capturedAmount - refundedAmount - refundReservedAmount
 *
 * `capturedAmount` counts what was captured or debited (Affirm capture, Lyra shipment debits).
 * A capture or debit in flight holds its amount in `reservedAmount`, a refund in
 * `refundReservedAmount`, so that concurrent operations can never together exceed what is
 * available. The balances are stored (not recomputed) because the data layer checks them in
 * the condition of the write that reserves (a condition cannot add attributes up).
 */

import type { AffirmPayment } from './affirm/types.ts';
import type { LyraPayment } from './lyra/types.ts';
import type { RefusalReason } from './ports.ts';
import type { SnipcartLink } from './snipcart/link.ts';

export type Channel = 'in_store' | 'telesales' | 'online';

/** A provider write. `debit` is one shipment of a payment on shipment, carrying the caller's shipment id. */
export type OperationKind = 'capture' | 'debit' | 'refund' | 'void';

/**
 * One provider write and what became of it. Every operation is kept, finished or not, so that
 * a caller retrying with its Idempotency-Key finds the operation it started, whoever finished
 * it, and never starts a second one.
 *
 *   running     a request (`owner`) is executing it until leaseUntil
 *   unresolved  it ended without knowing the outcome at the provider (timeout, 5xx, reset)
 *   succeeded   the provider applied it; its amounts are in the order's totals
 *   failed      the provider did not apply it (a refusal, or no trace of it when read)
 *
 * A running or unresolved operation holds its reservation until it is settled.
 */
export interface Operation {
  kind: OperationKind;
  operationId: string;
  amount: number;
  startedAt: string;
  state: 'running' | 'unresolved' | 'succeeded' | 'failed';
  /** While running: the request executing it (a random token) owns it until leaseUntil. */
  owner?: string;
  leaseUntil?: string;
  /** The caller's scoped Idempotency-Key, when it sent one: a retry with it continues this operation. */
  requestKey?: string;
  reason?: string;
  /** For a debit: the caller's shipment id. */
  shipmentId?: string;
  /**
   * The provider transaction the operation acts on, when it is not the payment's own: a Lyra
   * refund names the shipment transaction it refunds.
   */
  targetRef?: string;
  finishedAt?: string;
  /** The provider's id for what it did (Affirm's event id, Lyra's transaction uuid), when it succeeded. */
  providerRef?: string;
  /** Why it failed: a provider error code, or `not_found_at_provider`. */
  failure?: string;
  /** The provider's refusal in neutral terms, when it refused (`declined`: the bank said no). */
  refusal?: RefusalReason;
}

/**
 * The provider reference of a write the provider said it did but whose transaction the hub could
 * not identify: its money counts; the reference may be learnt later (shared/domain/learnt-refs.ts).
 */
export const UNKNOWN_PROVIDER_REF = 'unknown';

/** A provider reference callers may be shown: never the unknown marker. */
export const knownProviderRef = (ref: string | undefined): string | undefined =>
  ref === UNKNOWN_PROVIDER_REF ? undefined : ref;

/** Operation failure meaning "the provider showed no trace of it": a retry of the same request may send it again, with the same provider key. */
export const NOT_FOUND_AT_PROVIDER = 'not_found_at_provider';

export interface RefundRecord {
  refundId: string;
  amount: number;
  createdAt: string;
  reason?: string;
  providerRefundId?: string;
}

/** One shipment debited (or refused) on a payment on shipment. */
export interface ShipmentRecord {
  shipmentId: string;
  amount: number;
  createdAt: string;
  status: 'debited' | 'refused';
  /** The provider's transaction for this debit. */
  providerRef?: string;
  /** What was refunded of this shipment (refunds are spread over shipments). */
  refundedAmount?: number;
}

export type EventDetail = Record<string, string | number | boolean>;

export interface OrderEvent {
  at: string;
  type: string;
  detail?: EventDetail;
}

/** What an order holds whatever its provider. */
export interface OrderCore {
  orderId: string;
  channel: Channel;
  /** The location whose keys may act on the order; admin keys act on every order. */
  location: string;
  amount: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  /** Incremented by every write; the condition of every write that replaces the order's data. */
  version: number;
  /** Fingerprint of the create request, so that a retry of the same request can resume it. */
  requestFingerprint: string;
  /** What the provider authorized (0 until then). */
  authorizedAmount: number;
  /** The hub refuses to capture or debit after this instant. */
  authorizationExpiresAt?: string;
  capturedAmount: number;
  refundedAmount: number;
  reservedAmount: number;
  refundReservedAmount: number;
  capturableAmount: number;
  refundableAmount: number;
  /** Operations running or unresolved: a kind the connector runs alone waits for none. */
  inFlight: number;
  /** The operation that runs alone (exclusive kind) while it is in flight. */
  exclusiveOperationId?: string;
  voidedAt?: string;
  /**
   * The storefront whose checkout this order pays, when it is not the hub's own caller: Snipcart's
   * payment session (flow D), told of the payment once it is authorized.
   */
  storefront?: SnipcartLink;
  /** Every operation, oldest first. */
  operations: Operation[];
  refunds: RefundRecord[];
  shipments: ShipmentRecord[];
  events: OrderEvent[];
}

/** The providers the hub has, with the data each keeps on an order. Lyra joins here. */
export interface ProviderPayments {
  affirm: AffirmPayment;
  lyra: LyraPayment;
}
export type ProviderName = keyof ProviderPayments;

/** An order of provider P: the core, and P's own data in `payment`. */
export type Order<P extends ProviderName = ProviderName> = {
  [K in P]: OrderCore & { provider: K; payment: ProviderPayments[K] };
}[P];

/** A change to write: the order before (its version is the write's condition) and after, and what to append. */
export interface OrderChange {
  previous: Order;
  next: Order;
  events: OrderEvent[];
  /**
   * The provider notification this change applies: recorded as seen in the same write, so that
   * it is applied exactly once (a second delivery fails the write with DuplicateEventError).
   */
  providerEvent?: { provider: ProviderName; eventId: string };
}

/** Builds a change: bumps version and updatedAt, appends the events to the in-memory view. */
export function change<O extends Order>(
  previous: O,
  patch: Partial<O>,
  now: Date,
  events: OrderEvent[],
): OrderChange & { next: O } {
  const next = {
    ...previous,
    ...patch,
    version: previous.version + 1,
    updatedAt: now.toISOString(),
    events: [...previous.events, ...events],
  } as O;
  return { previous, next, events };
}

export function event(now: Date, type: string, detail?: EventDetail): OrderEvent {
  return detail ? { at: now.toISOString(), type, detail } : { at: now.toISOString(), type };
}

export function isPast(instant: string, now: Date): boolean {
  return now.getTime() >= Date.parse(instant);
}

/** The money fields of a new order: nothing authorized, nothing moved. */
export const NO_MONEY_YET = {
  authorizedAmount: 0,
  capturedAmount: 0,
  refundedAmount: 0,
  reservedAmount: 0,
  refundReservedAmount: 0,
  capturableAmount: 0,
  refundableAmount: 0,
  inFlight: 0,
} as const satisfies Partial<OrderCore>;

/** How long an unresolved operation is left to its own request's retry before the reconciler settles it. */
export const UNRESOLVED_GRACE_MS = 2 * 60_000;

/**
 * When the reconciler should settle an operation in flight: when a running one's lease ends (its
 * request is gone), or a little after one became unresolved (the provider may still be applying
 * it, and the request's own retry settles it best); undefined once it ended.
 */
export function operationDueAt(operation: Operation): string | undefined {
  if (operation.state === 'running') return operation.leaseUntil ?? operation.startedAt;
  if (operation.state !== 'unresolved') return undefined;
  return new Date(
    Date.parse(operation.finishedAt ?? operation.startedAt) + UNRESOLVED_GRACE_MS,
  ).toISOString();
}

/** Operations running or unresolved, oldest first. */
export function operationsInFlight(order: Order): Operation[] {
  return order.operations.filter((op) => op.state === 'running' || op.state === 'unresolved');
}

/** The operation in flight, if any (the oldest when several are). */
export function pendingOperation(order: Order): Operation | undefined {
  return operationsInFlight(order)[0];
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
