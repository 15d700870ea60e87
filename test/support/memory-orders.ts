import type { Order } from '../../shared/domain/order.ts';
import type { OrderRepository } from '../../shared/domain/ports.ts';
import { ConcurrentUpdateError } from '../../shared/errors.ts';

/**
 * An in-memory OrderRepository with the same contract as the DynamoDB one (version-conditional
 * writes), for unit tests of the domain. The DynamoDB implementation is tested against
 * DynamoDB Local in test/integration.
 */
export function memoryOrders(): OrderRepository & { stored: Map<string, Order> } {
  const stored = new Map<string, Order>();
  const copy = <T>(value: T): T => structuredClone(value);
  return {
    stored,
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
    async findByProviderRef(_provider, checkoutId) {
      const order = [...stored.values()].find((o) => o.checkout.checkoutId === checkoutId);
      return order ? copy(order) : undefined;
    },
    async save(change) {
      const current = stored.get(change.previous.orderId);
      if (!current || current.version !== change.previous.version) throw new ConcurrentUpdateError();
      stored.set(change.next.orderId, copy(change.next));
      return copy(change.next);
    },
    async remove(order) {
      if (stored.get(order.orderId)?.version === order.version) stored.delete(order.orderId);
    },
  };
}
