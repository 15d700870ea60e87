import type { Order, OrderChange } from './order.ts';

/**
 * Storage of orders. Every write is conditional on the version read, so a lost race
 * surfaces as ConcurrentUpdateError and the caller decides again on fresh state.
 */
export interface OrderRepository {
  /** Stores a new order if its id is free; otherwise returns the stored one untouched. */
  insert(order: Order): Promise<{ created: true } | { created: false; existing: Order }>;
  get(orderId: string): Promise<Order | undefined>;
  /**
   * The order a provider reference belongs to (an Affirm checkout id...), read strongly
   * consistently: a webhook or an associate may come milliseconds after the order was written.
   */
  findByProviderRef(provider: 'affirm', ref: string): Promise<Order | undefined>;
  /** Writes change.next and its events if the stored version is still change.previous.version. */
  save(change: OrderChange): Promise<Order>;
  /** Deletes an order reservation if its version is unchanged (a create the provider refused). */
  remove(order: Order): Promise<void>;
}
