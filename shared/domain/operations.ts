/**
 * The saga every provider's money movement goes through (capture, debit, refund, void):
 *
 *   begin       record the operation `running` and reserve its amount, atomically with the
 *               order's balances (a reservation each: concurrent operations never exceed them)
 *   execute     the provider's connector sends it, under a provider key derived from operationId
 *   complete    the provider said yes: the reservation becomes money moved        (conditional)
 *   abandon     the provider said no, or shows no trace of it: released           (conditional)
 *   unresolved  no answer (5xx, timeout, reset): the operation keeps its reservation
 *
 * An unresolved (or crashed, lease-expired) operation is settled by reading the provider,
 * never by sending again blindly: if the effect is there it is recorded. If not, the provider
 * may still be about to apply it, and the connector's UnknownOutcomePolicy decides: a provider
 * that applies its key once gets it again under the same key, whoever settles it; one without
 * keys keeps it unresolved until it can no longer apply it, then its own request sends it again
 * and any other request abandons it. Every operation stays on the order with the caller's key,
 * so a retry finds its own operation, whoever finished it, and answers with it.
 *
 * Kinds the connector marks exclusive (Affirm: all) run alone on an order; the others run
 * concurrently, each on its own reservation, and only wait for an exclusive one.
 */

import {
  ConcurrentUpdateError,
  DeclinedError,
  ExpiredError,
  HubError,
  NotFoundError,
  ProviderRejectedError,
  ProviderUnavailableError,
  StateConflictError,
} from '../errors.ts';
import { newId } from '../ids.ts';
import { reservation, settlement, withDeltas } from './operation-money.ts';
import {
  event,
  isPast,
  NOT_FOUND_AT_PROVIDER,
  type Operation,
  type OperationKind,
  type Order,
  operationDueAt,
  operationOfRequest,
  operationsInFlight,
  withOperation,
} from './order.ts';
import {
  type ConnectorFor,
  type OperationUpdate,
  type OrderRepository,
  type PaymentConnector,
  type ProviderEffect,
  ProviderRefusal,
  type RefusalReason,
  ReservationRefusedError,
  type RidingWriteFor,
} from './ports.ts';

/** Longer than the function timeout: a running operation's owner is surely gone after this. */
export const OPERATION_LEASE_MS = 60_000;

/** Rounds of "settle, decide, reserve" before a request on a very busy order gives up (retryable). */
const MAX_ROUNDS = 8;

export interface SagaDeps {
  orders: OrderRepository;
  connectors: ConnectorFor;
}

export interface OperationSpec {
  kind: OperationKind;
  amount: number;
  reason?: string;
  shipmentId?: string;
  /** The provider transaction it acts on (a Lyra refund: the shipment's debit). */
  targetRef?: string;
  /** An id the request chose (a shipment's, derived from its id, so that racing requests share it). */
  operationId?: string;
}

/** The order after a request, and the operation the request performed or found done for it. */
export interface OperationOutcome {
  order: Order;
  operation?: Operation;
}

/** Builds the write that rides in the step finishing the request's own operation. */
type Rider = RidingWriteFor;

/**
 * What a request decides on the settled order: the operation to run, or `undefined` when
 * nothing needs doing. `retry` is the request's own earlier operation that the provider never
 * saw: the request re-runs it (same amount, same id). Throws the hub's error when the rules refuse.
 */
export type Decide = (
  order: Order,
  connector: PaymentConnector,
  retry: Operation | undefined,
) => OperationSpec | undefined;

export interface OperationRequest {
  orderId: string;
  kind: OperationKind;
  /** The caller's scoped Idempotency-Key: a retry with it finds the operation it started. */
  requestKey?: string;
  /** Loads the order as the caller may see it (NotFoundError otherwise). */
  load(): Promise<Order>;
  /**
   * Asks for a write to ride in the step that finishes the request's own operation (the
   * Idempotency-Key's stored answer, built from the order and operation the request answers with).
   */
  riding?: RidingWriteFor;
}

