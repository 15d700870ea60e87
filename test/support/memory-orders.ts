import { withDeltas } from '../../shared/domain/operation-money.ts';
import type { Order } from '../../shared/domain/order.ts';
import { withOperation } from '../../shared/domain/order.ts';
import { providerRefs } from '../../shared/domain/payments.ts';
import {
  type OrderRepository,
  ReservationRefusedError,
  type RidingWrite,
} from '../../shared/domain/ports.ts';
import { ConcurrentUpdateError, DuplicateEventError } from '../../shared/errors.ts';

/**
 * An in-memory OrderRepository with the same contract as the DynamoDB one (version-conditional
 * replacements; operations as atomic counter deltas, conditional on the balances, the exclusive
 * holder and the operation's own state), for unit tests of the domain. The DynamoDB
 * implementation is tested against DynamoDB Local in test/integration.
 */
export function memoryOrders(): OrderRepository & { stored: Map<string, Order>; riders: RidingWrite[] } {
  const stored = new Map<string, Order>();
  const riders: RidingWrite[] = [];
  /** Provider events recorded as applied (the data layer's PROVIDER_EVENT items). */
  const events = new Set<string>();
  const copy = <T>(value: T): T => structuredClone(value);
  const bump = (order: Order, now: Date): Order => ({
    ...order,
    version: order.version + 1,
    updatedAt: now.toISOString(),
  });
  return {
    stored,
    riders,
    async insert(order) {
      const existing = stored.get(order.orderId);
      if (existing) return { created: false, existing: copy(existing) };
      stored.set(order.orderId, copy(order));
      return { created: true };
    },
    async get(orderId) {
      const order = stored.get(orderId);
      return order ? copy(order) : undefined;
    },
    async findByProviderRef(provider, ref) {
      const order = [...stored.values()].find(
        (o) => o.provider === provider && providerRefs(o).includes(ref),
      );
      return order ? copy(order) : undefined;
    },
    async save(change) {
      const current = stored.get(change.previous.orderId);
      if (!current || current.version !== change.previous.version) throw new ConcurrentUpdateError();
      if (change.providerEvent) {
        const seen = `${change.providerEvent.provider}#${change.providerEvent.eventId}`;
        if (events.has(seen))
          throw new DuplicateEventError(change.providerEvent.provider, change.providerEvent.eventId);
        events.add(seen);
      }
      // A replacement keeps the stored lists it does not own (operations, refunds, shipments).
      stored.set(change.next.orderId, copy({ ...change.next, operations: current.operations }));
      return copy(change.next);
    },
    async remove(order) {
      if (stored.get(order.orderId)?.version === order.version) stored.delete(order.orderId);
    },
    async beginOperation(orderId, begin) {
      const current = stored.get(orderId);
      if (!current) throw new ConcurrentUpdateError('no such order');
      const same = current.operations.find((op) => op.operationId === begin.operation.operationId);
      if (same && !(begin.replacesFailed && same.state === 'failed'))
        throw new ReservationRefusedError('exists');
      if (current.exclusiveOperationId || (begin.exclusive && current.inFlight > 0))
        throw new ReservationRefusedError('exclusive_in_flight');
      if (begin.requires && current[begin.requires.balance] < begin.requires.atLeast)
        throw new ReservationRefusedError(current.voidedAt ? 'voided' : 'insufficient');
      const next = withDeltas(bump(current, begin.now), begin.deltas);
      stored.set(orderId, {
        ...next,
        ...(begin.exclusive ? { exclusiveOperationId: begin.operation.operationId } : {}),
        operations: withOperation(current, copy(begin.operation)),
        events: [...current.events, ...begin.events],
      });
    },
    async updateOperation(orderId, update) {
      const current = stored.get(orderId);
      const held = current?.operations.find((op) => op.operationId === update.operation.operationId);
      const refused = { written: false, rode: false };
      if (!current || !held) return refused;
      const { states, owner, leaseEndedBy, providerRef } = update.expected;
      if (!states.includes(held.state)) return refused;
      if (owner !== undefined && held.owner !== owner) return refused;
      if (leaseEndedBy !== undefined && !(held.leaseUntil && held.leaseUntil <= leaseEndedBy)) return refused;
      if (providerRef !== undefined && held.providerRef !== providerRef) return refused;
      const learnt = update.learntRef;
      const touchesRoot =
        update.deltas || update.voidedAt || update.releaseExclusive || update.refund || update.shipment;
      const base = touchesRoot ? withDeltas(bump(current, update.now), update.deltas ?? {}) : current;
      const next: Order = {
        ...base,
        ...(update.voidedAt ? { voidedAt: update.voidedAt } : {}),
        operations: withOperation(current, copy(update.operation)),
        refunds: (update.refund ? [...current.refunds, copy(update.refund)] : current.refunds).map((r) =>
          learnt?.refundId === r.refundId ? { ...r, providerRefundId: learnt.providerRef } : r,
        ),
        shipments: (update.shipment ? [...current.shipments, copy(update.shipment)] : current.shipments).map(
          (s) =>
            update.shipmentRefund?.shipmentId === s.shipmentId
              ? { ...s, refundedAmount: (s.refundedAmount ?? 0) + update.shipmentRefund.amount }
              : learnt?.shipmentId === s.shipmentId
                ? { ...s, providerRef: learnt.providerRef }
                : s,
        ),
        events: [...current.events, ...update.events],
      };
      if (update.releaseExclusive) delete next.exclusiveOperationId;
      stored.set(orderId, next);
      // The rider (an Idempotency-Key's answer) has no store here: it is recorded as riding.
      if (update.riding) riders.push(update.riding);
      return { written: true, rode: update.riding !== undefined };
    },
  };
}
