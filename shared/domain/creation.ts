/**
 * Opening a payment at a provider, for every provider: the order id is reserved first (an insert
 * that only one request wins), the provider is asked, and the answer recorded. The reservation
 * carries a lease: a retry of the very same request (same body fingerprint) whose first attempt
 * ended without an answer may take it over once the lease ran out, or at once when that attempt
 * gave its lease back. Anything else naming the id is ORDER_EXISTS.
 */

import { StateConflictError } from '../errors.ts';
import { change, isPast, type Order } from './order.ts';
import type { OrderRepository } from './ports.ts';

/** How long a create attempt owns its reservation before a retry may take it over. */
export const CREATE_LEASE_MS = 30_000;

export const createLeaseFrom = (now: Date): string => new Date(now.getTime() + CREATE_LEASE_MS).toISOString();

/** How a provider keeps its reservation: whether it is still being created, its lease, and a new lease. */
export interface Reservation<O extends Order> {
  /** The stored order as this provider's, if it is one still being created; else undefined. */
  creating(stored: Order): { order: O; leaseUntil: string | undefined } | undefined;
  withLease(order: O, leaseUntil: string): Partial<O>;
}

/** Takes over a reservation left by an attempt of the very same request (see the header). */
export async function resumeCreation<O extends Order>(
  orders: OrderRepository,
  stored: Order,
  reservation: Reservation<O>,
  command: { orderId: string; fingerprint: string },
  now: Date,
): Promise<O> {
  const creating = reservation.creating(stored);
  if (!creating || stored.requestFingerprint !== command.fingerprint)
    throw new StateConflictError('ORDER_EXISTS', `Order ${command.orderId} already exists.`);
  if (creating.leaseUntil && !isPast(creating.leaseUntil, now)) {
    throw new StateConflictError('OPERATION_IN_PROGRESS', 'This order is being created by another request.', {
      retryable: true,
    });
  }
  // Conditional on the version read: of two concurrent retries, one takes the lease.
  const resumed = change(
    creating.order,
    reservation.withLease(creating.order, createLeaseFrom(now)),
    now,
    [],
  );
  await orders.save(resumed);
  return resumed.next;
}

/** After an unknown outcome the reservation stays, but its lease ends now so the retry can resume at once. */
export async function releaseCreationLease<O extends Order>(
  orders: OrderRepository,
  order: O,
  reservation: Reservation<O>,
  now: Date,
): Promise<void> {
  try {
    await orders.save(change(order, reservation.withLease(order, now.toISOString()), now, []));
  } catch {
    // Losing this write only delays a retry until the lease runs out; the original error matters more.
  }
}