/**
 * Runs one request through the saga: settles what stands in its way, decides on the settled
 * order, reserves and executes. A reservation lost to a concurrent request (the balance moved,
 * an exclusive operation started) is decided again on the fresh order, so each request is
 * answered on its merits, never turned away because another is in flight.
 */
export async function performOperation(
  deps: SagaDeps,
  request: OperationRequest,
  decide: Decide,
  now: Date,
): Promise<OperationOutcome> {
  const rider = request.riding;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const loaded = await request.load();
    const connector = deps.connectors(loaded.provider);
    const prepared = await prepare(deps, connector, loaded, request, rider, now);
    if ('done' in prepared) return prepared.done;
    const { order, retry } = prepared;
    const spec = decide(order, connector, retry);
    if (!spec) return { order };
    const operation: Operation = {
      ...spec,
      operationId: retry?.operationId ?? spec.operationId ?? newId(spec.kind === 'refund' ? 'rf' : 'op'),
      // A retry is the same operation: it began when it was first sent (how old a provider
      // transaction may be and still be its own counts from then).
      startedAt: retry?.startedAt ?? now.toISOString(),
      state: 'running',
      owner: newId('own'),
      leaseUntil: lease(now),
      ...(request.requestKey ? { requestKey: request.requestKey } : {}),
    };
    const begun = await begin(deps, connector, order, operation, retry !== undefined, now);
    if (!begun) continue;
    // Dropped once for lack of a trace, it may have landed since at a provider without keys
    // (later than its quiet period): sending it again would move the money twice.
    const landedSince =
      retry && 'quietMs' in connector.capabilities.unknownOutcome
        ? await findLanded(deps, connector, begun, operation, now)
        : undefined;
    if (landedSince)
      return outcome(await complete(deps, connector, begun, operation, landedSince, rider, now), operation);
    return outcome(await execute(deps, connector, begun, operation, rider, now), operation);
  }
  throw inProgress();
}

type Prepared = { done: OperationOutcome } | { order: Order; retry?: Operation };

/**
 * Brings the order to a state where the request can decide: its own operation finished if it
 * has one, and any operation it must wait for settled.
 */
async function prepare(
  deps: SagaDeps,
  connector: PaymentConnector,
  order: Order,
  request: OperationRequest,
  rider: Rider | undefined,
  now: Date,
): Promise<Prepared> {
  let current = order;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const own = ownOperation(current, request);
    if (own?.state === 'succeeded') return { done: { order: current, operation: own } };
    const blocker = blockerOf(current, connector, request.kind, own);
    if (!blocker) {
      const retry = own?.state === 'failed' && own.failure === NOT_FOUND_AT_PROVIDER ? own : undefined;
      return retry ? { order: current, retry } : { order: current };
    }
    const isOwn = blocker === own;
    const settled = await settle(deps, connector, current, blocker, isOwn, isOwn ? rider : undefined, now);
    if ('done' in settled) return settled;
    current = settled.order;
  }
  throw inProgress();
}

/** The request's own operation (same key, same kind), if it started one. */
function ownOperation(order: Order, request: OperationRequest): Operation | undefined {
  const own = operationOfRequest(order, request.requestKey);
  return own?.kind === request.kind ? own : undefined;
}

/**
 * The in-flight operation the request must settle before it decides: its own first; then,
 * for an exclusive kind, any operation in flight; for another kind, an exclusive one only.
 */
function blockerOf(
  order: Order,
  connector: PaymentConnector,
  kind: OperationKind,
  own: Operation | undefined,
): Operation | undefined {
  const inFlight = operationsInFlight(order);
  if (own && inFlight.includes(own)) return own;
  if (connector.exclusiveKinds.has(kind)) return inFlight[0];
  return inFlight.find((op) => connector.exclusiveKinds.has(op.kind));
}

