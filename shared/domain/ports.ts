/**
 * What the domain needs from the outside world, as interfaces: storage of orders, and a
 * connector per payment provider. The data layer and the provider adapters implement them;
 * the domain imports nothing else.
 */

import type { CounterDeltas, Requirement } from './operation-money.ts';
import type {
  Operation,
  OperationKind,
  Order,
  OrderChange,
  OrderEvent,
  ProviderName,
  RefundRecord,
  ShipmentRecord,
} from './order.ts';

/** Reserving an operation: written atomically with the order's counters, or not at all. */
export interface OperationBegin {
  operation: Operation;
  deltas: CounterDeltas;
  requires: Requirement;
  /** The operation runs alone: no other operation may be in flight, and none may start until it ends. */
  exclusive: boolean;
  /**
   * The request's own earlier attempt, which the provider never saw (failed, not found there), is
   * sent again under its id: the stored failed operation may be replaced, nothing else.
   */
  replacesFailed?: boolean;
  events: OrderEvent[];
  now: Date;
}

/**
 * A write the caller asks to ride in the request's last order write, so that both land together
 * or neither does (the Idempotency-Key's stored answer). Opaque to the domain: the data layer
 * built it and alone reads it.
 */
export interface RidingWrite {
  readonly item: unknown;
  /** Set by the data layer once the rider was written with the order. */
  rode?: boolean;
}

/** Builds the riding write from the order and operation the request is about to answer with. */
export type RidingWriteFor = (order: Order, operation: Operation | undefined) => RidingWrite;

/** Moving an operation on: written only if the stored operation is still as `expected`. */
export interface OperationUpdate {
  operation: Operation;
  expected: {
    states: Operation['state'][];
    owner?: string;
    leaseEndedBy?: string;
    /** The provider reference the stored operation still has (a learnt one replaces only this). */
    providerRef?: string;
  };
  deltas?: CounterDeltas;
  voidedAt?: string;
  /** The operation held the order alone and ends now. */
  releaseExclusive?: boolean;
  events: OrderEvent[];
  refund?: RefundRecord;
  shipment?: ShipmentRecord;
  /** A refund of one shipment: adds to what was refunded of it. */
  shipmentRefund?: { shipmentId: string; amount: number };
  /**
   * The provider reference of a finished operation, learnt after it was recorded as unknown:
   * replaces the unknown one on its shipment or refund record as well.
   */
  learntRef?: { providerRef: string; unknownRef: string; shipmentId?: string; refundId?: string };
  /** Rides along if it can; the step is written without it when only the rider's condition fails. */
  riding?: RidingWrite;
  now: Date;
}

/** Why a reservation was not written. */
export type ReservationRefusal =
  | 'insufficient' // the balance it needs is not available
  | 'exclusive_in_flight' // an operation that runs alone holds the order, or this one must run alone and others are in flight
  | 'exists' // an operation with this id exists already (a debit for this shipment id)
  | 'voided'; // the authorization was voided

export class ReservationRefusedError extends Error {
  constructor(readonly reason: ReservationRefusal) {
    super(`reservation refused: ${reason}`);
    this.name = 'ReservationRefusedError';
  }
}

/**
 * Storage of orders. Changes that replace order data are conditional on the version read
 * (a lost race is ConcurrentUpdateError: re-read and decide again); operations move money
 * with atomic counter deltas conditional on the balances and on the operation's own state,
 * so concurrent operations on one order do not turn each other away.
 */
export interface OrderRepository {
  /** Stores a new order if its id is free; otherwise returns the stored one untouched. */
  insert(order: Order): Promise<{ created: true } | { created: false; existing: Order }>;
  get(orderId: string): Promise<Order | undefined>;
  /**
   * The order a provider reference belongs to (an Affirm checkout id...), read strongly
   * consistently: a webhook or an associate may come milliseconds after the order was written.
   */
  findByProviderRef(provider: ProviderName, ref: string): Promise<Order | undefined>;
  /**
   * Writes change.next and its events if the stored version is still change.previous.version,
   * with the rider when given (written without it if only the rider's condition fails).
   */
  save(change: OrderChange, riding?: RidingWrite): Promise<Order>;
  /** Deletes an order reservation if its version is unchanged (a create the provider refused). */
  remove(order: Order): Promise<void>;
  /** Records a new operation and its reservation. Throws ReservationRefusedError. */
  beginOperation(orderId: string, begin: OperationBegin): Promise<void>;
  /**
   * Moves an operation on. Returns `written: false`, writing nothing, when it is no longer as
   * expected; `rode` tells whether the riding write was written with it.
   */
  updateOperation(orderId: string, update: OperationUpdate): Promise<{ written: boolean; rode: boolean }>;
}

