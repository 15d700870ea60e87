import { ConcurrentUpdateError, NotFoundError, StateConflictError, ValidationError } from '../errors.ts';
import { type Caller, canSeeLocation } from './caller.ts';
import type { Order, OrderChange } from './order.ts';
import { isBeingCreated } from './payments.ts';
import type { OrderRepository, RidingWriteFor } from './ports.ts';

/**
 * The order as the caller may see it. Another location's order, and an order whose
 * creation never completed, are reported as not found so that ids cannot be probed.
 */
export function visibleOrder(order: Order | undefined, caller: Caller): Order {
  if (!order || !canSeeLocation(caller, order.location) || isBeingCreated(order)) {
    throw new NotFoundError('The order');
  }
  return order;
}

export async function loadVisibleOrder(
  orders: OrderRepository,
  orderId: string,
  caller: Caller,
): Promise<Order> {
  return visibleOrder(await orders.get(orderId), caller);
}

/**
 * A loader whose first call answers `order`, already read for this request, and every later
 * call (a lost race, a reload) reads again: one round trip saved, freshness kept where it counts.
 */
export function startingWith<T>(order: T, load: () => Promise<T>): () => Promise<T> {
  let first: T | undefined = order;
  return () => {
    const answer = first;
    first = undefined;
    return answer === undefined ? load() : Promise.resolve(answer);
  };
}

/** A request that names a currency must name the order's: 400 otherwise, before anything moves. */
export function requireOrderCurrency(order: Order, currency: string | undefined): void {
  if (currency === undefined || currency === order.currency) return;
  throw new ValidationError('The request body is not valid.', [
    { path: 'currency', message: `must be the order's currency (${order.currency}) or be omitted` },
  ]);
}

const MAX_ATTEMPTS = 4;

/**
 * Applies `decide` to the order and saves the change conditionally. When another writer
 * got there first, re-reads and decides again on the fresh order: `decide` returns
 * undefined when nothing needs writing any more. Gives up with OPERATION_IN_PROGRESS
 * after a few lost races (a hot order), which the caller may retry.
 */
export async function updateOrder(
  orders: OrderRepository,
  order: Order,
  decide: (current: Order) => OrderChange | undefined,
  /** A write to ride in the change that is written (the request's stored answer). */
  riding?: RidingWriteFor,
): Promise<Order> {
  let current = order;
  for (let attempt = 1; ; attempt++) {
    const change = decide(current);
    if (!change) return current;
    try {
      return await orders.save(change, riding?.(change.next, undefined));
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) {
        if (error instanceof ConcurrentUpdateError) {
          throw new StateConflictError(
            'OPERATION_IN_PROGRESS',
            'The order is being changed by another request.',
            {
              retryable: true,
            },
          );
        }
        throw error;
      }
      const fresh = await orders.get(order.orderId);
      if (!fresh) throw new NotFoundError('The order');
      current = fresh;
    }
  }
}