/**
 * Settles one in-flight operation: takes it over (unless its owner still holds its lease),
 * reads the provider, then records what landed, re-sends its own, or abandons another's.
 */
async function settle(
  deps: SagaDeps,
  connector: PaymentConnector,
  order: Order,
  operation: Operation,
  isOwn: boolean,
  /** The request's rider, when the operation is its own: the step that finishes it carries it. */
  rider: Rider | undefined,
  now: Date,
): Promise<Prepared> {
  if (operation.state === 'running' && operation.leaseUntil && !isPast(operation.leaseUntil, now))
    throw inProgress();
  const taken: Operation = { ...operation, state: 'running', owner: newId('own'), leaseUntil: lease(now) };
  const took = await deps.orders.updateOperation(order.orderId, {
    operation: taken,
    expected: {
      states: [operation.state],
      ...(operation.owner ? { owner: operation.owner } : {}),
      ...(operation.state === 'running' ? { leaseEndedBy: now.toISOString() } : {}),
    },
    events: [],
    now,
  });
  if (!took.written) return { order: await reload(deps, order) };
  const current = { ...order, operations: withOperation(order, taken) };
  const landed = await findLanded(deps, connector, current, taken, now);
  if (landed) {
    const completed = await complete(deps, connector, current, taken, landed, rider, now);
    return isOwn ? { done: outcome(completed, taken) } : { order: completed };
  }
  // No trace of it yet (UnknownOutcomePolicy): the provider may still apply the lost request.
  const policy = connector.capabilities.unknownOutcome;
  if ('resend' in policy) {
    if (isOwn) return { done: outcome(await execute(deps, connector, current, taken, rider, now), taken) };
    return { order: await resendAnothers(deps, connector, current, taken, now) };
  }
  const sentBy = lastSentBy(operation);
  const quietUntil = new Date(Date.parse(sentBy) + policy.quietMs);
  if (!isPast(quietUntil.toISOString(), now)) {
    await leaveUnresolved(deps, current, taken, sentBy, now);
    throw stillUnknown(quietUntil, now);
  }
  if (isOwn) return { done: outcome(await execute(deps, connector, current, taken, rider, now), taken) };
  return { order: await abandon(deps, connector, current, taken, now, NOT_FOUND_AT_PROVIDER) };
}

/**
 * Another request's operation, sent again under its provider key (an idempotent provider): the
 * order once it is settled either way; OPERATION_IN_PROGRESS while its outcome is still unknown.
 */
async function resendAnothers(
  deps: SagaDeps,
  connector: PaymentConnector,
  order: Order,
  taken: Operation,
  now: Date,
): Promise<Order> {
  try {
    return await execute(deps, connector, order, taken, undefined, now);
  } catch (error) {
    // A refusal of it is that operation's answer, not this request's: execute recorded it.
    if (!(error instanceof HubError)) throw error;
    const fresh = await reload(deps, order);
    const state = fresh.operations.find((op) => op.operationId === taken.operationId)?.state;
    if (state === 'failed' || state === 'succeeded') return fresh;
    throw inProgress();
  }
}

/**
 * When the operation was last sent, at the latest: an unresolved one when its request gave up
 * (markUnresolved's finishedAt), a running one whose owner is gone before its lease ended.
 */
function lastSentBy(operation: Operation): string {
  if (operation.state === 'running') return operation.leaseUntil ?? operation.startedAt;
  return operation.finishedAt ?? operation.startedAt;
}

/** Hands a taken-over operation back, unresolved, keeping when it was last sent (its quiet period's start). */
async function leaveUnresolved(
  deps: SagaDeps,
  order: Order,
  taken: Operation,
  sentBy: string,
  now: Date,
): Promise<void> {
  const operation: Operation = {
    ...taken,
    state: 'unresolved',
    owner: undefined,
    leaseUntil: undefined,
    finishedAt: sentBy,
  };
  await transition(deps, order, { operation, events: [] }, taken, now);
}

