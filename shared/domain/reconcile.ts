/**
 * The reconciler: one sweep that leaves no order stranded, whatever was lost on the way.
 *
 *   1. orders whose payment is due a look: asked of their provider (a lost webhook, a browser
 *      that never came back, a telesales checkout confirmed but not yet authorized)
 *      and storefronts still to be told of an authorized payment (Snipcart, after an outage or a
 *      closed tab)
 *   2. orders with an operation in flight past its due time: settled by reading the provider
 *      (the saga's settlement; never sent again blindly)
 *
 * Each order is handled on its own: one failing (the provider down, a race) is counted and left
 * for the next sweep, and the sweep goes on. Runs on a schedule in AWS and on a short interval
 * with `npm start`; tests call it directly.
 */

import { type SagaDeps, settleDueOperations } from './operations.ts';
import type { Order } from './order.ts';
import type { SweepRepository } from './ports.ts';
import { mustConfirm, snipcartLink } from './snipcart/link.ts';

export interface ReconcileDeps {
  saga: SagaDeps;
  sweeps: SweepRepository;
  /** Asks the order's provider about its payment and applies the answer; returns what happened, for the summary. */
  lookAtPayment(order: Order, now: Date): Promise<string>;
  /** Tells the order's storefront (Snipcart) of its authorized payment; returns what happened. */
  tellStorefront(order: Order, now: Date): Promise<string>;
}

export interface ReconcileSummary {
  /** Payments looked at, by outcome (authorized, confirmed, declined, expired, unchanged, skipped). */
  payments: Record<string, number>;
  /** Operations settled. */
  operationsSettled: number;
  /** Orders the sweep could not handle this time (retried next time). */
  failed: number;
}

/** One sweep. `orderIds` narrows it to those orders (a notification's order, a test's). */
export async function reconcile(
  deps: ReconcileDeps,
  now: Date,
  options: { orderIds?: string[]; onFailure?: (orderId: string, error: unknown) => void } = {},
): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { payments: {}, operationsSettled: 0, failed: 0 };
  const payments = options.orderIds ?? (await deps.sweeps.ordersDueForProviderLook(now));
  const operations = options.orderIds ?? (await deps.sweeps.ordersWithOperationsDue(now));
  const each = async (ids: string[], handle: (order: Order) => Promise<void>) => {
    for (const orderId of ids) {
      try {
        const order = await deps.saga.orders.get(orderId);
        if (order) await handle(order);
      } catch (error) {
        summary.failed += 1;
        options.onFailure?.(orderId, error);
      }
    }
  };
  const count = (outcome: string) => {
    summary.payments[outcome] = (summary.payments[outcome] ?? 0) + 1;
  };
  await each(payments, async (order) => {
    // An authorized payment whose storefront is still to be told has nothing to ask its provider.
    let current = order;
    if (!mustConfirm(order)) {
      count(await deps.lookAtPayment(order, now));
      // The look may just have authorized a storefront's payment: tell it on the fresh order.
      if (!snipcartLink(order)) return;
      current = (await deps.saga.orders.get(order.orderId)) ?? order;
    }
    if (mustConfirm(current)) count(`storefront_${await deps.tellStorefront(current, now)}`);
  });
  await each(operations, async (order) => {
    summary.operationsSettled += await settleDueOperations(deps.saga, order, now);
  });
  return summary;
}