/** The sweeps' lists (eventually consistent: every order listed is re-read before anything is done to it). */
export interface SweepRepository {
  /** Orders whose payment the reconciler should ask its provider about now. */
  ordersDueForProviderLook(now: Date, limit?: number): Promise<string[]>;
  /** Orders with an operation in flight past its due time. */
  ordersWithOperationsDue(now: Date, limit?: number): Promise<string[]>;
  /** Orders with an authorization (not fully captured, not voided when listed) expiring by `until`. */
  authorizationsExpiringBy(until: Date, limit?: number): Promise<string[]>;
}

/** What a provider did for an operation. */
export interface ProviderEffect {
  /** The provider's id for it (event id, transaction uuid); `unknown` when only totals show it. */
  providerRef: string;
  amount?: number;
}

/**
 * Why a provider definitely refused (it answered, and did nothing). An unknown outcome (5xx,
 * timeout, reset) is a ProviderUnavailableError instead, never one of these.
 *
 *   kind         what the hub can do about it, the one input of the mapping to the hub's errors:
 *     user         the request itself is wrong for the provider (PROVIDER_REJECTED)
 *     business     the provider's rules refuse it now (the reason says which)
 *     technical    the provider failed without acting (PROVIDER_UNAVAILABLE; retry later)
 *     in_progress  the provider is still working on this very request (unknown outcome)
 *     credentials  the merchant's keys were refused (PROVIDER_UNAVAILABLE; an operator must act)
 */
export type RefusalReason =
  | 'invalid_request'
  | 'declined'
  | 'not_confirmed'
  | 'expired'
  | 'already_applied'
  | 'amount_exceeded'
  | 'not_allowed'
  | 'not_found'
  | 'technical'
  | 'in_progress'
  | 'credentials';

export type RefusalKind = 'user' | 'business' | 'technical' | 'in_progress' | 'credentials';

export class ProviderRefusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    /** The provider's own code, for logs and the order's event log. Never customer data. */
    readonly providerCode: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderRefusal';
  }

  get kind(): RefusalKind {
    switch (this.reason) {
      case 'invalid_request':
        return 'user';
      case 'technical':
      case 'in_progress':
      case 'credentials':
        return this.reason;
      default:
        return 'business';
    }
  }
}

/**
 * How a write whose answer was lost, and of which the provider shows no trace yet, is settled.
 * A read right after a timeout proves nothing: the provider may still apply the lost request
 * (it was slow, not gone), and a write the hub then dropped or sent again would be money moved
 * that the hub does not record, or moved twice.
 *   idempotent  the provider applies a provider key at most once (Affirm's Idempotency-Key): the
 *               write is sent again under its key by whoever settles it, which makes the outcome
 *               definite at once; the lost request, if it arrives late, is a replay.
 *   quietMs     no provider key (Lyra): "no trace" counts only once quietMs have passed since
 *               the write was last sent; until then the operation stays unresolved (its money
 *               reserved, exclusive kinds waiting), then it is dropped, or sent again by its own
 *               request.
 */
export type UnknownOutcomePolicy = { resend: 'idempotent' } | { quietMs: number };

/** What a provider offers for operations on an authorized order. */
export interface ConnectorCapabilities {
  unknownOutcome: UnknownOutcomePolicy;
  /** `full`: one capture of the whole authorization (Affirm without split capture); `none`: no capture. */
  capture: 'full' | 'none';
  /** Debits per shipment (Lyra payment on shipment). */
  debit: boolean;
}

/**
 * One provider's side of the operation saga. Every provider implements it; the saga
 * (shared/domain/operations.ts) is written once against it.
 */
export interface PaymentConnector {
  readonly provider: ProviderName;
  readonly capabilities: ConnectorCapabilities;
  /**
   * Kinds that must not overlap any other operation on the same order. Affirm allows one
   * write at a time on a loan; a provider without that limit lists none, and its operations
   * run concurrently, each on its own reservation.
   */
  readonly exclusiveKinds: ReadonlySet<OperationKind>;
  /**
   * Sends the operation. Safe to repeat for the same operation: the provider key is derived
   * from operationId. Throws ProviderRefusal (definitely not applied) or
   * ProviderUnavailableError (outcome unknown).
   */
  execute(order: Order, operation: Operation): Promise<ProviderEffect>;
  /**
   * Reads the provider to find whether the operation took effect: its effect, or undefined
   * when there is none. Throws when the provider cannot be read.
   */
  findLanded(order: Order, operation: Operation): Promise<ProviderEffect | undefined>;
  /**
   * For a succeeded operation recorded with an unknown provider reference (the provider said it
   * was done but the hub could not tell which transaction was its): the reference, when reading
   * the provider now names it; undefined when it still cannot. Only reads.
   */
  identify?(order: Order, operation: Operation): Promise<string | undefined>;
}

/** Finds the connector of an order's provider. */
export type ConnectorFor = (provider: ProviderName) => PaymentConnector;