/**
 * The reconciler's part of the saga: settles every operation of the order that is in flight past
 * its due time (its request is gone, or its outcome stayed unknown a while), by reading the
 * provider: recorded if it landed; else as the connector's UnknownOutcomePolicy says (sent again
 * under its key, or released once the provider can no longer apply it, left for a later sweep
 * until then). Returns how many it settled. An operation another request is settling meanwhile
 * is left to it.
 */
export async function settleDueOperations(deps: SagaDeps, order: Order, now: Date): Promise<number> {
  const connector = deps.connectors(order.provider);
  let current = order;
  let settled = 0;
  for (const operation of operationsInFlight(order)) {
    const due = operationDueAt(operation);
    if (!due || !isPast(due, now)) continue;
    const fresh = current.operations.find((op) => op.operationId === operation.operationId);
    if (!fresh || (fresh.state !== 'running' && fresh.state !== 'unresolved')) continue;
    try {
      const result = await settle(deps, connector, current, fresh, false, undefined, now);
      if ('order' in result) current = result.order;
      settled += 1;
    } catch (error) {
      // Still running under a live lease, or the provider unreadable: the next sweep tries again.
      if (!(error instanceof HubError && error.retryable)) throw error;
    }
  }
  return settled;
}

/** Reserves and records the operation. Undefined when a concurrent change took what it needed: decide again. */
async function begin(
  deps: SagaDeps,
  connector: PaymentConnector,
  order: Order,
  operation: Operation,
  replacesFailed: boolean,
  now: Date,
): Promise<Order | undefined> {
  const { deltas, requires } = reservation(operation);
  const exclusive = connector.exclusiveKinds.has(operation.kind);
  try {
    await deps.orders.beginOperation(order.orderId, {
      operation,
      deltas,
      requires,
      exclusive,
      replacesFailed,
      events: [],
      now,
    });
  } catch (error) {
    if (error instanceof ReservationRefusedError || error instanceof ConcurrentUpdateError) return undefined;
    throw error;
  }
  return {
    ...withDeltas(order, deltas),
    ...(exclusive ? { exclusiveOperationId: operation.operationId } : {}),
    operations: withOperation(order, operation),
  };
}

async function execute(
  deps: SagaDeps,
  connector: PaymentConnector,
  order: Order,
  operation: Operation,
  rider: Rider | undefined,
  now: Date,
): Promise<Order> {
  let effect: ProviderEffect;
  try {
    effect = await connector.execute(order, operation);
  } catch (error) {
    if (!(error instanceof ProviderRefusal)) {
      await markUnresolved(deps, order, operation, now);
      throw error;
    }
    if (error.kind === 'in_progress') {
      // The provider is still working on this very key: the outcome is unknown, not refused.
      await markUnresolved(deps, order, operation, now);
      throw inProgress();
    }
    if (error.reason === 'already_applied') {
      const landed = await findLanded(deps, connector, order, operation, now);
      if (landed) return complete(deps, connector, order, operation, landed, rider, now);
    }
    await abandon(deps, connector, order, operation, now, error.providerCode, error.reason);
    throw hubErrorFor(operation, error);
  }
  return complete(deps, connector, order, operation, effect, rider, now);
}

async function findLanded(
  deps: SagaDeps,
  connector: PaymentConnector,
  order: Order,
  operation: Operation,
  now: Date,
): Promise<ProviderEffect | undefined> {
  try {
    return await connector.findLanded(order, operation);
  } catch (error) {
    await markUnresolved(deps, order, operation, now);
    if (error instanceof ProviderRefusal) {
      throw new ProviderUnavailableError(
        'The provider could not confirm the outcome of an earlier operation.',
        {
          cause: error,
          publicDetail:
            'The payment provider could not confirm the outcome of an earlier operation on this order.',
        },
      );
    }
    throw error;
  }
}

/**
 * Writes `update` for the operation as this request holds it, with the rider when given (it is
 * built from the order the request will answer with); on a lost race, the order as it now is.
 */
async function transition(
  deps: SagaDeps,
  order: Order,
  update: Omit<OperationUpdate, 'expected' | 'now' | 'riding'>,
  held: Operation,
  now: Date,
  rider?: Rider,
): Promise<Order> {
  const next = {
    ...withDeltas(order, update.deltas ?? {}),
    updatedAt: now.toISOString(),
    operations: withOperation(order, update.operation),
    events: [...order.events, ...update.events],
    refunds: update.refund ? [...order.refunds, update.refund] : order.refunds,
    shipments: (update.shipment ? [...order.shipments, update.shipment] : order.shipments).map((s) =>
      update.shipmentRefund?.shipmentId === s.shipmentId
        ? { ...s, refundedAmount: (s.refundedAmount ?? 0) + update.shipmentRefund.amount }
        : s,
    ),
    ...(update.voidedAt ? { voidedAt: update.voidedAt } : {}),
  };
  if (update.releaseExclusive) delete next.exclusiveOperationId;
  const { written } = await deps.orders.updateOperation(order.orderId, {
    ...update,
    expected: { states: ['running'], ...(held.owner ? { owner: held.owner } : {}) },
    ...(rider ? { riding: rider(next, update.operation) } : {}),
    now,
  });
  if (!written) return reload(deps, order);
  return next;
}

function complete(
  deps: SagaDeps,
  connector: PaymentConnector,
  order: Order,
  held: Operation,
  effect: ProviderEffect,
  rider: Rider | undefined,
  now: Date,
): Promise<Order> {
  const done: Operation = {
    ...held,
    state: 'succeeded',
    owner: undefined,
    leaseUntil: undefined,
    finishedAt: now.toISOString(),
    providerRef: effect.providerRef,
  };
  const detail = { operationId: held.operationId, amount: held.amount, providerRef: effect.providerRef };
  return transition(
    deps,
    order,
    {
      operation: done,
      deltas: settlement(held, 'succeeded'),
      releaseExclusive: connector.exclusiveKinds.has(held.kind),
      events: [event(now, `${held.kind}.succeeded`, detail)],
      ...(held.kind === 'void' ? { voidedAt: now.toISOString() } : {}),
      ...(held.kind === 'refund'
        ? {
            refund: {
              refundId: held.operationId,
              amount: held.amount,
              createdAt: now.toISOString(),
              providerRefundId: effect.providerRef,
              ...(held.reason ? { reason: held.reason } : {}),
            },
          }
        : {}),
      ...shipmentRefundOf(order, held),
      ...(held.kind === 'debit' && held.shipmentId
        ? {
            shipment: {
              shipmentId: held.shipmentId,
              amount: held.amount,
              createdAt: now.toISOString(),
              status: 'debited' as const,
              providerRef: effect.providerRef,
            },
          }
        : {}),
    },
    held,
    now,
    rider,
  );
}

/** A refund of a shipment's transaction (a Lyra refund) adds to that shipment's refunded amount. */
function shipmentRefundOf(order: Order, held: Operation): Pick<OperationUpdate, 'shipmentRefund'> {
  if (held.kind !== 'refund' || !held.targetRef) return {};
  const shipment = order.shipments.find((s) => s.providerRef === held.targetRef);
  return shipment ? { shipmentRefund: { shipmentId: shipment.shipmentId, amount: held.amount } } : {};
}

function abandon(
  deps: SagaDeps,
  connector: PaymentConnector,
  order: Order,
  held: Operation,
  now: Date,
  why: string,
  /** The provider's refusal, in neutral terms, when it refused (absent: no trace of it at the provider). */
  refusal?: RefusalReason,
): Promise<Order> {
  const failed: Operation = {
    ...held,
    state: 'failed',
    owner: undefined,
    leaseUntil: undefined,
    finishedAt: now.toISOString(),
    failure: why,
    ...(refusal ? { refusal } : {}),
  };
  // A shipment the bank refused is kept as such: the caller asks again with its id and gets that answer.
  const refusedShipment =
    held.kind === 'debit' && held.shipmentId && refusal === 'declined'
      ? {
          shipment: {
            shipmentId: held.shipmentId,
            amount: held.amount,
            createdAt: now.toISOString(),
            status: 'refused' as const,
          },
        }
      : {};
  return transition(
    deps,
    order,
    {
      operation: failed,
      deltas: settlement(held, 'failed'),
      releaseExclusive: connector.exclusiveKinds.has(held.kind),
      events: [event(now, `${held.kind}.failed`, { operationId: held.operationId, reason: why })],
      ...refusedShipment,
    },
    held,
    now,
  );
}

async function markUnresolved(deps: SagaDeps, order: Order, held: Operation, now: Date): Promise<void> {
  try {
    await transition(
      deps,
      order,
      {
        operation: {
          ...held,
          state: 'unresolved',
          owner: undefined,
          leaseUntil: undefined,
          finishedAt: now.toISOString(),
        },
        events: [event(now, `${held.kind}.outcome_unknown`, { operationId: held.operationId })],
      },
      held,
      now,
    );
  } catch {
    // If even this write fails, the lease runs out and the next request settles the operation.
  }
}

function outcome(order: Order, operation: Operation): OperationOutcome {
  const stored = order.operations.find((op) => op.operationId === operation.operationId);
  return stored ? { order, operation: stored } : { order };
}

async function reload(deps: SagaDeps, order: Order): Promise<Order> {
  const fresh = await deps.orders.get(order.orderId);
  if (!fresh) throw new NotFoundError('The order');
  return fresh;
}

/** The hub's error for a provider's definite refusal of an operation: written once, for every provider. */
export function hubErrorFor(operation: Pick<Operation, 'kind'>, refusal: ProviderRefusal): HubError {
  const what = `The payment provider refused the ${operation.kind}`;
  switch (refusal.reason) {
    case 'expired':
      return new ExpiredError(
        'AUTHORIZATION_EXPIRED',
        'The authorization has expired at the payment provider.',
      );
    case 'amount_exceeded':
      return operation.kind === 'refund'
        ? new StateConflictError('AMOUNT_EXCEEDS_CAPTURED', `${what}: more than was captured.`)
        : new StateConflictError('AMOUNT_EXCEEDS_REMAINING', `${what}: more than remains authorized.`);
    case 'declined':
      return new DeclinedError(`${what}: declined.`);
    case 'already_applied':
    case 'not_allowed':
    case 'not_found':
    case 'not_confirmed':
      return new StateConflictError('INVALID_STATE', `${what}: ${refusal.message}`);
    case 'technical':
    case 'credentials':
    case 'in_progress':
      return new ProviderUnavailableError(`${what} (${refusal.providerCode}).`, {
        cause: refusal,
        publicDetail:
          refusal.reason === 'credentials'
            ? 'The payment provider refused the merchant credentials.'
            : 'The payment provider failed without acting on the request.',
      });
    case 'invalid_request':
      return new ProviderRejectedError(`${what}: ${refusal.message}`, { cause: refusal });
  }
}

function inProgress(): StateConflictError {
  return new StateConflictError('OPERATION_IN_PROGRESS', 'Another operation on this order is in progress.', {
    retryable: true,
  });
}

/** An earlier write's outcome is not known yet and cannot be until `until`: retry then. */
function stillUnknown(until: Date, now: Date): StateConflictError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new StateConflictError(
    'OPERATION_IN_PROGRESS',
    `The outcome of an earlier operation on this order is not known yet: the payment provider may still apply it. Retry after ${until.toISOString()}.`,
    { retryable: true, headers: { 'retry-after': String(seconds) } },
  );
}

function lease(now: Date): string {
  return new Date(now.getTime() + OPERATION_LEASE_MS).toISOString();
}
